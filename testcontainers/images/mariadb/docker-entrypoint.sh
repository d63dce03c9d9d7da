#!/bin/sh
# The subset of the official mariadb image's entrypoint the ecom containers runtime relies on.
set -eu
if [ "${1#-}" != "$1" ]; then set -- mariadbd "$@"; fi
if [ "$1" != mariadbd ] && [ "$1" != mysqld ]; then exec "$@"; fi
shift
datadir=/var/lib/mysql
if [ ! -d "$datadir/mysql" ]; then
  init=$(mktemp)
  # Setup is not replicated: a replica initialises itself the same way.
  echo 'SET SESSION sql_log_bin = 0;' > "$init"
  if [ "${MARIADB_ROOT_HOST:-%}" != localhost ]; then
    echo "FLUSH PRIVILEGES; CREATE USER IF NOT EXISTS 'root'@'${MARIADB_ROOT_HOST:-%}'; GRANT ALL ON *.* TO 'root'@'${MARIADB_ROOT_HOST:-%}' WITH GRANT OPTION;" >> "$init"
  fi
  for f in /docker-entrypoint-initdb.d/*.sql; do
    [ -e "$f" ] && cat "$f" >> "$init"
  done
  echo "docker-entrypoint: initialising $datadir" >&2
  mariadb-install-db --user=mysql --datadir="$datadir" --auth-root-authentication-method=normal \
    --skip-test-db --skip-name-resolve --extra-file="$init" "$@" > /tmp/install-db.log 2>&1 \
    || { cat /tmp/install-db.log >&2; exit 1; }
  rm -f "$init"
fi
exec mariadbd --user=mysql --datadir="$datadir" "$@"
