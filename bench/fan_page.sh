#!/usr/bin/env bash
# The fan page under load, on PostgreSQL, with gunicorn started exactly as the Procfile says.
# Not a test: it prints figures. Targets (2 cores): the pre-save page reaches >= 0.8 of a
# trivial route's requests/s and at least a static file's, with p99 < 50 ms; the visit beacon >= 2,000 requests/s;
# >= 500 email signups/s; a 1,000,000-signup
# CSV export in < 60 s with < 50 MB RSS growth in the web worker. Last, the Subscribers tab's
# first and last page on that campaign (keyset pagination: the same cost).
#
#   bench/fan_page.sh            (from the repository root; `make test` or `make dev` made .venv)
#
# Settings (environment): BENCH_DATABASE (default postgresql://postgres@127.0.0.1:5432/bench_fan,
# dropped and created by this script), BENCH_REDIS (default redis://127.0.0.1:6379/5),
# DURATION (default 20s), CONNECTIONS (default 64), EXPORT_ROWS (default 1000000), PARTS (default
# "page beacon signups export": which parts run; bench/insights.py runs "page beacon" and "page").
# The trivial route is /healthz: the same app, one `SELECT 1` and one Redis PING, no template.
# A static file the app serves itself (/static/css/fan.css through WhiteNoise: no database,
# no template) runs too, as the floor of what a request through this app costs. Part 1 asks
# as browsers do (Accept-Encoding: br, gzip): the page is compressed by the app on each
# request, the static file is sent from its precompressed copy.
set -euo pipefail
cd "$(dirname "$0")/.."

DB_URL=${BENCH_DATABASE:-postgresql://postgres@127.0.0.1:5432/bench_fan}
REDIS=${BENCH_REDIS:-redis://127.0.0.1:6379/5}
DURATION=${DURATION:-20s}
CONNECTIONS=${CONNECTIONS:-64}
EXPORT_ROWS=${EXPORT_ROWS:-1000000}
PARTS=" ${PARTS:-page beacon signups export} "
part() { [[ $PARTS == *" $1 "* ]]; }
PY=.venv/bin/python
[ -x "$PY" ] || { echo "Run 'make test' (or 'make dev') first: it creates .venv." >&2; exit 1; }
export PATH="$PWD/.venv/bin:$PATH"

if ! command -v wrk >/dev/null; then
  echo "Installing wrk from Debian's packages..."
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null 2>&1 ||
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
fi

source bench/web.sh

# Local-run secrets go to a throwaway instance folder. PLATFORM_MODE=live keeps the simulator
# out of the app; FLASK_DEBUG=0 runs it as production does. Signups come from one address here,
# so the per-IP limit is raised (still counted in Redis on every post) rather than switched off.
export DATABASE_URL="$DB_URL" REDIS_URL="$REDIS" DROPDAY_ENV=development FLASK_DEBUG=0 \
  PLATFORM_MODE=live DROPDAY_INSTANCE="$WORK/instance" UPLOAD_FOLDER="$WORK/uploads" \
  PUBLIC_URL="$BASE" PORT SIGNUP_RATE_LIMIT="1000000 per minute"

WRK_HEADERS=()
load() { echo "  load: $(uptime | sed 's/.*load average/load average/') on $(nproc) cores"; }

echo "== Set-up: migrations (the Procfile's release line), seed data"
bash -c "$(sed -n 's/^release: //p' Procfile)" >"$WORK/release.log" 2>&1 || { cat "$WORK/release.log"; exit 1; }
IDS=$($PY bench/fan_bench.py seed)
PAGE_ID=$($PY -c "import json,sys; print(json.loads(sys.argv[1])['bench-release'])" "$IDS")
EXPORT_ID=$($PY -c "import json,sys; print(json.loads(sys.argv[1])['bench-export'])" "$IDS")

start_web
curl -fsS -o /dev/null "$BASE/bench-release" || { cat "$WORK/web.log"; exit 1; }
WORKERS=$(pgrep -d, -P "$WEB_PID")
echo "  gunicorn master $WEB_PID, workers $WORKERS"

# CPU time (ms) the web processes have used so far: with other work on the machine, the CPU a
# request costs is a steadier figure than requests/s.
web_cpu_ms() {
  local ticks=0 pid
  for pid in $WEB_PID ${WORKERS//,/ }; do
    ticks=$((ticks + $(awk '{print $14 + $15}' "/proc/$pid/stat")))
  done
  echo $((ticks * 1000 / $(getconf CLK_TCK)))
}

# wrk's figures: requests/s and the 99th percentile latency in ms.
run_wrk() {  # name url [lua script [its arguments...]]
  local name=$1 url=$2; shift 2
  local script=()
  if [ $# -gt 0 ]; then script=(-s "$1"); shift; fi
  local key=${name//[^a-z]/_}
  local out="$WORK/$key.txt"
  local cpu_before cpu_after requests
  cpu_before=$(web_cpu_ms)
  wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --latency "${WRK_HEADERS[@]}" "${script[@]}" "$url" -- "$@" >"$out"
  cpu_after=$(web_cpu_ms)
  local rps p99 bad
  requests=$(awk '/requests in/ {print $1}' "$out")
  rps=$(awk '/^Requests\/sec:/ {print $2}' "$out")
  p99=$(awk '$1 == "99%" {v=$2; if (v ~ /us$/) {sub(/us$/,"",v); v/=1000} else if (v ~ /ms$/) {sub(/ms$/,"",v)} else if (v ~ /s$/) {sub(/s$/,"",v); v*=1000}; print v}' "$out")
  bad=$(awk '/Non-2xx or 3xx responses:/ {print $5}' "$out")
  local cpu
  cpu=$(awk -v ms=$((cpu_after - cpu_before)) -v n="$requests" 'BEGIN {printf "%.2f", ms / n}')
  printf '  %-34s %8.0f req/s   p99 %7.1f ms   web CPU %5.2f ms/request%s\n' \
    "$name" "$rps" "$p99" "$cpu" "${bad:+   ($bad non-2xx/3xx)}"
  eval "${key}_rps=$rps ${key}_p99=$p99 ${key}_cpu=$cpu"
}

if part page; then
echo
echo "== Part 1: pre-save page vs trivial route ($CONNECTIONS connections, $DURATION each, compressed)"
WRK_HEADERS=(-H "Accept-Encoding: br, gzip")
curl -fsS -o /dev/null -w '  page as sent: %{size_download} bytes (brotli)\n' -H "Accept-Encoding: br, gzip" "$BASE/bench-release"
load
wrk -t2 -c"$CONNECTIONS" -d3s "$BASE/bench-release" >/dev/null  # warm both workers
wrk -t2 -c"$CONNECTIONS" -d3s "$BASE/healthz" >/dev/null
run_wrk "trivial /healthz" "$BASE/healthz"
run_wrk "pre-save page /bench-release" "$BASE/bench-release"
run_wrk "static file /static/css/fan.css" "$BASE/static/css/fan.css"
$PY -c "
import sys
page, trivial, p99, page_cpu, trivial_cpu, static, static_cpu = map(float, sys.argv[1:])
print(f'  ratio page/trivial: {page / trivial:.2f} req/s   (target >= 0.8); page p99 {p99:.1f} ms (target < 50 ms)')
print(f'  ratio by web CPU per request (trivial/page): {trivial_cpu / page_cpu:.2f}')
print(f'  ratio page/static file: {page / static:.2f} req/s, by web CPU {static_cpu / page_cpu:.2f}')
" "$pre_save_page__bench_release_rps" "$trivial__healthz_rps" "$pre_save_page__bench_release_p99" \
  "$pre_save_page__bench_release_cpu" "$trivial__healthz_cpu" \
  "$static_file__static_css_fan_css_rps" "$static_file__static_css_fan_css_cpu"
load

WRK_HEADERS=()
fi

if part beacon; then
echo
echo "== Part 1b: counting visits (the beacon each page view sends; target >= 2,000 req/s)"
# Warmed like the page: each process meets the 1,000 user agents (bot and device checks are
# cached per agent) and writes the day's first digests once.
wrk -t2 -c"$CONNECTIONS" -d3s -s bench/beacon.lua "$BASE/bench-release/v" >/dev/null
run_wrk "visit beacon /bench-release/v" "$BASE/bench-release/v" bench/beacon.lua
part page && $PY -c "
import sys
page, page_cpu, beacon, beacon_cpu = map(float, sys.argv[1:])
print(f'  page views/s with their beacon, by web CPU: {1000 / (page_cpu + beacon_cpu) * 2:.0f} '
      f'(page alone {1000 / page_cpu * 2:.0f}; counting costs {beacon_cpu / (page_cpu + beacon_cpu):.0%})')
print('  the page itself counts nothing (a cache may answer it): its own req/s is Part 1')
" "$pre_save_page__bench_release_rps" "$pre_save_page__bench_release_cpu" \
  "$visit_beacon__bench_release_v_rps" "$visit_beacon__bench_release_v_cpu"
load
fi

if part signups; then
echo
echo "== Part 2: email signups, unique addresses ($CONNECTIONS connections, $DURATION)"
FORM=$(curl -fsS "$BASE/bench-release/email/spotify")
TOKEN=$(printf '%s' "$FORM" | sed -n 's/.*name="form_token" value="\([^"]*\)".*/\1/p' | head -1)
CONSENT=$(printf '%s' "$FORM" | sed -n 's/.*name="consent_version" value="\([^"]*\)".*/\1/p' | head -1)
[ -n "$TOKEN" ] && [ -n "$CONSENT" ] || { echo "no form token on the email form" >&2; exit 1; }
BEFORE=$($PY bench/fan_bench.py count "$PAGE_ID")
load
STARTED=$(date +%s.%N)
run_wrk "signup POST /bench-release/signup" "$BASE/bench-release/signup" \
  bench/signup.lua "$TOKEN" "$CONSENT" "$BASE" "$$"
ENDED=$(date +%s.%N)
AFTER=$($PY bench/fan_bench.py count "$PAGE_ID")
$PY -c "
import sys
before, after, started, ended = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
print(f'  signups recorded: {after - before:,} in {ended - started:.1f} s = {(after - before) / (ended - started):.0f} signups/s   (target >= 500/s)')
" "$BEFORE" "$AFTER" "$STARTED" "$ENDED"
load

fi

if part export; then
echo
echo "== Part 3: CSV export of $EXPORT_ROWS signups over HTTP"
SEED_START=$(date +%s.%N)
$PY bench/fan_bench.py signups "$EXPORT_ID" "$EXPORT_ROWS"
echo "  seeded with generate_series in $($PY -c "import sys, time; print(f'{time.time() - float(sys.argv[1]):.1f}')" "$SEED_START") s"
load
$PY bench/fan_bench.py export "$BASE" "$EXPORT_ID" "$WORKERS"
load

echo
echo "== Subscribers tab on that campaign: page 1 vs the last page (keyset pagination)"
DEEP=$($PY bench/fan_bench.py deep-cursor "$EXPORT_ID")
$PY bench/fan_bench.py pages "$BASE" "$EXPORT_ID" "$DEEP"
load
fi
