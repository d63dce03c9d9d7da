// Prints one service config (JSON) merged from the files in ECOM_CONFIG_FILES (":"-separated, later
// files win, objects merged deeply): typically a ConfigMap's non-secret part and a Secret's part.
// `service` comes from the argument; `instance`, unless set, from ECOM_INSTANCE or a hash of the
// pod name (HOSTNAME), so every replica of a Deployment gets its own instance name.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

const merge = (a, b) => {
  const out = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const plain = (x) => typeof x === 'object' && x !== null && !Array.isArray(x);
    out[k] = plain(out[k]) && plain(v) ? merge(out[k], v) : v;
  }
  return out;
};

let config = {};
for (const file of (process.env.ECOM_CONFIG_FILES ?? '').split(':').filter(Boolean)) {
  try {
    config = merge(config, JSON.parse(readFileSync(file, 'utf8')));
  } catch (err) {
    process.stderr.write(`config-merge: ${file}: ${err.message}\n`);
    process.exit(2);
  }
}
config.service = process.argv[2] ?? config.service;
if (config.instance === undefined) {
  const fromEnv = Number(process.env.ECOM_INSTANCE);
  config.instance =
    Number.isInteger(fromEnv) && fromEnv > 0
      ? fromEnv
      : (createHash('sha256')
          .update(process.env.HOSTNAME ?? String(process.pid))
          .digest()
          .readUInt32BE(0) %
          2_000_000_000) +
        1;
}
process.stdout.write(JSON.stringify(config));
