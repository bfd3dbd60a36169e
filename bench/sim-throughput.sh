#!/usr/bin/env bash
# Simulator throughput (events/s) and DHT memory per node. Usage: bench/sim-throughput.sh [DHT_NODES]
source "$(dirname "$0")/common.sh"
java -Xmx8g -XX:+UseParallelGC -XX:+UseTransparentHugePages -cp "$CP" io.arborcast.bench.SimThroughput "$@"
