#!/usr/bin/env bash
# Runs simulator scenarios and prints one table of wall time, events/s, heap and the stream
# (or DHT) results from each summary.json.
# Usage: bench/sim-scale.sh [SCENARIO...]   (default: the 10k stream scenarios; add stream-100k for 100k,
# the -low ones for low-latency mode)
# Heap: SIM_HEAP (default: 80% of the machine's memory, as `./arborcast simulate` takes; dht-1m
# needs about 20 GB). Results go to out/bench-sim/<scenario>/; REPORT_ONLY=1 prints the tables
# from the results already there.
source "$(dirname "$0")/common.sh"
scenarios=("$@")
if [ ${#scenarios[@]} -eq 0 ]; then
  scenarios=(flash-crowd-10k stream-10k-churn mass-failure-30pct)
fi
for s in "${scenarios[@]}"; do
  [ -z "${REPORT_ONLY:-}" ] || break
  heap="-XX:MaxRAMPercentage=80"
  [ -z "${SIM_HEAP:-}" ] || heap="-Xmx$SIM_HEAP"
  "$JAVA" "$heap" -XX:+UseParallelGC -XX:+UseTransparentHugePages -XX:+UseCompactObjectHeaders -Dkryo.unsafe=false -cp "$CP" io.arborcast.cli.Main simulate "config/sim/$s.conf" \
      --out "out/bench-sim/$s" --quiet >/dev/null
done
python3 - "${scenarios[@]}" <<'PY'
import json, os, sys
# in brackets: the physical limit each result is held against (summary.json stream.limits)
cols = ["scenario", "nodes", "wall s", "events/s", "peak heap GB", "continuity", "startup med/p95 ms [floor]",
        "repair med/p95 ms", "lag med/p95/p99 ms [floor]", "keep-time lag med/p95", "stalls/h (keep-time)", "skipped", "dup",
        "depth max/mean [bound]", "source ratio [floor]", "control"]
dht = [s for s in sys.argv[1:] if "dht" in json.load(open(f"out/bench-sim/{s}/summary.json"))]
streams = [s for s in sys.argv[1:] if s not in dht]
if streams:
    print(" | ".join(cols))
for s in streams:
    d = json.load(open(f"out/bench-sim/{s}/summary.json"))
    st = d.get("stream", {})
    f = lambda k, fmt="{:.0f}": fmt.format(st[k]) if isinstance(st.get(k), (int, float)) else "-"
    lim = st.get("limits", {})
    b = lambda k: f" [{lim[k]:.0f}]" if k in lim else ""
    print(" | ".join([s, str(d["nodes"]), f"{d['wallSeconds']:.0f}", f"{d['eventsPerSecond']:.0f}",
                      f"{d['peakHeapBytes'] / 1e9:.2f}", f("continuityIndex", "{:.4f}"),
                      f("startupDelayMsMedian") + "/" + f("startupDelayMsP95") + b("startupFloorMs"),
                      f("repairLatencyMsMedian") + "/" + f("repairLatencyMsP95"),
                      f("latencyMsMedian") + "/" + f("latencyMsP95") + "/" + f("latencyMsP99")
                      + " [" + f("latencyFloorMsMedian") + "]",
                      f("keepTimeLatencyMsMedian") + "/" + f("keepTimeLatencyMsP95"),
                      f("stallsPerHour") + " (" + f("keepTimeStallsPerHour") + ")",
                      f("skippedChunks"), f("duplicateChunks"),
                      f("maxDepth") + "/" + f("meanDepth", "{:.1f}") + b("depthBound"),
                      f("sourceUploadRatio", "{:.2f}") + b("sourceUploadFloor"),
                      f("controlOverhead", "{:.3f}")]))
for s in streams:
    mf = json.load(open(f"out/bench-sim/{s}/summary.json")).get("stream", {}).get("massFailure")
    if mf:
        print(f"{s}: {mf['orphans']} survivors lost their parent in the mass failure; fed by a new parent within 10 s: "
              f"{mf['fedAgainWithin10s']:.2%}; after {mf['fedAgainMsMedian']:.0f} / {mf['fedAgainMsP95']:.0f} / "
              f"{mf['fedAgainMsMax']:.0f} ms (median / p95 / max)")
if dht:
    print()
    print(" | ".join(["scenario", "nodes", "wall s", "events", "events/s per thread", "peak heap GB",
                      "exact 20 closest", "hops med/p99", "lookup med/p99 ms", "join med ms", "contacts per table"]))
for s in dht:
    d = json.load(open(f"out/bench-sim/{s}/summary.json"))
    h = d["dht"]
    print(" | ".join([s, str(d["nodes"]), f"{d['wallSeconds']:.0f}", f"{d['events'] / 1e6:.1f}M",
                      f"{d['eventsPerSecond'] / min(os.cpu_count(), d.get('partitions', 1)):.0f}", f"{d['peakHeapBytes'] / 1e9:.2f}",
                      f"{h['lookupSuccess']:.2%}", f"{h['hopsMedian']:.0f}/{h['hopsP99']:.0f}",
                      f"{h['lookupLatencyMsMedian']:.0f}/{h['lookupLatencyMsP99']:.0f}", f"{h['joinMsMedian']:.0f}",
                      f"{h['routingTableMean']:.0f}"]))
PY
