#!/bin/sh
# As the official redis image: flags alone mean `redis-server FLAGS`.
set -eu
if [ "${1#-}" != "$1" ]; then set -- redis-server "$@"; fi
exec "$@"
