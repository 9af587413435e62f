#!/usr/bin/env bash
# Installs the packed npm packages into a new project, as a JavaScript user would, then: `npx
# gptom-mock` runs the binary, a payment + verify against it (dist/smoke.sh), and the example
# integration (examples/node, node's test runner with startGptomMock()) passes.
#
#   bash dist/build.sh && bash dist/npm.sh && bash dist/npm-smoke.sh
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=dist/env.sh
source dist/env.sh
ROOT=$PWD
PLACE=$(mktemp -d)
MOCK_PID=
trap '[ -n "$MOCK_PID" ] && kill "$MOCK_PID" 2>/dev/null; rm -rf "$PLACE"' EXIT

cp -r examples/node "$PLACE/project"
cd "$PLACE/project"
# The platform package first, so the launcher's optional dependency is already satisfied.
npm install --silent --no-audit --no-fund "$ROOT/dist/out/gptom-mock-linux-x64-$version.tgz" \
  "$ROOT/dist/out/gptom-mock-$version.tgz"
unset GPTOM_MOCK_BIN
echo "== installed the packed packages: npx gptom-mock --version → $(npx --no-install gptom-mock --version)"

# In the background through the package's launcher (npx itself does not pass signals on).
node_modules/.bin/gptom-mock --port 0 --port-file "$PLACE/port" --log-level warn > "$PLACE/mock.log" 2>&1 &
MOCK_PID=$!
npx --no-install gptom-mock wait --port-file "$PLACE/port" --timeout 20 >/dev/null
bash "$ROOT/dist/smoke.sh" "http://127.0.0.1:$(cat "$PLACE/port")"
kill "$MOCK_PID"; wait "$MOCK_PID" 2>/dev/null || true; MOCK_PID=
for _ in $(seq 50); do
  pgrep -f "$PLACE/project/node_modules/.*/gptom-mock --port 0" >/dev/null || break
  sleep 0.1
done
if pgrep -f "$PLACE/project/node_modules/.*/gptom-mock --port 0" >/dev/null; then
  echo "stopping the launcher left the binary running" >&2; exit 1
fi

start=$(date +%s%N)
node --test
echo "== examples/node with startGptomMock(): $(( ($(date +%s%N) - start) / 1000000 )) ms"

# The README's first tests, as written, in fresh projects: CommonJS (`npm init -y`) and ESM.
first_test() { # first_test MARKER FILE: the ```js block after <!-- first-test: MARKER -->
  awk -v marker="<!-- first-test: $1 -->" '
    $0 == marker { found = 1; next }
    found && /^```js$/ { inside = 1; next }
    inside && /^```$/ { exit }
    inside { print }' "$ROOT/npm/gptom-mock/README.md" > "$2"
  [ -s "$2" ] || { echo "no first-test block '$1' in npm/gptom-mock/README.md" >&2; exit 1; }
}
for kind in cjs esm; do
  mkdir -p "$PLACE/first-$kind"
  cd "$PLACE/first-$kind"
  npm init -y >/dev/null
  if [ "$kind" = esm ]; then npm pkg set type=module; fi
  npm install --silent --no-audit --no-fund "$ROOT/dist/out/gptom-mock-linux-x64-$version.tgz" \
    "$ROOT/dist/out/gptom-mock-$version.tgz"
  first_test "$kind" first.test.js
  node --test
  echo "== npm/gptom-mock/README.md's first test ($kind) passed as written in a fresh project"
done
