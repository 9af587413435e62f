#!/usr/bin/env bash
# Schemathesis (PyPI) against a running gptom-mock, driven by the mock's own OpenAPI document.
#
#   bash reliability/schemathesis.sh                 # CI size: 25 cases per operation, fixed seed
#   MAX_EXAMPLES=500 bash reliability/schemathesis.sh  # the long run
#
# Every check Schemathesis has runs (no 5xx, status codes, content types, headers and bodies as
# documented, schema-invalid input refused, undocumented methods answered 405 with `Allow`, auth
# enforced, stateful chains over the document's links) except `positive_data_acceptance`: a body can
# match the schema and still break one of GP tom's rules the schema cannot say (the currency must be
# the terminal's, `tid` must be the token's terminal), which the mock rightly refuses with a 400.
# The control plane's reads, whose rules the schema does say, run that check too (last run).
set -euo pipefail
cd "$(dirname "$0")/.."

BIN=${GPTOM_MOCK_BIN:-target/debug/gptom-mock}
MAX_EXAMPLES=${MAX_EXAMPLES:-25}
SEED=${SEED:-20261122}
ST_VERSION=4.32.5
VENV=${ST_VENV:-.tools/st-venv}
REPORTS=${REPORTS:-target/schemathesis}

if [ ! -x "$VENV/bin/st" ]; then
  echo "== installing schemathesis==$ST_VERSION into $VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$ST_VERSION"
fi
[ -x "$BIN" ] || cargo build --locked -p gptom-mock --bin gptom-mock

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
URL="http://127.0.0.1:$PORT"
"$BIN" --port "$PORT" --seed 7 --scenario scenarios/instant.yaml --log-level warn &
MOCK=$!
trap 'kill $MOCK 2>/dev/null || true' EXIT
for _ in $(seq 100); do
  curl -sf "$URL/__mock/health" >/dev/null && break
  sleep 0.05
done

mkdir -p "$REPORTS"
COMMON=(--max-examples "$MAX_EXAMPLES"
  --seed "$SEED" --max-redirects 0 --request-timeout 5 --workers 1 --no-color
  --suppress-health-check all --report junit)

status=0
run() { # run NAME [--all-checks] ARGS...: every check but positive_data_acceptance, or all of them
  local name=$1 checks=(--checks all --exclude-checks positive_data_acceptance)
  shift
  if [ "${1:-}" = --all-checks ]; then checks=(--checks all); shift; fi
  echo "== schemathesis: $name"
  if ! "$VENV/bin/st" run "$URL/openapi.json" "${COMMON[@]}" "${checks[@]}" \
      --report-junit-path "$REPORTS/$name.xml" "$@" 2>&1 | tee "$REPORTS/$name.txt" | tail -25; then
    status=1
  fi
  [ "${PIPESTATUS[0]}" = 0 ] || status=1
}

# The token endpoints take the integrator's Basic client credentials.
run oauth --include-path-regex '/oauth/token$' --auth atom:ashfuf4e5fa --phases examples,coverage,fuzzing
# The resource endpoints take a terminal's bearer token; deep links need none.
TOKEN=$(curl -sf -u atom:ashfuf4e5fa \
  -d 'grant_type=password&username=jan.novak%40example.com&password=ABCDEFGHIJKL&tid=999888' \
  "$URL/cloud/oauth/token" | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
run cloud-api --include-tag 'Cloud API' --include-tag 'App-to-app' --exclude-path-regex '/oauth/token$' \
  -H "Authorization: Bearer $TOKEN"
# The control plane (unlocked here); the live event stream never ends, so it is left out.
run control-plane --include-tag 'Control plane' --exclude-path /__mock/events \
  --phases examples,coverage,fuzzing

# Where the schema can say every rule — the control plane's reads — schema-valid requests must be
# accepted too (positive_data_acceptance, off above).
run control-plane-reads --all-checks --include-tag 'Control plane' \
  --exclude-method POST --exclude-method PUT --exclude-method DELETE \
  --exclude-path /__mock/events --exclude-path /__mock/ui --phases examples,coverage,fuzzing

curl -sf "$URL/__mock/health" >/dev/null || { echo "the mock is no longer healthy"; status=1; }
exit $status
