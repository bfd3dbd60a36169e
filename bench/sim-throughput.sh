#!/usr/bin/env bash
# Simulator throughput (events/s) and DHT memory per node. Usage: bench/sim-throughput.sh [DHT_NODES]
# JAVA picks the JVM (default: the launcher's choice, Java 25+), EXTRA_JAVA_OPTS adds flags (see bench/jdk-compare.sh).
source "$(dirname "$0")/common.sh"
"$JAVA" -Xmx8g -XX:+UseParallelGC -XX:+UseTransparentHugePages ${EXTRA_JAVA_OPTS:-} -cp "$CP" \
    io.arborcast.bench.SimThroughput "$@"
