#!/bin/sh
# `zkServer.sh start-foreground`: QuorumPeerMain on $ZOO_CONF_DIR/zoo.cfg. Debian's zookeeper.jar
# carries its dependencies in its manifest's Class-Path; slf4j-simple gives its log a destination.
set -eu
if [ "${1:-start-foreground}" != start-foreground ]; then
  echo "zkServer.sh: only start-foreground is supported in this image" >&2
  exit 2
fi
# shellcheck disable=SC2086
exec java "-Xmx${ZK_SERVER_HEAP:-256}m" ${SERVER_JVMFLAGS:-} ${JVMFLAGS:-} \
  -Dzookeeper.admin.enableServer=false -Dzookeeper.jmx.log4j.disable=true \
  -cp /usr/share/java/zookeeper.jar:/usr/share/java/slf4j-simple.jar \
  org.apache.zookeeper.server.quorum.QuorumPeerMain "$ZOO_CONF_DIR/zoo.cfg"
