# Shared by the benches that run node processes on 127.0.0.1 (sourced): processes killed on exit,
# polling with a deadline, and reading a node's status and a process's CPU ticks.
pids=()
cleanup() { for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done; }
trap cleanup EXIT

# poll with a deadline, never a fixed sleep: until CMD succeeds or SECS pass
wait_for() {
  local secs=$1; shift
  local end=$((SECONDS + secs))
  until "$@" >/dev/null 2>&1; do
    [ $SECONDS -lt $end ] || { echo "$(basename "$0" .sh): timed out waiting for: $*" >&2; return 1; }
    sleep 0.2
  done
}
status() { curl -sf "http://127.0.0.1:$1/api/status"; }
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
