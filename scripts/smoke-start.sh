#!/usr/bin/env bash
# Starts the built hub the way a newcomer does: no environment, no .env, no DATABASE_URL (so the embedded
# database), in an empty directory. Checks health, readiness and Swagger UI, then that SIGTERM shuts it
# down cleanly.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
port=${SMOKE_PORT:-39123}
log="$work/hub.log"
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$work"' EXIT

cd "$work"
env -i PATH="$PATH" HOME="$work" PORT="$port" HOST=127.0.0.1 node "$root/dist/main.js" >"$log" 2>&1 &
pid=$!

base="http://127.0.0.1:$port"
for _ in $(seq 1 60); do
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
# Nest re-raises the signal after its shutdown hooks ran, so 143 (128 + SIGTERM) is the clean outcome.
if [ "$status" -ne 0 ] && [ "$status" -ne 143 ] || ! grep -q 'Database connections closed' "$log"; then
  cat "$log"
  echo "the hub did not shut down cleanly on SIGTERM (exit $status)" >&2
  exit 1
fi
grep -q 'embedded PostgreSQL' "$log"
echo "smoke test passed: health, readiness (embedded), Swagger UI, clean SIGTERM shutdown"
