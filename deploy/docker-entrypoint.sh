#!/bin/sh
# Starts one ecom service: `docker-entrypoint.sh SERVICE [--config FILE]`, or ECOM_SERVICE=SERVICE.
# Config: --config FILE, or ECOM_CONFIG (JSON), or ECOM_CONFIG_FILES — JSON files (a ConfigMap's and
# a Secret's) merged in order into ECOM_CONFIG, with `instance` derived from the pod name if unset.
set -eu
service="${1:-${ECOM_SERVICE:-}}"
[ $# -gt 0 ] && shift
case "$service" in
  users | inventory | payments | gateway | orders | analytics) ;;
  migrate) exec node /app/deploy/migrate.mjs "$@" ;;
  *)
    echo "usage: docker-entrypoint.sh users|inventory|payments|gateway|orders|analytics|migrate [--config FILE]" >&2
    echo "(or set ECOM_SERVICE); got: '${service}'" >&2
    exit 2
    ;;
esac
if [ -n "${ECOM_CONFIG_FILES:-}" ]; then
  ECOM_CONFIG="$(node /app/deploy/config-merge.mjs "$service")"
  export ECOM_CONFIG
fi
exec node --enable-source-maps "/app/dist/services/$service/index.js" "$@"
