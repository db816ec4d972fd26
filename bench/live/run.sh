#!/usr/bin/env bash
# Live congestion benchmark (issue 9): one app instance holding N SSE subscribers of one office,
# the delay from a notified change to the last subscriber receiving it (p99 over the changes), and
# requests per second of the cached snapshot against the trivial /healthz of the same process.
#   bench/live/run.sh [--subscribers 10000] [--changes 20] [--seconds 10] [--out docs/benchmarks.md]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
subscribers=10000; changes=20; seconds=10; out=""
while [ $# -gt 0 ]; do
  case "$1" in
    --subscribers) subscribers=$2; shift 2;;
    --changes) changes=$2; shift 2;;
    --seconds) seconds=$2; shift 2;;
    --out) out=$2; shift 2;;
    *) echo "unknown option $1" >&2; exit 2;;
  esac
done
for tool in wrk; do
  command -v $tool >/dev/null || { sudo=""; [ "$(id -u)" -eq 0 ] || sudo=sudo; DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq wrk >/dev/null; }
done
# Each subscriber is a socket in the app and one in the client process.
ulimit -n "$(ulimit -Hn)"
if [ "$(ulimit -n)" -lt $((subscribers + 500)) ]; then
  echo "bench: the open-file limit ($(ulimit -n)) is too low for $subscribers subscribers" >&2; exit 1
fi

cd "$root"
dotnet build -c Release bench/live/Madoguchi.LiveBench -v q -nologo >&2
bench="$root/artifacts/bin/Madoguchi.LiveBench/release/Madoguchi.LiveBench.dll"
work="$(mktemp -d)"
server=""
cleanup() { [ -n "$server" ] && kill "$server" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
base="http://127.0.0.1:$port"
office="6a1c3d5e-0000-4000-8000-000000000001"
# The limits protect residents from floods; the benchmark raises them through configuration.
Madoguchi__RateLimits__public__PermitLimit=1000000000 Logging__LogLevel__Default=Warning \
  dotnet "$bench" serve --urls "$base" --db "$work/live.db" >"$work/server.log" 2>&1 &
server=$!
for _ in $(seq 1 300); do curl -fs "$base/healthz" >/dev/null 2>&1 && break; sleep 0.2; done
curl -fs "$base/healthz" >/dev/null || { echo "bench: the app did not start" >&2; cat "$work/server.log" >&2; exit 1; }
snapshot="$base/api/v1/offices/$office/congestion"
curl -fs "$snapshot" >/dev/null || { echo "bench: no snapshot" >&2; exit 1; }
bytes=$(curl -fs "$snapshot" | wc -c)

rps() { awk '/Requests\/sec/ {print $2}'; }
echo "bench: warming up…" >&2
wrk -t2 -c32 -d3s "$base/healthz" >/dev/null
wrk -t2 -c32 -d3s "$snapshot" >/dev/null
echo "bench: requests per second (${seconds}s each, 32 connections)…" >&2
health=$(wrk -t2 -c32 -d"${seconds}s" "$base/healthz" | rps)
snap_out=$(wrk -t2 -c32 -d"${seconds}s" "$snapshot")
snap=$(echo "$snap_out" | rps)
if echo "$snap_out" | grep -q "Non-2xx"; then echo "bench: some snapshot requests failed" >&2; echo "$snap_out" >&2; exit 1; fi
ratio=$(python3 -c "print(f'{$snap/$health:.2f}')")

echo "bench: $subscribers subscribers, $changes changes…" >&2
line=$(dotnet "$bench" subscribe --url "$base" --subscribers "$subscribers" --changes "$changes")
echo "bench: $line" >&2
get() { echo "$line" | tr ' ' '\n' | awk -F= -v k="$1" '$1==k {print $2}'; }
rss=$(( $(ps -o rss= -p "$server") / 1024 ))
load=$(cut -d' ' -f1-3 /proc/loadavg)

result=$(cat <<MD
Measured $(date -u +%Y-%m-%d) on $(nproc) shared cores (app and load generators on the same machine; load average at the end $load),
\`bench/live/run.sh --subscribers $subscribers --changes $changes --seconds $seconds\`:

| measure | result |
|---|---|
| /healthz (trivial endpoint), requests/s | $health |
| congestion snapshot (${bytes} bytes JSON, from memory), requests/s | $snap |
| **ratio snapshot / trivial** | **$ratio** (aim ≥ 0.7) |
| SSE subscribers held by one instance | $(get subscribers) of $subscribers (app working set after the run: ${rss} MB) |
| changes, deliveries (missing) | $(get changes), $(get deliveries) ($(get missing)) |
| delay change → subscriber, p50 / p99 over all deliveries | $(get p50) ms / $(get p99) ms |
| **delay change → last subscriber, p50 / p99 / max over the changes** | **$(get last_p50) ms / $(get last_p99) ms / $(get last_max) ms** (aim p99 < 1 s) |
MD
)
echo "$result"
if [ -n "$out" ]; then
  python3 - "$out" "$result" <<'PY'
import sys, re
path, result = sys.argv[1], sys.argv[2]
text = open(path, encoding="utf-8").read()
start = "<!-- live:start -->"; end = "<!-- live:end -->"
block = f"{start}\n{result}\n{end}"
text = re.sub(re.escape(start) + ".*?" + re.escape(end), lambda m: block, text, flags=re.S) if start in text else text.rstrip() + "\n\n" + block + "\n"
open(path, "w", encoding="utf-8").write(text)
PY
fi
