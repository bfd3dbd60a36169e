#!/usr/bin/env bash
# Loopback TCP throughput of peer-link frames. Usage: bench/link-throughput.sh [FRAMES] [PAYLOAD_BYTES] [RUNS]
source "$(dirname "$0")/common.sh"
"$JAVA" -Xmx1g -cp "$CP" io.arborcast.bench.LinkThroughput "$@"
