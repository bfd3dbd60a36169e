#!/usr/bin/env bash
# Arborcast beside icecast2 on the same stream: one ffmpeg feeds the same 128 kbit/s MP3 to an
# icecast2 mount and to an Arborcast publisher; a relaying listener node R tunes in; PLAYERS
# curl players on icecast2 and PLAYERS on R. Measures, over DURATION seconds, each process's CPU
# (from /proc ticks) and resident memory (VmRSS at the end), and the ratio R / icecast2.
# Nodes run through the launcher, with its JVM flags (ARBORCAST_JAVA_OPTS replaces them to try others).
# Usage: bench/vs-icecast.sh      PLAYERS=50 DURATION=60 BASE_PORT=17700
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
PLAYERS=${PLAYERS:-50}
DURATION=${DURATION:-60}
BASE=${BASE_PORT:-17700}
ICE_PORT=$((BASE + 90))
out=out/bench-vs-icecast
rm -rf "$out"
mkdir -p "$out"
for tool in ffmpeg curl python3 icecast2; do
  command -v "$tool" >/dev/null || { echo "vs-icecast: needs $tool (apt-get install -y $tool)" >&2; exit 2; }
done
node=("$root/arborcast") # builds target/arborcast.jar first if the sources are newer
"${node[@]}" --version > /dev/null
source "$root/bench/nodes.sh"
rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }
players_on() { curl -sf "http://127.0.0.1:$1/metrics" | awk '$1 == "arborcast_http_players" {print int($2)}'; }
receiving() { status "$1" | grep -q '"receiving":true'; }

# icecast2 refuses to run as root: it drops to nobody, so its files live where nobody may write
ice="$out/icecast"
mkdir -p "$ice/log"
chmod -R a+rwx "$ice"
cat > "$ice/icecast.xml" <<XML
<icecast>
  <limits><clients>$((PLAYERS + 10))</clients><sources>2</sources></limits>
  <authentication><source-password>benchpw</source-password><admin-password>benchadmin</admin-password></authentication>
  <hostname>127.0.0.1</hostname>
  <listen-socket><port>$ICE_PORT</port><bind-address>127.0.0.1</bind-address></listen-socket>
  <paths><logdir>$root/$ice/log</logdir><webroot>/usr/share/icecast2/web</webroot><adminroot>/usr/share/icecast2/admin</adminroot></paths>
  <logging><errorlog>error.log</errorlog><accesslog>access.log</accesslog><loglevel>2</loglevel></logging>
  <security><chroot>0</chroot><changeowner><user>nobody</user><group>nogroup</group></changeowner></security>
</icecast>
XML
icecast2 -c "$ice/icecast.xml" > "$ice/stdout" 2>&1 &
icepid=$!
pids+=("$icepid")
wait_for 20 curl -sf -o /dev/null "http://127.0.0.1:$ICE_PORT/status-json.xsl"

ffmpeg -v error -f lavfi -i "sine=frequency=440:sample_rate=44100" -t $((DURATION + 90)) \
    -c:a libmp3lame -b:a 128k -id3v2_version 0 -write_xing 0 -f mp3 "$out/source.mp3"
"${node[@]}" keygen --out "$out/channel.key" > "$out/keygen.out"
channel=$(awk '/channel id:/ {print $3}' "$out/keygen.out")
"${node[@]}" publish --bind 127.0.0.1 --port "$BASE" --key "$out/channel.key" --name "vs icecast" \
    --password benchpw > "$out/publisher.out" 2> "$out/publisher.log" &
publisher=$!
pids+=("$publisher")
wait_for 60 grep -q '^source:' "$out/publisher.out"
# one ffmpeg, the same bytes to both servers
ffmpeg -v error -re -i "$out/source.mp3" -map 0:a -c copy -f tee \
    "[f=mp3:content_type=audio/mpeg]icecast://source:benchpw@127.0.0.1:$ICE_PORT/live|[f=mp3:content_type=audio/mpeg]icecast://source:benchpw@127.0.0.1:$BASE/live" \
    2> "$out/ffmpeg.log" &
pids+=("$!")
wait_for 30 sh -c "curl -sf http://127.0.0.1:$BASE/api/status | grep -q '\"role\":\"source\"'"

# starts node NAME on PORT, joined through the publisher; its pid in $joined
join_node() {
  "${node[@]}" node --bind 127.0.0.1 --port "$2" --bootstrap "127.0.0.1:$BASE" > "$out/$1.out" 2> "$out/$1.log" &
  joined=$!
  pids+=("$joined")
  wait_for 60 grep -q '^joined via' "$out/$1.out"
}
relay_port=$((BASE + 2))
join_node relay "$relay_port"
relay=$joined
join_node idle $((BASE + 4)) # an idle node beside them: joined, no channel, no players
idle=$joined
for i in $(seq 1 "$PLAYERS"); do
  curl -s -N -o /dev/null "http://127.0.0.1:$relay_port/stream/$channel" &
  pids+=("$!")
  curl -s -N -o /dev/null "http://127.0.0.1:$ICE_PORT/live" &
  pids+=("$!")
done
wait_for 60 receiving "$relay_port"
has_players() { [ "$(players_on "$relay_port")" = "$PLAYERS" ]; }
wait_for 30 has_players
wait_for 30 sh -c "curl -sf http://127.0.0.1:$ICE_PORT/status-json.xsl | grep -q '\"listeners\":$PLAYERS'"

declare -A t0
for p in "$icepid" "$publisher" "$relay" "$idle"; do t0[$p]=$(ticks "$p"); done
s0=$SECONDS
while [ $((SECONDS - s0)) -lt "$DURATION" ]; do sleep 1; done
wall=$((SECONDS - s0))
args=()
for p in "$icepid" "$publisher" "$relay" "$idle"; do args+=("$(( $(ticks "$p") - ${t0[$p]} ))" "$(rss_kb "$p")"); done
skipped=$(status "$relay_port" | python3 -c 'import json,sys; print(json.load(sys.stdin)["channels"][0]["skipped"])')

python3 - "$out" "$wall" "$(getconf CLK_TCK)" "$PLAYERS" "$skipped" "${args[@]}" <<'PY'
import json, sys
out, wall, hz, players, skipped = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
v = [int(x) for x in sys.argv[6:]]
names = ["icecast2", "arborcast publisher", "arborcast relaying listener R", "arborcast idle node"]
rows = {n: {"cpuPercent": 100.0 * v[2 * i] / hz / wall, "rssMB": v[2 * i + 1] / 1024} for i, n in enumerate(names)}
ice, r = rows["icecast2"], rows["arborcast relaying listener R"]
res = {"seconds": wall, "players": players, "relaySkipped": skipped, "processes": rows,
       "relayCpuOverIcecast": r["cpuPercent"] / ice["cpuPercent"] if ice["cpuPercent"] else None,
       "relayRssOverIcecast": r["rssMB"] / ice["rssMB"]}
json.dump(res, open(f"{out}/results.json", "w"), indent=2)
print(f"{players} curl players each on icecast2 and on R, the same 128 kbit/s MP3, {wall:.0f} s")
print("process | CPU % | RSS MB")
print("--- | --- | ---")
for n in names:
    print(f"{n} | {rows[n]['cpuPercent']:.2f} | {rows[n]['rssMB']:.0f}")
ratio = res["relayCpuOverIcecast"]
print(f"R / icecast2: CPU {'-' if ratio is None else f'{ratio:.1f}x'}, RSS {res['relayRssOverIcecast']:.1f}x; R skipped {skipped} chunks")
PY
