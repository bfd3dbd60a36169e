#!/usr/bin/env bash
# Codec work at a relay: a publisher with one slot, a relay R below it with 4 children (each
# its own node process, each played by one curl) and PLAYERS curl players on R itself, fed a
# 128 kbit/s MP3 by ffmpeg for DURATION seconds. Prints, for R over that time: link frames it
# encoded (arborcast_frames_encoded) per second of stream and per chunk it received, the chunks
# it forwarded, and its CPU. A chunk to 4 children is encoded once (the same frame bytes go to
# each link), so about 1 frame per chunk plus control traffic.
# Usage: bench/fanout.sh      PLAYERS=50 DURATION=60 BASE_PORT=17600 JAR=target/arborcast.jar
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
PLAYERS=${PLAYERS:-50}
DURATION=${DURATION:-60}
BASE=${BASE_PORT:-17600}
out=out/bench-fanout
rm -rf "$out"
mkdir -p "$out"
for tool in ffmpeg curl python3; do
  command -v "$tool" >/dev/null || { echo "fanout: needs $tool" >&2; exit 2; }
done
if [ -z "${JAR:-}" ]; then
  mvn -B -q -DskipTests package >/dev/null
  JAR=target/arborcast.jar
fi
JAVA="${JAVA:-$(./arborcast --print-java)}"
node=("$JAVA" -Xmx128m -XX:+UseSerialGC -XX:+UseCompactObjectHeaders -Dkryo.unsafe=false -jar "$JAR")
source "$root/bench/nodes.sh"
metric() { curl -sf "http://127.0.0.1:$1/metrics" | awk -v m="$2" '$1 == m {print $2}'; }
children() { status "$1" | python3 -c 'import json,sys; c=json.load(sys.stdin)["channels"]; print(len(c[0]["children"]) if c else 0)'; }
receiving() { status "$1" | grep -q '"receiving":true'; }
has_children() { [ "$(children "$1")" = "$2" ]; }

ffmpeg -v error -f lavfi -i "sine=frequency=440:sample_rate=44100" -t $((DURATION + 60)) \
    -c:a libmp3lame -b:a 128k -id3v2_version 0 -write_xing 0 -f mp3 "$out/source.mp3"
"${node[@]}" keygen --out "$out/channel.key" > "$out/keygen.out"
channel=$(awk '/channel id:/ {print $3}' "$out/keygen.out")
printf 'arborcast { tree { source-slots = 1 } }\n' > "$out/publisher.conf"
printf 'arborcast { tree { relay-slots = 4 } }\n' > "$out/relay.conf"
printf 'arborcast { tree { relay-slots = 0 } }\n' > "$out/child.conf"

"${node[@]}" publish --bind 127.0.0.1 --config "$out/publisher.conf" --port "$BASE" --key "$out/channel.key" --name "fanout bench" \
    --password benchpw > "$out/publisher.out" 2> "$out/publisher.log" &
pids+=("$!")
wait_for 60 grep -q '^play:' "$out/publisher.out"
ffmpeg -v error -re -i "$out/source.mp3" -c copy -id3v2_version 0 -write_xing 0 -content_type audio/mpeg \
    -f mp3 "icecast://source:benchpw@127.0.0.1:$BASE/live" 2> "$out/ffmpeg.log" &
pids+=("$!")
wait_for 30 sh -c "curl -sf http://127.0.0.1:$BASE/api/status | grep -q '\"role\":\"source\"'"

relay_port=$((BASE + 2))
"${node[@]}" node --bind 127.0.0.1 --config "$out/relay.conf" --port "$relay_port" --bootstrap "127.0.0.1:$BASE" \
    > "$out/relay.out" 2> "$out/relay.log" &
relay=$!
pids+=("$relay")
wait_for 60 grep -q '^joined via' "$out/relay.out" # tuned before joining, a node finds no channel
curl -s -N -o /dev/null "http://127.0.0.1:$relay_port/stream/$channel" &
pids+=("$!")
wait_for 60 receiving "$relay_port"
for i in 1 2 3 4; do
  port=$((BASE + 2 + 2 * i))
  "${node[@]}" node --bind 127.0.0.1 --config "$out/child.conf" --port "$port" --bootstrap "127.0.0.1:$BASE" \
      > "$out/child$i.out" 2> "$out/child$i.log" &
  pids+=("$!")
  wait_for 60 grep -q '^joined via' "$out/child$i.out"
  curl -s -N -o /dev/null "http://127.0.0.1:$port/stream/$channel" &
  pids+=("$!")
done
wait_for 60 has_children "$relay_port" 4
for i in $(seq 2 "$PLAYERS"); do # the first player tuned R in
  curl -s -N -o /dev/null "http://127.0.0.1:$relay_port/stream/$channel" &
  pids+=("$!")
done
wait_for 30 sh -c "[ \"\$(curl -sf http://127.0.0.1:$relay_port/metrics | awk '\$1 == \"arborcast_http_players\" {print int(\$2)}')\" = $PLAYERS ]"

frames0=$(metric "$relay_port" arborcast_frames_encoded_total)
status "$relay_port" > "$out/status0.json"
ticks0=$(ticks "$relay")
t0=$SECONDS
while [ $((SECONDS - t0)) -lt "$DURATION" ]; do sleep 1; done
wall=$((SECONDS - t0))
frames1=$(metric "$relay_port" arborcast_frames_encoded_total)
status "$relay_port" > "$out/status1.json"
ticks1=$(ticks "$relay")
kids=$(children "$relay_port")

python3 - "$out" "$wall" "$frames0" "$frames1" "$((ticks1 - ticks0))" "$(getconf CLK_TCK)" "$kids" "$PLAYERS" <<'PY'
import json, sys
out, wall, f0, f1, ticks, hz, kids, players = sys.argv[1:9]
wall, frames = float(wall), float(f1) - float(f0)
s0 = json.load(open(f"{out}/status0.json"))["channels"][0]
s1 = json.load(open(f"{out}/status1.json"))["channels"][0]
got = s1["chunksReceived"] - s0["chunksReceived"]
fwd = s1["chunksForwarded"] - s0["chunksForwarded"]
res = {"seconds": wall, "children": int(kids), "players": int(players), "framesEncoded": frames,
       "framesPerSecond": frames / wall, "chunksReceived": got, "chunksForwarded": fwd,
       "framesPerChunkReceived": frames / got if got else None,
       "relayCpuPercent": 100.0 * int(ticks) / float(hz) / wall}
json.dump(res, open(f"{out}/results.json", "w"), indent=2)
print(f"relay R with {kids} children and {players} players, 128 kbit/s MP3, {wall:.0f} s")
print("metric | value")
print("--- | ---")
for k, v in [("link frames encoded per second of stream", f"{res['framesPerSecond']:.1f}"),
             ("chunks received / forwarded", f"{got} / {fwd}"),
             ("frames encoded per chunk received", "-" if not got else f"{res['framesPerChunkReceived']:.2f}"),
             ("relay CPU %", f"{res['relayCpuPercent']:.1f}")]:
    print(f"{k} | {v}")
PY
