# Sourced by the benchmarks that load the web process (fan_page.sh, media.sh), after they set
# PY, DB_URL and REDIS: a throwaway folder (WORK), a free port (PORT, BASE), a fresh database of
# the benchmark's own (never another engineer's or the tests'), a flushed Redis db, and
# start_web, which runs the Procfile's web: line until the script exits.
WORK=$(mktemp -d "/tmp/bench-$(basename "$0" .sh).XXXXXX")
PORT=$($PY -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
BASE="http://127.0.0.1:$PORT"
WEB_PID=""
cleanup() {
  if [ -n "$WEB_PID" ] && kill -0 "$WEB_PID" 2>/dev/null; then
    kill -TERM "$WEB_PID"
    wait "$WEB_PID" 2>/dev/null || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

DB_NAME=${DB_URL##*/}
ADMIN_URL=${DB_URL%/*}/postgres
PGOPTIONS=--client-min-messages=warning psql -q "$ADMIN_URL" -c "DROP DATABASE IF EXISTS $DB_NAME" -c "CREATE DATABASE $DB_NAME"
$PY -c "import redis, sys; redis.Redis.from_url(sys.argv[1]).flushdb()" "$REDIS"

start_web() {
  echo "== Web: $(sed -n 's/^web: //p' Procfile)   (PORT=$PORT)"
  bash -c "exec $(sed -n 's/^web: //p' Procfile)" >"$WORK/web.log" 2>&1 &
  WEB_PID=$!
  for _ in $(seq 150); do
    curl -fsS -o /dev/null "$BASE/healthz" 2>/dev/null && break
    sleep 0.2
  done
}
