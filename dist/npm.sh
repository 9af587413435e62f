#!/usr/bin/env bash
# The npm packages, packed: `gptom-mock` (the `npx gptom-mock` launcher and `startGptomMock()`) and
# `@gptom-mock/linux-x64` (the static binary of dist/build.sh), the way esbuild ships its binaries.
#
#   bash dist/build.sh && bash dist/npm.sh   # → dist/out/gptom-mock-<v>.tgz, gptom-mock-linux-x64-<v>.tgz
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=dist/env.sh
source dist/env.sh
for manifest in npm/gptom-mock/package.json npm/linux-x64/package.json; do
  grep -q "\"version\": \"$version\"" "$manifest" || { echo "$manifest is not at version $version" >&2; exit 1; }
done
install -m 755 "dist/out/gptom-mock" npm/linux-x64/bin/gptom-mock
rm -f dist/out/gptom-mock-"$version".tgz dist/out/gptom-mock-linux-x64-"$version".tgz
(cd npm/linux-x64 && npm pack --silent --pack-destination ../../dist/out >/dev/null)
(cd npm/gptom-mock && npm pack --silent --pack-destination ../../dist/out >/dev/null)
rm -f npm/linux-x64/bin/gptom-mock
ls -l dist/out/gptom-mock-*"$version".tgz
