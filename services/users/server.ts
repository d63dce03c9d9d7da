import { PermissionDenied } from '../../platform/errors.js';
import type { CallContext } from '../../platform/grpc/context.js';
import { serviceBinding, type ServiceBinding } from '../../platform/grpc/server.js';
import { clientAddressOf } from '../../platform/ratelimit.js';
import { UsersServiceService, type Profile } from '../../proto/gen/ecom/users/v1/users.js';
import type { Accounts } from './accounts.js';
import type { Profiles } from './profiles.js';
import type { UserRow } from './store.js';
import type { TokenIssuer } from './tokens.js';
import {
  checkRefreshToken,
  checkUserId,
  normaliseDisplayName,
  normaliseEmail,
  normalisePassword,
} from './validation.js';

/** Methods callable without an access token (the auth interceptor skips them). */
export const PUBLIC_METHODS = [
  UsersServiceService.register.path,
  UsersServiceService.login.path,
  UsersServiceService.refreshToken.path,
];

/** Only the profile's owner may read or change it (the auth interceptor has set ctx.user). */
function ownProfile(userId: string, ctx: CallContext): void {
  if (ctx.user?.id !== userId) throw new PermissionDenied('a user may only access their own profile');
}

function toProfile(row: UserRow): Profile {
  return {
    userId: row.id,
    email: row.email,
    displayName: row.displayName,
    version: row.version,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

/**
 * The gRPC handlers of UsersService: validate (INVALID_ARGUMENT naming the field), check
 * ownership, call the domain. Passwords and tokens are never logged.
 */
export function usersBinding(deps: {
  accounts: Accounts;
  tokens: TokenIssuer;
  profiles: Profiles;
  now?: () => Date;
}): ServiceBinding {
  const now = deps.now ?? (() => new Date());
  return serviceBinding(UsersServiceService, {
    async register(req) {
      const email = normaliseEmail(req.email);
      const password = normalisePassword(req.password);
      const displayName = normaliseDisplayName(req.displayName);
      const user = await deps.accounts.register(email, password, displayName, now());
      return { profile: toProfile(user), tokens: await deps.tokens.issue(user.id) };
    },
    async login(req, ctx) {
      const email = normaliseEmail(req.email);
      const password = normalisePassword(req.password);
      return { tokens: await deps.accounts.login(email, password, clientAddressOf(ctx.peer)) };
    },
    async refreshToken(req) {
      return { tokens: await deps.tokens.refresh(checkRefreshToken(req.refreshToken)) };
    },
    async getProfile(req, ctx) {
      const userId = checkUserId(req.userId);
      ownProfile(userId, ctx);
      return { profile: toProfile(await deps.profiles.get(userId)) };
    },
    async updateProfile(req, ctx) {
      const userId = checkUserId(req.userId);
      const displayName = normaliseDisplayName(req.displayName);
      ownProfile(userId, ctx);
      return { profile: toProfile(await deps.profiles.update(userId, displayName, now())) };
    },
  });
}
