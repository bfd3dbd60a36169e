#!/usr/bin/env bash
# Fuzzes every Jazzer target for DURATION each (default 60s; Jazzer units: 30s, 10m, 1h) and
# reports executions and findings. A finding is saved by Jazzer under
# src/test/resources/<package>/<Class>Inputs/<method>/crash-*, where `mvn verify` replays it
# from then on: fix the bug, rename the file after what it found, commit it.
# The growing corpus lives in .cifuzz-corpus/ (ignored by git).
# Usage: bench/fuzz.sh [TARGET...]   e.g. bench/fuzz.sh GatewayFuzzTest#httpRequest
source "$(dirname "$0")/common.sh"
DURATION="${DURATION:-60s}"
ALL=(MessageCodecFuzzTest#linkFrame MessageCodecFuzzTest#datagram GatewayFuzzTest#httpRequest
     GatewayFuzzTest#shoutcastSource FrameSplitterFuzzTest#mp3 FrameSplitterFuzzTest#ogg FrameSplitterFuzzTest#video
     NodeConfigFuzzTest#configFile)
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=("${ALL[@]}")
mkdir -p out/bench-fuzz
printf '%-36s %12s %10s %8s  %s\n' target executions exec/s seconds result
failed=0
for t in "${targets[@]}"; do
    log="out/bench-fuzz/${t/\#/-}.log"
    before=$(find src/test/resources -path '*FuzzTestInputs*' -name 'crash-*' | sort)
    if JAZZER_FUZZ=1 JAZZER_MAX_DURATION="$DURATION" mvn -B -o toolchains:select-jdk-toolchain surefire:test -Dtest="$t" \
            -Dsurefire.failIfNoSpecifiedTests=false >"$log" 2>&1; then
        result=ok
    else
        result="FINDING (see $log)"
        failed=1
    fi
    after=$(find src/test/resources -path '*FuzzTestInputs*' -name 'crash-*' | sort)
    new=$(comm -13 <(echo "$before") <(echo "$after") | tr '\n' ' ')
    done_line=$(grep -Eo 'Done [0-9]+ runs in [0-9]+ second' "$log" | tail -1 || true)
    runs=$(echo "$done_line" | awk '{print $2}')
    secs=$(echo "$done_line" | awk '{print $5}')
    rate=$([ -n "$runs" ] && [ "${secs:-0}" -gt 0 ] && echo $((runs / secs)) || echo -)
    printf '%-36s %12s %10s %8s  %s %s\n' "$t" "${runs:--}" "$rate" "${secs:--}" "$result" "$new"
done
exit $failed
