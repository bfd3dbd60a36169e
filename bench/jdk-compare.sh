#!/usr/bin/env bash
# The simulator on Java 25 (the build's) with and without compact object headers (the launcher
# turns them on): events/s of the bare queue and of message passing, and the DHT's live heap per
# node after N joins (bench/sim-throughput.sh). Usage: bench/jdk-compare.sh [DHT_NODES]
# (JAVA names the JVM; default: the one the launcher chooses)
set -euo pipefail
here="$(dirname "$0")"
java="${JAVA:-$("$here/../arborcast" --print-java)}"
for run in "25|" "25 compact headers|-XX:+UseCompactObjectHeaders"; do
  IFS='|' read -r name opts <<<"$run"
  echo "== Java $name ($("$java" -version 2>&1 | head -1))"
  JAVA="$java" EXTRA_JAVA_OPTS="$opts" "$here/sim-throughput.sh" "$@"
done
