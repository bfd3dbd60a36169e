#!/usr/bin/env bash
# The simulator on Java 17 (the build's) and on Java 25 side by side, with and without 25's
# compact object headers: events/s of the bare queue and of message passing, and the DHT's live
# heap per node after N joins (bench/sim-throughput.sh). The classes are built for release 17
# and run unchanged on 25. Usage: bench/jdk-compare.sh [DHT_NODES]   (JDK25 overrides the path)
set -euo pipefail
here="$(dirname "$0")"
jdk17="$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")"
jdk25="${JDK25:-/usr/lib/jvm/temurin-25-jdk-amd64}"
for run in "17|$jdk17/bin/java|" "25|$jdk25/bin/java|" "25 compact headers|$jdk25/bin/java|-XX:+UseCompactObjectHeaders"; do
  IFS='|' read -r name java opts <<<"$run"
  echo "== Java $name ($("$java" -version 2>&1 | head -1))"
  JAVA="$java" EXTRA_JAVA_OPTS="$opts" "$here/sim-throughput.sh" "$@"
done
