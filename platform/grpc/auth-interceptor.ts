import type { Metadata } from '@grpc/grpc-js';
import type { TokenVerifier } from '../auth/verifier.js';
import { Unauthenticated } from '../errors.js';
import type { Interceptor } from './context.js';

/** Options of {@link authInterceptor}. */
export interface AuthInterceptorOptions {
  verifier: TokenVerifier;
  /**
   * Full method paths that need no token, e.g. `UsersServiceService.login.path`
   * ("/ecom.users.v1.UsersService/Login").
   */
  publicMethods?: Iterable<string>;
}

/**
 * The gRPC auth interceptor: reads `authorization: Bearer <jwt>` metadata, verifies the access
 * token and sets `ctx.user = { id }` (and the user id on the call's logger). A missing, malformed,
 * expired or forged token is UNAUTHENTICATED. Methods listed in `publicMethods` skip it.
 * Ownership (PERMISSION_DENIED) is the handler's business: it compares `ctx.user.id`.
 */
export function authInterceptor(opts: AuthInterceptorOptions): Interceptor {
  const open = new Set(opts.publicMethods ?? []);
  for (const path of open) {
    if (!/^\/[^/]+\/[^/]+$/.test(path)) {
      throw new Error(
        `publicMethods: ${JSON.stringify(path)} is not a full method path "/pkg.Service/Method"`,
      );
    }
  }
  return async (ctx, next) => {
    if (open.has(ctx.method)) return next();
    const { userId } = await opts.verifier.verify(bearerToken(ctx.metadata));
    ctx.user = { id: userId };
    ctx.logger = ctx.logger.child({ userId });
    return next();
  };
}

/** The token of the call's single `authorization: Bearer <token>` header; throws Unauthenticated. */
export function bearerToken(metadata: Metadata): string {
  const values = metadata.get('authorization');
  if (values.length === 0) throw new Unauthenticated('missing authorization metadata (Bearer token)');
  if (values.length > 1) throw new Unauthenticated('more than one authorization header');
  const value = values[0];
  if (typeof value !== 'string') throw new Unauthenticated('authorization must be text');
  const match = /^Bearer +([^\s]+) *$/i.exec(value);
  if (!match) throw new Unauthenticated('authorization must be "Bearer <token>"');
  return match[1]!;
}
