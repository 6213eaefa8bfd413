#!/usr/bin/env bash
# Artwork from the database backend under load, against the same app's static-file route.
# Not a test: it prints figures. Target: /media/artwork/<key>-page.jpg with MEDIA_STORAGE=database
# reaches >= 0.8 of /static/css/fan.css (WhiteNoise: no database, no template) in requests/s at
# 64 connections, with gunicorn started as the Procfile says, on PostgreSQL. Every artwork
# request but the revalidation's is a full one (no If-None-Match), as a CDN's first fetch or a
# new browser would make. It runs twice: with each process's memory of small renditions
# (MEDIA_CACHE_MB as set, 32 by default), then cold (MEDIA_CACHE_MB=0: every answer reads
# PostgreSQL, one query per 256 KB chunk).
#
#   bench/media.sh            (from the repository root; `make test` or `make dev` made .venv)
#
# Settings (environment): BENCH_DATABASE (default postgresql://postgres@127.0.0.1:5432/bench_media,
# dropped and created by this script), BENCH_REDIS (default redis://127.0.0.1:6379/5),
# DURATION (default 15s), CONNECTIONS (default 64), PY (default .venv/bin/python).
set -euo pipefail
cd "$(dirname "$0")/.."

DB_URL=${BENCH_DATABASE:-postgresql://postgres@127.0.0.1:5432/bench_media}
REDIS=${BENCH_REDIS:-redis://127.0.0.1:6379/5}
DURATION=${DURATION:-15s}
CONNECTIONS=${CONNECTIONS:-64}
PY=${PY:-.venv/bin/python}
[ -x "$PY" ] || { echo "Run 'make test' (or 'make dev') first: it creates .venv." >&2; exit 1; }
export PATH="$(dirname "$PY"):$PATH"
command -v wrk >/dev/null || { echo "wrk is needed (apt-get install wrk)." >&2; exit 1; }

source bench/web.sh

# No UPLOAD_FOLDER and MEDIA_STORAGE=database: artwork lives only in PostgreSQL.
export DATABASE_URL="$DB_URL" REDIS_URL="$REDIS" DROPDAY_ENV=development FLASK_DEBUG=0 \
  PLATFORM_MODE=live DROPDAY_INSTANCE="$WORK/instance" MEDIA_STORAGE=database PORT
unset UPLOAD_FOLDER

echo "== Set-up: migrations, one artwork stored in the database"
bash -c "$(sed -n 's/^release: //p' Procfile)" >"$WORK/release.log" 2>&1 || { cat "$WORK/release.log"; exit 1; }
KEY=$($PY - <<'PY'
import io
from PIL import Image, ImageDraw
from app import create_app
from app.campaigns.artwork import process_artwork
from app.media.storage import storage

# A photo-like cover: gradients and shapes, so the JPEG is of a realistic size.
image = Image.new("RGB", (1600, 1600))
draw = ImageDraw.Draw(image)
for y in range(1600):
    draw.line([(0, y), (1600, y)], fill=(y % 256, (y * 3) % 256, (255 - y) % 256))
for n in range(60):
    draw.ellipse([n * 23, n * 17, n * 23 + 300, n * 17 + 200], outline=(n * 4, 200, 90), width=9)
buffer = io.BytesIO()
image.save(buffer, "PNG")
with create_app().app_context():
    print(process_artwork(io.BytesIO(buffer.getvalue()), storage())[0])
PY
)

MEMORY_MB=${MEDIA_CACHE_MB:-32}
start_web
ARTWORK="$BASE/media/artwork/$KEY-page.jpg"
STATIC=$(curl -fsS "$BASE/login" | grep -o '/static/css/[^"]*\.css' | head -1)
# A bigger static file too, nearer the artwork's size (WhiteNoise sends it uncompressed here).
BIG_STATIC=$(ls static/vendor/htmx-*/htmx.min.js | head -1 | sed 's|^|/|')
curl -fsS -o /dev/null -w "  artwork page.jpg: %{size_download} bytes\n" "$ARTWORK" || { cat "$WORK/web.log"; exit 1; }
curl -fsS -o /dev/null -w "  static file $STATIC: %{size_download} bytes\n" "$BASE$STATIC"
curl -fsS -o /dev/null -w "  static file $BIG_STATIC: %{size_download} bytes\n" "$BASE$BIG_STATIC"
echo "  load: $(uptime | sed 's/.*load average/load average/') on $(nproc) cores"

run_wrk() {  # name url
  local out="$WORK/$1.txt"
  wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --latency ${WRK_SCRIPT:+-s "$WRK_SCRIPT"} "$2" >"$out"
  local rps p99
  rps=$(awk '/^Requests\/sec:/ {print $2}' "$out")
  p99=$(awk '$1 == "99%" {print $2}' "$out")
  printf '  %-26s %8.0f req/s   p99 %s%s\n' "$1" "$rps" "$p99" \
    "$(awk '/Non-2xx or 3xx responses:/ {print "   (" $5 " non-2xx/3xx)"}' "$out")"
  eval "${1//[^a-z]/_}_rps=$rps"
}

ETAG=$(curl -fsS -D - -o /dev/null "$ARTWORK" | awk -F': ' 'tolower($1) == "etag" {print $2}' | tr -d '\r')
cat >"$WORK/revalidate.lua" <<LUA
wrk.headers["If-None-Match"] = '$ETAG'
LUA

echo
echo "== $CONNECTIONS connections, $DURATION each"
run_wrk static "$BASE$STATIC"
run_wrk bigstatic "$BASE$BIG_STATIC"
echo "  -- artwork with each process's memory (MEDIA_CACHE_MB=$MEMORY_MB)"
run_wrk artwork "$ARTWORK"
memory_rps=$artwork_rps

echo "  -- artwork cold (MEDIA_CACHE_MB=0), after restarting the web processes"
kill -TERM "$WEB_PID" && wait "$WEB_PID" 2>/dev/null || true
export MEDIA_CACHE_MB=0
start_web
run_wrk artwork "$ARTWORK"
WRK_SCRIPT="$WORK/revalidate.lua" run_wrk revalidated "$ARTWORK"
echo "  load: $(uptime | sed 's/.*load average/load average/') on $(nproc) cores"
awk -v m="$memory_rps" -v a="$artwork_rps" -v s="$static_rps" -v b="$bigstatic_rps" 'BEGIN {
  printf "  artwork / static css: %.2f with the memory, %.2f cold (target >= 0.80)\n", m / s, a / s
  printf "  artwork / static js:  %.2f with the memory, %.2f cold\n", m / b, a / b
}'
