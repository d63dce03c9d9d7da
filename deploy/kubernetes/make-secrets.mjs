#!/usr/bin/env node
// Prints the Secrets the ecom services need, with fresh values, as YAML for `kubectl apply -f -`:
//   node deploy/kubernetes/make-secrets.mjs --mysql-password 'the ecom user password' | kubectl apply -f -
// ecom-mysql: the MySQL account (migrations Job). ecom-<service>-secret: the secret part of each
// service's config (deploy/config-merge.mjs merges it over the ConfigMap's): the MySQL password,
// the token keys (users gets the Ed25519 private key, every other service only the public key)
// and the secret payments and the gateway simulator sign requests with.
// Without --mysql-password, a random one is generated (create the MySQL user `ecom` with it).
import { generateKeyPairSync, randomBytes } from 'node:crypto';

const arg = (name) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const mysqlUser = arg('--mysql-user') ?? 'ecom';
const mysqlPassword = arg('--mysql-password') ?? randomBytes(18).toString('base64url');
const { publicKey, privateKey } = generateKeyPairSync('ed25519');
const kid = `k-${randomBytes(4).toString('hex')}`;
const key = {
  kid,
  publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
};
const auth = (withPrivate) => ({
  issuer: 'ecom-users',
  audience: 'ecom',
  activeKid: kid,
  keys: [withPrivate ? key : { kid, publicKeyPem: key.publicKeyPem }],
});
const signingSecret = randomBytes(32).toString('hex');

const secret = (name, data) =>
  [
    '---',
    'apiVersion: v1',
    'kind: Secret',
    'metadata:',
    `  name: ${name}`,
    '  namespace: ecom',
    '  labels:',
    '    app.kubernetes.io/part-of: ecom',
    'type: Opaque',
    'stringData:',
    ...Object.entries(data).map(([k, v]) => `  ${k}: ${JSON.stringify(v)}`),
  ].join('\n');

const out = [secret('ecom-mysql', { user: mysqlUser, password: mysqlPassword })];
for (const service of ['users', 'inventory', 'payments', 'gateway', 'orders', 'analytics']) {
  const config = { mysql: { user: mysqlUser, password: mysqlPassword }, auth: auth(service === 'users') };
  if (service === 'payments') config.payments = { signingSecret };
  if (service === 'gateway') config.gateway = { signingSecret };
  out.push(secret(`ecom-${service}-secret`, { 'secret.json': JSON.stringify(config) }));
}
process.stdout.write(out.join('\n') + '\n');
