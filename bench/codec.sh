#!/usr/bin/env bash
# Codec encode+decode throughput for a 4 KiB stream chunk (JMH). Usage: bench/codec.sh [JMH args]
source "$(dirname "$0")/common.sh"
mkdir -p target/bench
"$JAVA" -cp "$CP" org.openjdk.jmh.Main 'io.arborcast.bench.CodecBenchmark' -f 1 -wi 3 -w 2s -i 5 -r 2s \
    -rf json -rff target/bench/codec.json "$@"
