#!/usr/bin/env bash
# Boots a built picloud binary from an empty directory and drives it with its
# own CLI: healthz → login → deploy → route → invoke → curl → logs → stop.
#   scripts/smoke-binary.sh dist/picloud-linux-x64
#   scripts/smoke-binary.sh dist/picloud-linux-arm64 --qemu   # needs qemu-user, libc6-arm64-cross
# Prints one PASS/FAIL line per check and exits non-zero if any failed.
set -u

if [ $# -lt 1 ]; then
  echo "usage: $0 <binary> [--qemu]" >&2
  exit 2
fi
BIN=$(readlink -f "$1")
QEMU=0
[ "${2:-}" = "--qemu" ] && QEMU=1
LABEL=$(basename "$BIN")$([ $QEMU = 1 ] && echo " (qemu)")
[ -x "$BIN" ] || { echo "FAIL [$LABEL] binary not found or not executable: $1"; exit 1; }

WORK=$(mktemp -d "${TMPDIR:-/tmp}/picloud-smoke.XXXXXX")
SERVER_PID=""
PASSED=0
FAILED=0
PASSWORD="smoke-$(date +%s)-pw"

cleanup() {
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID" 2>/dev/null
    sleep 1
    kill -KILL "$SERVER_PID" 2>/dev/null
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

pass() { echo "PASS [$LABEL] $1"; PASSED=$((PASSED + 1)); }
fail() {
  echo "FAIL [$LABEL] $1"
  FAILED=$((FAILED + 1))
  [ -n "${2:-}" ] && printf '%s\n' "$2" | sed 's/^/    /' | tail -n 20
}

run_bin() {
  if [ $QEMU = 1 ]; then qemu-aarch64 -L /usr/aarch64-linux-gnu "$BIN" "$@"; else "$BIN" "$@"; fi
}

# `exec`, so the background job's pid is the server's own and SIGTERM reaches it.
exec_bin() {
  if [ $QEMU = 1 ]; then exec qemu-aarch64 -L /usr/aarch64-linux-gnu "$BIN" "$@"; else exec "$BIN" "$@"; fi
}

# The CLI side: the binary itself, with its own config dir, never a developer's login.
cli() {
  HOME="$WORK/home" XDG_CONFIG_HOME="$WORK/home/.config" PICLOUD_URL= PICLOUD_TOKEN= run_bin "$@"
}

# A free loopback port: try random ones until nothing answers.
pick_port() {
  local p
  for _ in $(seq 1 50); do
    p=$((20000 + RANDOM % 40000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then echo "$p"; return; fi
  done
  echo 18080
}

PORT=$(pick_port)
URL="http://127.0.0.1:$PORT"
mkdir -p "$WORK/empty" "$WORK/home"
cd "$WORK/empty" || exit 1

# Boot from an empty directory: no node_modules, no source tree, data in ./data.
STARTED=$(date +%s.%N)
PORT=$PORT PICLOUD_HOST=127.0.0.1 PICLOUD_DATA_DIR="$WORK/empty/data" \
  PICLOUD_ADMIN_USERNAME=admin PICLOUD_ADMIN_PASSWORD="$PASSWORD" \
  PICLOUD_WORKERS=1 exec_bin serve >"$WORK/server.log" 2>&1 &
SERVER_PID=$!

HEALTH_TIMEOUT=$([ $QEMU = 1 ] && echo 600 || echo 120)
healthy=0
for _ in $(seq 1 $((HEALTH_TIMEOUT * 4))); do
  if [ "$(curl -fsS --max-time 2 "$URL/healthz" 2>/dev/null)" = "ok" ]; then healthy=1; break; fi
  kill -0 "$SERVER_PID" 2>/dev/null || break
  sleep 0.25
done
if [ $healthy = 1 ]; then
  pass "healthy after $(awk "BEGIN { printf \"%.1f\", $(date +%s.%N) - $STARTED }") s"
else
  fail "server did not become healthy within ${HEALTH_TIMEOUT}s" "$(cat "$WORK/server.log")"
  echo "$PASSED passed, $FAILED failed"
  exit 1
fi

out=$(printf 'admin\n%s\n' "$PASSWORD" | cli login --url "$URL" 2>&1)
if [ $? -eq 0 ]; then pass "login"; else fail "login" "$out"; fi

out=$(cli whoami -o tsv 2>&1)
if [ $? -eq 0 ] && printf '%s' "$out" | grep -q admin; then pass "whoami"; else fail "whoami" "$out"; fi

cat >"$WORK/smoke.ts" <<'TS'
// Deployed by scripts/smoke-binary.sh.
interface Greeting { hello: string; method: string }
export default {
  async fetch(req: Request): Promise<Response> {
    const body: Greeting = { hello: "smoke", method: req.method };
    console.log("smoke invoked");
    return Response.json(body);
  },
};
TS
out=$(cli scripts deploy "$WORK/smoke.ts" --app default -o tsv 2>&1)
if [ $? -eq 0 ] && printf '%s' "$out" | grep -q created; then pass "deploy script"; else fail "deploy script" "$out"; fi

# A changed file is a new version of the same script, not a second script.
echo "// v2" >>"$WORK/smoke.ts"
out=$(cli scripts deploy "$WORK/smoke.ts" --app default -o tsv 2>&1)
if [ $? -eq 0 ] && printf '%s' "$out" | grep -qP '^smoke\t2\tupdated\t'; then pass "redeploy bumps the version"; else fail "redeploy bumps the version" "$out"; fi

out=$(cli invoke smoke --data '{"x":1}' 2>&1)
if [ $? -eq 0 ] && printf '%s' "$out" | grep -q '"hello":"smoke"' && printf '%s' "$out" | grep -q POST; then
  pass "invoke"
else
  fail "invoke" "$out"
fi

out=$(cli routes add smoke /smoke --method GET -o tsv 2>&1)
if [ $? -eq 0 ]; then pass "route add"; else fail "route add" "$out"; fi

# The route table is rebuilt on change (asynchronously): give it a moment.
ok=0
for _ in $(seq 1 20); do
  out=$(curl -sS --max-time 10 -H 'Host: localhost' "$URL/smoke" 2>&1)
  if printf '%s' "$out" | grep -q '"hello":"smoke"'; then ok=1; break; fi
  sleep 0.5
done
if [ $ok = 1 ]; then pass "curl route"; else fail "curl route" "$out"; fi

ok=0
for _ in $(seq 1 20); do
  out=$(cli logs smoke -o tsv 2>&1)
  if [ "$(printf '%s\n' "$out" | wc -l)" -ge 3 ]; then ok=1; break; fi
  sleep 0.5
done
if [ $ok = 1 ]; then pass "logs"; else fail "logs" "$out"; fi

out=$(cli logout 2>&1)
if [ $? -eq 0 ]; then pass "logout"; else fail "logout" "$out"; fi

kill -TERM "$SERVER_PID"
stopped=0
for _ in $(seq 1 80); do
  if ! kill -0 "$SERVER_PID" 2>/dev/null; then stopped=1; break; fi
  sleep 0.25
done
if [ $stopped = 1 ]; then
  wait "$SERVER_PID"
  rc=$?
  SERVER_PID=""
  if [ $rc -eq 0 ]; then pass "clean stop on SIGTERM"; else fail "stop exited $rc" "$(tail -n 20 "$WORK/server.log")"; fi
else
  fail "server still running 20s after SIGTERM"
fi

echo "$PASSED passed, $FAILED failed"
[ $FAILED -eq 0 ]
