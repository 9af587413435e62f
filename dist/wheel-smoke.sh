#!/usr/bin/env bash
# Installs the built wheel into a fresh virtual environment, as a Python user would, then: the
# binary is on the venv's PATH and runs a payment + verify (dist/smoke.sh); the example
# integration (examples/python) passes under the pytest plugin with --gptom-verify and writes its
# contract JUnit report; and a test whose client polls too fast is failed by --gptom-verify, its
# state kept by --gptom-state-dir and imported into a new mock.
#
#   bash dist/build.sh && bash dist/wheel.sh && bash dist/wheel-smoke.sh
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
wheel=$(ls "$ROOT"/dist/out/gptom_mock-*.whl)
PLACE=$(mktemp -d)
MOCK_PID=
trap '[ -n "$MOCK_PID" ] && kill "$MOCK_PID" 2>/dev/null; rm -rf "$PLACE"' EXIT

python3 -m venv "$PLACE/venv"
"$PLACE/venv/bin/pip" install --quiet --disable-pip-version-check "$wheel" "pytest>=7"
export PATH="$PLACE/venv/bin:$PATH"
unset GPTOM_MOCK_BIN
echo "== installed $(basename "$wheel"): $(command -v gptom-mock) → $(gptom-mock --version)"

gptom-mock --port 0 --port-file "$PLACE/port" --log-level warn > "$PLACE/mock.log" 2>&1 &
MOCK_PID=$!
gptom-mock wait --port-file "$PLACE/port" --timeout 20 >/dev/null
bash dist/smoke.sh "http://127.0.0.1:$(cat "$PLACE/port")"
kill "$MOCK_PID"; MOCK_PID=

cp -r examples/python "$PLACE/example"
cd "$PLACE/example"
start=$(date +%s%N)
python -m pytest -q -p no:cacheprovider --gptom-verify --gptom-junit="$PLACE/contract.xml"
echo "== examples/python under the plugin: $(( ($(date +%s%N) - start) / 1000000 )) ms"
python - "$PLACE/contract.xml" <<'PY'
import sys, xml.etree.ElementTree as ElementTree
root = ElementTree.parse(sys.argv[1]).getroot()
suites = list(root)
assert root.tag == "testsuites" and len(suites) == 5, (root.tag, len(suites))
assert all(suite.get("failures") == "0" for suite in suites), [s.attrib for s in suites]
print(f"== contract report: {len(suites)} test suites, every rule passed")
PY

cat > test_hasty.py <<'PY'
from pos import Pos

def test_a_poller_that_hammers_the_api(gptom_mock):
    Pos(gptom_mock.url, sleep=lambda s: gptom_mock.advance(s), poll_interval=0.01).pay(1000)
PY
if python -m pytest -q -p no:cacheprovider --gptom-verify --gptom-state-dir="$PLACE/states" test_hasty.py > hasty.log 2>&1; then
  echo "--gptom-verify let a client that polls every 10 ms pass" >&2; cat hasty.log >&2; exit 1
fi
grep -q "broke GP tom's protocol" hasty.log && grep -q "poll-interval" hasty.log
# The failed test's state was kept, and a mock takes it back.
python - "$PLACE/states" <<'PY'
import json, os, sys
from gptom_mock import GptomMock
[name] = os.listdir(sys.argv[1])
state = json.load(open(os.path.join(sys.argv[1], name)))
assert state["format"] == "gptom-mock-state" and len(state["transactions"]) == 1, state.keys()
with GptomMock.start() as mock:
    assert mock.import_state(state)["transactions"] == 1
    assert mock.export_state()["transactions"] == state["transactions"]
print(f"== --gptom-state-dir kept the failed test's state ({name}); a new mock imported it")
PY
python -m pytest -q -p no:cacheprovider test_hasty.py > /dev/null   # without the flag it passes
echo "== --gptom-verify fails a test whose client polls every 10 ms (poll-interval), and only with the flag"

# The README's first test, as written, in a fresh virtual environment that installs the wheel
# with its `pytest` extra (no pytest asked for by hand).
python3 -m venv "$PLACE/first-venv"
"$PLACE/first-venv/bin/pip" install --quiet --disable-pip-version-check "${wheel}[pytest]"
mkdir -p "$PLACE/first" && cd "$PLACE/first"
awk -v marker="<!-- first-test: pytest -->" '
  $0 == marker { found = 1; next }
  found && /^```python$/ { inside = 1; next }
  inside && /^```$/ { exit }
  inside { print }' "$ROOT/python/README.md" > test_first.py
[ -s test_first.py ] || { echo "no first-test block in python/README.md" >&2; exit 1; }
"$PLACE/first-venv/bin/python" -m pytest -q -p no:cacheprovider test_first.py
echo "== python/README.md's first test passed as written in a fresh venv (gptom-mock[pytest])"
