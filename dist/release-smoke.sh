#!/usr/bin/env bash
# Installs the release tarball the way a user does — check its SHA-256, unpack it into a clean
# folder — then asks the binary its version, times a cold start to the first answer, and runs one
# complete payment and verify against it (dist/smoke.sh).
#
#   bash dist/build.sh && bash dist/release-smoke.sh
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=$PWD/dist/out
tarball=$(ls "$OUT"/gptom-mock-*-x86_64-linux.tar.gz)
PLACE=$(mktemp -d)
MOCK_PID=
trap '[ -n "$MOCK_PID" ] && kill "$MOCK_PID" 2>/dev/null; rm -rf "$PLACE"' EXIT

cp "$tarball" "$tarball.sha256" "$PLACE/"
(cd "$PLACE" && sha256sum --check --quiet "$(basename "$tarball").sha256" && tar -xzf "$(basename "$tarball")")
BIN=$(ls "$PLACE"/gptom-mock-*/gptom-mock)
version=$("$BIN" --version)
echo "== $version"
case "$version" in
  "gptom-mock $(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1) (commit "*")") ;;
  *) echo "--version does not name the version and the commit: $version" >&2; exit 1 ;;
esac

start=$(date +%s%N)
"$BIN" --port 0 --port-file "$PLACE/port" --log-level warn > "$PLACE/mock.log" 2>&1 &
MOCK_PID=$!
"$BIN" wait --port-file "$PLACE/port" --timeout 20 >/dev/null
echo "== cold start to the first answer: $(( ($(date +%s%N) - start) / 1000000 )) ms; binary $(du -h "$BIN" | cut -f1), tarball $(du -h "$tarball" | cut -f1)"
bash dist/smoke.sh "http://127.0.0.1:$(cat "$PLACE/port")"
