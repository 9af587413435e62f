#!/usr/bin/env bash
# The Python wheel `gptom-mock`: the same static binary as dist/build.sh (on PATH once installed)
# plus the helper and pytest plugin of python/src, built by maturin (from PyPI, into .tools/).
#
#   bash dist/wheel.sh      # → dist/out/gptom_mock-<version>-py3-none-manylinux…_x86_64.whl
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=dist/env.sh
source dist/env.sh
VENV=.tools/maturin
if [ ! -x "$VENV/bin/maturin" ]; then
  echo "== installing maturin (PyPI) into $VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check "maturin>=1.5,<2"
fi
echo "== building the wheel of gptom-mock $version ($commit)"
rm -f dist/out/gptom_mock-*.whl
(cd python && "../$VENV/bin/maturin" build --release --locked --target "$TARGET" --out ../dist/out)
ls -l dist/out/gptom_mock-*.whl
