#!/usr/bin/env bash
# Starts the built hub the way a newcomer does: no environment, no .env, no DATABASE_URL (so the embedded
# database), in an empty directory. Checks health, readiness, Swagger UI and the start-up line, then that
# SIGTERM shuts it down cleanly.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
port=${SMOKE_PORT:-39123}
log="$work/hub.log"
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$work"' EXIT

cd "$work"
env -i PATH="$PATH" HOME="$work" PORT="$port" HOST=127.0.0.1 node "$root/dist/hub.mjs" >"$log" 2>&1 &
pid=$!

base="http://127.0.0.1:$port"
# Up to 90 s: PGlite applies the migrations slowly on a busy machine (about 40 s seen at load 13 on 2 cores).
for _ in $(seq 1 180); do
  curl -fsS "$base/api/health" >/dev/null 2>&1 && break
  kill -0 "$pid" 2>/dev/null || { cat "$log"; echo "the hub exited during start-up" >&2; exit 1; }
  sleep 0.5
done
curl -fsS "$base/api/health" | grep -q '"status":"success"'
curl -fsS "$base/api/ready" | grep -q '"database":"embedded"'
curl -fsS "$base/api/docs" | grep -q 'swagger-ui'
curl -fsS "$base/api/docs-json" | grep -q '"openapi":"3'

kill -TERM "$pid"
status=0
wait "$pid" || status=$?
# After its shutdown hooks the hub exits with 0, once its last log lines are written.
if [ "$status" -ne 0 ] || ! grep -q 'Database connections closed' "$log"; then
  cat "$log"
  echo "the hub did not shut down cleanly on SIGTERM (exit $status)" >&2
  exit 1
fi
# The one start-up line names the URL and the database in use (here the embedded data directory).
grep -qF "Ananta Hub listening on http://127.0.0.1:$port with the embedded PostgreSQL (PGlite) in $(pwd -P)/data; API docs at" "$log" || {
  cat "$log"
  echo "the start-up line does not name the URL and the embedded database" >&2
  exit 1
}
echo "smoke test passed: health, readiness (embedded), Swagger UI, start-up line, clean SIGTERM shutdown"
