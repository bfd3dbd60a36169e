#!/usr/bin/env bash
# Real node processes on 127.0.0.1: a publisher fed by ffmpeg (128 kbit/s MP3, pushed as an
# Icecast source) and NODES listener nodes, each its own JVM with a small heap, each played
# by curl. Halfway through, KILL relays get `kill -9`. Prints one table and writes
# out/bench-loopback/results.json:
#   source upload ratio (stream payload out / in, and all bytes the publisher wrote / stream in),
#   per-node CPU and RSS, startup delay, each node's lag behind the source (when it hands a chunk
#   to its player, behind the source's cut, from its status page: the source's time comes down
#   the tree), repairs after the kills, and whether every surviving player's bytes are one
#   contiguous run of the source file (no skip, no repeat).
# Usage: bench/loopback.sh            NODES=20 DURATION=60 KILL=3 NODE_HEAP=64m BASE_PORT=17200 ARRIVAL_MS=250
#                                     LATENCY_MODE=normal (every node's stream.latency-mode: low, normal, safe)
#        (VERBOSE=1: nodes log at debug level into out/bench-loopback/node*.log; ARRIVAL_MS: the
#        players tune in this far apart, as listeners arrive; 0: all in the same instant, where
#        the 2-core machine's CPU, not the protocol, sets the startup of 21 cold JVMs)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
NODES=${NODES:-20}
DURATION=${DURATION:-60}
KILL=${KILL:-3}
NODE_HEAP=${NODE_HEAP:-64m}
ARRIVAL_MS=${ARRIVAL_MS:-250}
LATENCY_MODE=${LATENCY_MODE:-normal}
BASE=${BASE_PORT:-17200}
out=out/bench-loopback
rm -rf "$out"
mkdir -p "$out"
for tool in ffmpeg curl python3; do
  command -v "$tool" >/dev/null || { echo "loopback: needs $tool" >&2; exit 2; }
done
mvn -B -q -DskipTests package >/dev/null
JAVA="${JAVA:-$(./arborcast --print-java)}"
java_node=("$JAVA" "-Xmx$NODE_HEAP" -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -jar target/arborcast.jar)
echo "arborcast.stream.latency-mode = $LATENCY_MODE" > "$out/node.conf"
verbose=()
[ -z "${VERBOSE:-}" ] || verbose=(-v)
source "$root/bench/nodes.sh"
wchar() { awk '/^wchar/ {print $2}' "/proc/$1/io"; }

ffmpeg -v error -f lavfi -i "sine=frequency=440:sample_rate=44100" -t $((DURATION + 30)) \
    -c:a libmp3lame -b:a 128k -id3v2_version 0 -write_xing 0 -f mp3 "$out/source.mp3"
"$JAVA" -jar target/arborcast.jar keygen --out "$out/channel.key" > "$out/keygen.out"
channel=$(awk '/channel id:/ {print $3}' "$out/keygen.out")

"${java_node[@]}" publish --config "$out/node.conf" --bind 127.0.0.1 --port "$BASE" --key "$out/channel.key" --name "loopback bench" --password benchpw \
    > "$out/publisher.out" 2> "$out/publisher.log" &
pub=$!
pids+=("$pub")
wait_for 60 grep -q '^play:' "$out/publisher.out"
node_ports=()
for i in $(seq 1 "$NODES"); do
  port=$((BASE + 2 * i))
  "${java_node[@]}" node "${verbose[@]}" --config "$out/node.conf" --bind 127.0.0.1 --port "$port" --bootstrap "127.0.0.1:$BASE" > "$out/node$i.out" 2> "$out/node$i.log" &
  pids+=("$!")
  node_ports+=("$port")
done
node_pids=("${pids[@]:1}")
for p in "${node_ports[@]}"; do wait_for 60 status "$p"; done

ffmpeg -v error -re -i "$out/source.mp3" -c copy -id3v2_version 0 -write_xing 0 -content_type audio/mpeg \
    -f mp3 "icecast://source:benchpw@127.0.0.1:$BASE/live" 2> "$out/ffmpeg.log" &
pids+=("$!")
wait_for 30 sh -c "curl -sf http://127.0.0.1:$BASE/api/status | grep -q '\"role\":\"source\"'"
t0=$SECONDS
pub_ticks0=$(ticks "$pub"); pub_w0=$(wchar "$pub")
declare -A ticks0
for p in "${node_pids[@]}"; do ticks0[$p]=$(ticks "$p"); done
curl_pids=()
for i in $(seq 1 "$NODES"); do
  curl -s -N -o "$out/play$i.mp3" -w '%{time_starttransfer}\n' \
      "http://127.0.0.1:${node_ports[$((i - 1))]}/stream/$channel" > "$out/curl$i.txt" 2>/dev/null &
  curl_pids+=("$!")
  [ "$ARRIVAL_MS" -eq 0 ] || sleep "$(awk -v ms="$ARRIVAL_MS" 'BEGIN {print ms / 1000}')"
done

# halfway: kill -9 relays (nodes that feed children)
while [ $((SECONDS - t0)) -lt $((DURATION / 2)) ]; do sleep 1; done
killed=()
for i in $(seq 1 "$NODES"); do
  [ ${#killed[@]} -lt "$KILL" ] || break
  children=$(status "${node_ports[$((i - 1))]}" | python3 -c 'import json,sys; c=json.load(sys.stdin)["channels"]; print(len(c[0]["children"]) if c else 0)')
  if [ "$children" -gt 0 ]; then
    kill -9 "${node_pids[$((i - 1))]}"
    killed+=("$i")
  fi
done
echo "killed relays: ${killed[*]:-none} at t=$((SECONDS - t0)) s" > "$out/killed.txt"
while [ $((SECONDS - t0)) -lt "$DURATION" ]; do sleep 1; done
wall=$((SECONDS - t0))

# measurements at the end, before anything stops
pub_ticks1=$(ticks "$pub"); pub_w1=$(wchar "$pub")
status "$BASE" > "$out/status-publisher.json"
: > "$out/nodes.tsv"
for i in $(seq 1 "$NODES"); do
  p=${node_pids[$((i - 1))]}
  if [[ " ${killed[*]} " == *" $i "* ]]; then continue; fi
  rss=$(awk '/VmRSS/ {print $2}' "/proc/$p/status")
  status "${node_ports[$((i - 1))]}" > "$out/status-node$i.json"
  echo -e "$i\t$(( $(ticks "$p") - ${ticks0[$p]} ))\t$rss" >> "$out/nodes.tsv"
done
pub_rss=$(awk '/VmRSS/ {print $2}' "/proc/$pub/status")
for c in "${curl_pids[@]}"; do kill "$c" 2>/dev/null || true; done
wait "${curl_pids[@]}" 2>/dev/null || true

python3 - "$out" "$wall" "$(getconf CLK_TCK)" "$((pub_ticks1 - pub_ticks0))" "$((pub_w1 - pub_w0))" "$pub_rss" \
    "$NODES" "${killed[*]:-}" <<'PY'
import json, os, statistics, sys
out, wall, hz, pub_ticks, pub_written, pub_rss, n, killed = sys.argv[1:9]
wall, hz, n = float(wall), float(hz), int(n)
killed = {int(k) for k in killed.split()}
src = open(f"{out}/source.mp3", "rb").read()
pub = json.load(open(f"{out}/status-publisher.json"))["channels"][0]
rows, startup, repairs, cpu, rss, identical, bad = [], [], [], [], [], 0, []
lags, lag95s, floors = [], [], []
for line in open(f"{out}/nodes.tsv"):
    i, ticks, kb = (int(x) for x in line.split())
    st = json.load(open(f"{out}/status-node{i}.json"))["channels"][0]
    play = open(f"{out}/play{i}.mp3", "rb").read()
    at = src.find(play[:4096]) if len(play) >= 4096 else -1
    ok = at >= 0 and src[at:at + len(play)] == play
    identical += ok
    if not ok:
        bad.append(i)
    cpu.append(100.0 * ticks / hz / wall)
    rss.append(kb / 1024)
    if st.get("startupMs") is not None:
        startup.append(st["startupMs"])
    if st["repairs"] > 0:
        repairs.append(st["lastRepairMs"])
    if st.get("lagMs") is not None:
        lags.append(st["lagMs"])
        lag95s.append(st["lagMsP95"])
    if st.get("lagFloorMs") is not None:
        floors.append(st["lagFloorMs"])
    rows.append({"node": i, "bytesPlayed": len(play), "contiguous": ok, "cpuPercent": cpu[-1], "rssMiB": rss[-1],
                 "startupMs": st.get("startupMs"), "lagMs": st.get("lagMs"), "lagMsP95": st.get("lagMsP95"),
                 "lagFloorMs": st.get("lagFloorMs"), "depth": st["depth"], "repairs": st["repairs"],
                 "lastRepairMs": st["lastRepairMs"], "skipped": st.get("skipped"), "continuity": st.get("continuity")})
# the publisher's counters since it started: payload out / payload in
metrics = {}
import urllib.request
port = json.load(open(f"{out}/status-publisher.json"))["node"]["address"].split(":")[1]
text = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics").read().decode()
for l in text.splitlines():
    if l.startswith("arborcast_channel_bytes_"):
        name, value = l.split(" ")
        metrics[name.split("{")[0]] = float(value)
stream_in = metrics["arborcast_channel_bytes_in_total"]
ratio_payload = metrics["arborcast_channel_bytes_out_total"] / stream_in
bytes_per_s = 128_000 / 8
ratio_wire = int(pub_written) / (bytes_per_s * wall)
pct = lambda xs, q: sorted(xs)[min(len(xs) - 1, int(q * len(xs)))] if xs else None
res = {"nodes": n, "wallSeconds": wall, "killed": sorted(killed), "survivors": len(rows),
       "sourceSlots": pub["relaySlots"], "sourceChildren": len(pub["children"]),
       "sourceUploadRatioPayload": ratio_payload, "sourceUploadRatioWire": ratio_wire,
       "publisherCpuPercent": 100.0 * int(pub_ticks) / hz / wall, "publisherRssMiB": int(pub_rss) / 1024,
       "nodeCpuPercentMedian": statistics.median(cpu), "nodeCpuPercentMax": max(cpu),
       "nodeRssMiBMedian": statistics.median(rss), "nodeRssMiBMax": max(rss),
       "startupMsMedian": pct(startup, 0.5), "startupMsP95": pct(startup, 0.95),
       "lagMsMedian": pct(lags, 0.5), "lagMsP95": pct(lag95s, 0.95), "lagFloorMsMedian": pct(floors, 0.5),
       "repairedNodes": len(repairs), "repairMsMedian": pct(repairs, 0.5), "repairMsMax": max(repairs) if repairs else None,
       "byteIdentical": identical, "notIdentical": bad,
       "skippedChunks": sum(r["skipped"] or 0 for r in rows), "maxDepth": max(r["depth"] for r in rows),
       "perNode": rows}
json.dump(res, open(f"{out}/results.json", "w"), indent=2)
f = lambda v, fmt="{:.0f}": "-" if v is None else fmt.format(v)
print(f"{n} nodes + publisher on 127.0.0.1, 128 kbit/s MP3 from ffmpeg for {wall:.0f} s; "
      f"kill -9 of relays {sorted(killed) or 'none'} halfway")
print("metric | value")
print("--- | ---")
for k, v in [("source upload ratio, stream payload (floor: source slots = %d)" % pub["relaySlots"], f(ratio_payload, "{:.3f}")),
             ("source upload ratio, all bytes written / stream bitrate", f(ratio_wire, "{:.3f}")),
             ("publisher CPU % / RSS MiB", f(res["publisherCpuPercent"], "{:.1f}") + " / " + f(res["publisherRssMiB"])),
             ("node CPU % median / max", f(res["nodeCpuPercentMedian"], "{:.1f}") + " / " + f(res["nodeCpuPercentMax"], "{:.1f}")),
             ("node RSS MiB median / max", f(res["nodeRssMiBMedian"]) + " / " + f(res["nodeRssMiBMax"])),
             ("startup delay ms median / p95 (tune to first chunk)", f(res["startupMsMedian"]) + " / " + f(res["startupMsP95"])),
             ("lag behind the source ms: median of nodes' medians / p95 of their p95s / floor median",
              f(res["lagMsMedian"]) + " / " + f(res["lagMsP95"]) + " / " + f(res["lagFloorMsMedian"])),
             ("nodes repaired after the kills", str(len(repairs))),
             ("repair ms median / max (parent lost to first chunk)", f(res["repairMsMedian"]) + " / " + f(res["repairMsMax"])),
             ("players byte-identical to the source (contiguous)", f"{identical}/{len(rows)}"),
             ("skipped chunks (survivors)", str(res["skippedChunks"])),
             ("max depth", str(res["maxDepth"]))]:
    print(f"{k} | {v}")
PY
