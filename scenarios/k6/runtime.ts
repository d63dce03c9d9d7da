/**
 * The body of the exported k6 script: plain JavaScript run by k6's engine, after `options` and
 * `SCENARIO` (see script.ts). It mirrors scenarios/planner.ts: operations by the mix's weights
 * (get-order / cancel-order fall back to place-order, or get-stock, until this VU has placed an
 * order), buyers uniformly, SKUs by the popularity model, 1..linesMax lines of min..max units,
 * payment tokens by share — from a PRNG seeded with the scenario seed and the VU id.
 */
export const RUNTIME = String.raw`
const ENV = __ENV;
const SEED = ENV.ECOM_SEED !== undefined ? Number(ENV.ECOM_SEED) : SCENARIO.seed;
const RUN_ID = ENV.ECOM_RUN_ID || 'k6-' + SEED + '-' + Date.now().toString(36);
const PROTO_DIR = ENV.ECOM_PROTO_DIR || SCENARIO.protoDir;
const TIMEOUT = SCENARIO.timeoutMs + 'ms';
const OPS = Object.keys(SCENARIO.mix).filter(function (op) { return SCENARIO.mix[op] > 0; });
const WEIGHTS = OPS.map(function (op) { return SCENARIO.mix[op]; });
const SERVICES = {
  orders: { env: 'ECOM_ORDERS', proto: 'ecom/orders/v1/orders.proto' },
  inventory: { env: 'ECOM_INVENTORY', proto: 'ecom/inventory/v1/inventory.proto' },
  users: { env: 'ECOM_USERS', proto: 'ecom/users/v1/users.proto' },
};
// gRPC codes that say the call was refused before anything happened (fail); any other non-OK
// code is ambiguous (info): the call may have been applied. Both count in the errors rate.
const DEFINITE = [3, 5, 6, 7, 8, 9, 11, 12, 16];

const errors = new Rate('errors');
const confirmed = new Counter('confirmed');
const rejected = new Counter('rejected');
const ambiguous = new Counter('ambiguous');
const ops = new Counter('ops');

if (!ENV.ECOM_TOKENS_FILE) {
  throw new Error('ECOM_TOKENS_FILE: set it to the JSON list of {userId, accessToken} that ecom seed writes (an absolute path)');
}
const BUYERS = new SharedArray('buyers', function () {
  const list = JSON.parse(open(ENV.ECOM_TOKENS_FILE));
  if (!Array.isArray(list) || list.length === 0) throw new Error('ECOM_TOKENS_FILE: expected a non-empty JSON list of {userId, accessToken}');
  return list.slice(0, SCENARIO.users);
});
const SKUS = new SharedArray('skus', function () {
  if (ENV.ECOM_SKUS_FILE) return JSON.parse(open(ENV.ECOM_SKUS_FILE));
  const ids = [];
  for (let i = 1; i <= SCENARIO.skus; i++) ids.push('sku-' + String(i).padStart(6, '0'));
  return ids;
});

const clients = {};
SCENARIO.services.forEach(function (name) {
  const address = ENV[SERVICES[name].env] || SCENARIO.addresses[name];
  if (!address) throw new Error(SERVICES[name].env + ': set it to host:port of a ' + name + ' instance');
  clients[name] = { client: new grpc.Client(), address: address };
  clients[name].client.load([PROTO_DIR], SERVICES[name].proto);
});
let connected = false;

function mulberry32(a) {
  return function () {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
let random = null;
function next() {
  if (random === null) random = mulberry32((SEED ^ Math.imul(exec.vu.idInTest, 0x9e3779b1)) >>> 0);
  return random();
}
function int(min, max) { return min + Math.floor(next() * (max - min + 1)); }
function weighted(weights) {
  const total = weights.reduce(function (a, b) { return a + b; }, 0);
  let r = next() * total;
  for (let i = 0; i < weights.length; i++) { r -= weights[i]; if (r < 0) return i; }
  return weights.length - 1;
}

let zipfCdf = null;
function pickSku() {
  const n = SKUS.length;
  const p = SCENARIO.popularity;
  if (p.kind === 'hot') return n === 1 || next() < p.share ? 0 : 1 + Math.floor(next() * (n - 1));
  if (p.kind !== 'zipf') return Math.floor(next() * n);
  if (zipfCdf === null) {
    zipfCdf = new Float64Array(n);
    let sum = 0;
    for (let k = 0; k < n; k++) { sum += 1 / Math.pow(k + 1, p.exponent); zipfCdf[k] = sum; }
  }
  const r = next() * zipfCdf[n - 1];
  let lo = 0;
  let hi = n - 1;
  while (lo < hi) { const mid = (lo + hi) >>> 1; if (zipfCdf[mid] > r) hi = mid; else lo = mid + 1; }
  return lo;
}

const placed = [];
let seq = 0;

function call(service, method, request, op, token) {
  const params = { tags: { op: op }, timeout: TIMEOUT };
  if (token) params.metadata = { authorization: 'Bearer ' + token };
  const res = clients[service].client.invoke(method, request, params);
  const ok = res.status === grpc.StatusOK;
  errors.add(!ok, { op: op });
  ops.add(1, { op: op });
  if (!ok && DEFINITE.indexOf(res.status) < 0) ambiguous.add(1, { op: op });
  return ok ? res.message : null;
}

function placeOrder() {
  const index = int(0, BUYERS.length - 1);
  const buyer = BUYERS[index];
  const lines = new Map();
  const count = int(1, SCENARIO.linesMax);
  for (let i = 0; i < count; i++) lines.set(SKUS[pickSku()], int(SCENARIO.quantity.min, SCENARIO.quantity.max));
  const p = SCENARIO.payments;
  const r = next();
  const token = r < p.decline ? 'tok_decline' : r < p.decline + p.timeout ? 'tok_timeout' : r < p.decline + p.timeout + p.error ? 'tok_error' : 'tok_ok';
  const request = {
    idempotency_key: RUN_ID + '-' + exec.vu.idInTest + '-' + ++seq,
    user_id: buyer.userId,
    lines: Array.from(lines, function (e) { return { sku: e[0], quantity: e[1] }; }),
    payment_token: token,
    currency: SCENARIO.currency,
  };
  const message = call('orders', 'ecom.orders.v1.OrdersService/PlaceOrder', request, 'place-order', buyer.accessToken);
  const order = message && message.order;
  if (!order) return;
  const orderId = order.orderId || order.order_id;
  if (orderId) {
    placed.push({ orderId: orderId, buyer: index });
    if (placed.length > 10000) placed.splice(0, 5000);
  }
  if (order.status === 'ORDER_STATUS_CONFIRMED') confirmed.add(1);
  else if (order.status === 'ORDER_STATUS_REJECTED') rejected.add(1, { reason: String(order.rejectReason || order.reject_reason) });
}

function getStock() {
  call('inventory', 'ecom.inventory.v1.InventoryService/GetStock', { sku: SKUS[pickSku()], warehouse_id: '', consistent: false }, 'get-stock');
}

function aboutOrder(op) {
  const o = placed[int(0, placed.length - 1)];
  const token = BUYERS[o.buyer].accessToken;
  if (op === 'get-order') call('orders', 'ecom.orders.v1.OrdersService/GetOrder', { order_id: o.orderId }, op, token);
  else call('orders', 'ecom.orders.v1.OrdersService/CancelOrder', { order_id: o.orderId, reason: 'changed my mind' }, op, token);
}

function login() {
  const index = int(0, BUYERS.length - 1);
  const buyer = BUYERS[index];
  const email = buyer.email || 'user-' + String(index + 1).padStart(6, '0') + '@ecom.test';
  const password = buyer.password || ENV.ECOM_PASSWORD || 'seed-password';
  call('users', 'ecom.users.v1.UsersService/Login', { email: email, password: password }, 'login');
}

export default function () {
  if (!connected) {
    Object.keys(clients).forEach(function (name) { clients[name].client.connect(clients[name].address, { plaintext: true }); });
    connected = true;
  }
  let op = OPS[weighted(WEIGHTS)];
  if ((op === 'get-order' || op === 'cancel-order') && placed.length === 0) op = OPS.indexOf('place-order') >= 0 ? 'place-order' : 'get-stock';
  if (op === 'place-order') placeOrder();
  else if (op === 'get-stock') getStock();
  else if (op === 'login') login();
  else aboutOrder(op);
}

`;
