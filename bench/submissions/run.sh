#!/usr/bin/env bash
# Submissions benchmark (issue 5): durable submissions per second through the API (10-field form,
# SQLite with synchronous=FULL) against the trivial /healthz endpoint of the same app in the same run,
# then p50/p99 latency of submissions at a fixed offered load.
#   bench/submissions/run.sh [--seconds 15] [--rate 1000] [--connections 32] [--warmup 30] [--workers 20] [--out docs/benchmarks.md]
#   bench/submissions/run.sh --reads [--seconds 8] [--warmup 20] [--out docs/benchmarks.md]
# --reads measures instead what a resident's phone or a form client reads before applying (the forms
# list, a form's start page, its definition through the API, /healthz for scale): requests/s and the
# app's CPU time per request (from /proc, so the load generator's CPU is not counted).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
here="$root/bench/submissions"
seconds=15; rate=1000; connections=32; warmup=30; workers=20; out=""; reads=""
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) seconds=$2; shift 2;;
    --rate) rate=$2; shift 2;;
    --connections) connections=$2; shift 2;;
    --warmup) warmup=$2; shift 2;;
    --workers) workers=$2; shift 2;;
    --out) out=$2; shift 2;;
    --reads) reads=1; shift;;
    *) echo "unknown option $1" >&2; exit 2;;
  esac
done
for tool in wrk hey; do
  command -v $tool >/dev/null || { sudo=""; [ "$(id -u)" -eq 0 ] || sudo=sudo; DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq wrk hey >/dev/null; }
done

# Replaces the block between <!-- NAME:start --> and <!-- NAME:end --> in --out (appended when missing).
write_block() {
  [ -n "$out" ] || return 0
  python3 - "$out" "$1" "$2" <<'PY'
import sys, re
path, name, result = sys.argv[1], sys.argv[2], sys.argv[3]
text = open(path, encoding="utf-8").read()
start = f"<!-- {name}:start -->"; end = f"<!-- {name}:end -->"
block = f"{start}\n{result}\n{end}"
text = re.sub(re.escape(start) + ".*?" + re.escape(end), lambda m: block, text, flags=re.S) if start in text else text.rstrip() + "\n\n" + block + "\n"
open(path, "w", encoding="utf-8").write(text)
PY
}

work="$(mktemp -d)"
server=""
cleanup() { [ -n "$server" ] && kill "$server" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
db="$work/bench.db"
cd "$root"
echo "bench: preparing a demo database with the 10-field form…" >&2
./madoguchi demo load --db "$db" >/dev/null 2>&1
./madoguchi form import "$here/form.json" --procedure KT-00002 --db "$db" >&2
./madoguchi form publish bench-ten-fields --db "$db" >&2

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
base="http://127.0.0.1:$port"
# The limits protect residents from floods; the benchmark raises them through configuration.
Madoguchi__RateLimits__submit__PermitLimit=1000000000 Madoguchi__RateLimits__public__PermitLimit=1000000000 \
Logging__LogLevel__Default=Warning \
  ./madoguchi serve --db "$db" --urls "$base" >"$work/server.log" 2>&1 &
server=$!
for _ in $(seq 1 300); do curl -fs "$base/healthz" >/dev/null 2>&1 && break; sleep 0.2; done
curl -fs "$base/healthz" >/dev/null || { echo "bench: the app did not start" >&2; cat "$work/server.log" >&2; exit 1; }

if [ -n "$reads" ]; then
  # utime + stime of the app (clock ticks) around one wrk run: CPU per request, and requests/s.
  ticks=$(getconf CLK_TCK)
  measure() {
    local before after out n rps
    before=$(awk '{print $14+$15}' "/proc/$server/stat")
    out=$(wrk -t2 -c"$connections" -d"${seconds}s" "$1")
    after=$(awk '{print $14+$15}' "/proc/$server/stat")
    n=$(echo "$out" | awk '/requests in/ {print $1}')
    if echo "$out" | grep -q "Non-2xx"; then echo "bench: $1 answered errors:" >&2; echo "$out" >&2; exit 1; fi
    rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
    python3 -c "print(f'| \`$2\` | {$rps:,.0f} | {($after-$before)*1000/$ticks/$n:.3f} |')"
  }
  paths=("/api/v1/forms" "/forms/bench-ten-fields" "/api/v1/forms/bench-ten-fields" "/healthz")
  echo "bench: warming up (${warmup}s each)…" >&2
  for p in "${paths[@]}"; do wrk -t2 -c"$connections" -d"${warmup}s" "$base$p" >/dev/null; done
  rows=""
  for p in "${paths[@]}"; do rows+="$(measure "$base$p" "GET $p")"$'\n'; done
  result="Measured $(date -u +%Y-%m-%d) on $(nproc) shared cores, \`bench/submissions/run.sh --reads --seconds $seconds --warmup $warmup --connections $connections\`:

| request | requests/s | app CPU per request (ms) |
|---|---:|---:|
${rows%$'\n'}"
  echo "$result"
  write_block reads "$result"
  exit 0
fi

url="$base/api/v1/forms/bench-ten-fields/submissions"
export BENCH_BODY="$here/body.json"
code=$(curl -s -o /dev/null -w '%{http_code}' -X POST -H 'Content-Type: application/json' --data-binary @"$BENCH_BODY" "$url")
[ "$code" = 201 ] || { echo "bench: a submission was answered $code, not 201" >&2; exit 1; }

rps() { awk '/Requests\/sec/ {print $2}'; }
non2xx() { awk '/Non-2xx/ {print $5} END {}' ; }
# Long enough for tiered compilation to finish on both endpoints: shorter warm-ups left the JIT
# busy (a quarter of the CPU in a perf profile) while the submissions were measured.
echo "bench: warming up (${warmup}s each)…" >&2
wrk -t2 -c"$connections" -d"${warmup}s" "$base/healthz" >/dev/null
wrk -t2 -c"$connections" -d"${warmup}s" -s "$here/post.lua" "$url" >/dev/null
echo "bench: measuring throughput (${seconds}s each, $connections connections)…" >&2
health_out=$(wrk -t2 -c"$connections" -d"${seconds}s" --latency "$base/healthz")
submit_out=$(wrk -t2 -c"$connections" -d"${seconds}s" --latency -s "$here/post.lua" "$url")
health=$(echo "$health_out" | rps)
submit=$(echo "$submit_out" | rps)
if echo "$submit_out" | grep -q "Non-2xx"; then echo "bench: some submissions failed:" >&2; echo "$submit_out" >&2; exit 1; fi
ratio=$(python3 -c "print(f'{$submit/$health:.2f}')")

echo "bench: measuring latency at $rate submissions/s offered (${seconds}s)…" >&2
# hey's workers each send at rate/workers per second on tickers that start together and stay in
# phase, so the load arrives in bursts of one request per worker. 50 workers made bursts of 50
# requests every 50 ms, and the queue behind each burst dominated p50 (measured 17.6 ms against
# 9.6 ms with 20 workers). 20 workers keep the achieved rate within 2% of the offered one
# (982–991/s of 1,000 in the runs of 2026-11-27); 10 workers fell behind it (968/s).
latency_out=$(hey -z "${seconds}s" -c $workers -q $((rate / workers)) -m POST -T application/json -D "$BENCH_BODY" "$url")
p50=$(echo "$latency_out" | awk '/50% in/ {printf "%.1f", $3*1000}')
p99=$(echo "$latency_out" | awk '/99% in/ {printf "%.1f", $3*1000}')
achieved=$(echo "$latency_out" | awk '/Requests\/sec/ {printf "%.0f", $2}')
# Status code distribution lines look like "  [201]	14936 responses" (histogram lines have a bar instead).
statuses=$(echo "$latency_out" | awk '/^ *\[[0-9]+\][ \t]+[0-9]+ responses/ {printf "%s%s %s", sep, $1, $2; sep=", "}')

cores=$(nproc)
result=$(cat <<MD
Measured $(date -u +%Y-%m-%d) on $cores shared cores (app, load generator and database on the same machine),
\`bench/submissions/run.sh --seconds $seconds --rate $rate --connections $connections --warmup $warmup --workers $workers\`:

| measure | result |
|---|---|
| /healthz (trivial endpoint), requests/s | $health |
| submissions (10-field form, SQLite synchronous=FULL), durable/s | $submit |
| **ratio submissions / trivial** | **$ratio** (aim ≥ 0.5) |
| offered load for latency | $rate submissions/s (achieved $achieved/s; responses $statuses) |
| **p50 / p99 latency at that load** | **$p50 ms / $p99 ms** (aim p99 < 50 ms) |
MD
)
echo "$result"
write_block submissions "$result"
