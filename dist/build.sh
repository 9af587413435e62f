#!/usr/bin/env bash
# The release binary of gptom-mock for Linux x86_64, statically linked (glibc's static libc, so it
# runs in an empty container and on any distribution), packed as a tarball with its SHA-256.
#
#   bash dist/build.sh      # → dist/out/gptom-mock-<version>-x86_64-linux.tar.gz and .sha256
#
# `gptom-mock --version` names the version and the commit. Other targets (macOS, Windows, aarch64)
# are cross builds in .github/workflows/release.yml; only this one is built and tested here.
set -euo pipefail
cd "$(dirname "$0")/.."

# shellcheck source=dist/env.sh
source dist/env.sh
name="gptom-mock-$version-x86_64-linux"

echo "== building gptom-mock $version ($commit) for $TARGET, statically linked"
cargo build --release --locked -p gptom-mock --bin gptom-mock --target "$TARGET"
binary="target/$TARGET/release/gptom-mock"
if readelf -l "$binary" | grep -q "program interpreter"; then
  echo "error: $binary is dynamically linked (it names a program interpreter)" >&2
  exit 1
fi

out=dist/out
rm -rf "$out/$name"
mkdir -p "$out/$name"
cp "$binary" "$out/$name/gptom-mock"
strip "$out/$name/gptom-mock" 2>/dev/null || true
cp README.md CHANGELOG.md "$out/$name/"
cp LICENSE* "$out/$name/" 2>/dev/null || true
cp "$out/$name/gptom-mock" "$out/gptom-mock"   # the image's build context (dist/Containerfile)
tar -C "$out" -czf "$out/$name.tar.gz" --owner=0 --group=0 --numeric-owner "$name"
(cd "$out" && sha256sum "$name.tar.gz" > "$name.tar.gz.sha256")
rm -rf "${out:?}/$name"
echo "== $out/$name.tar.gz ($(du -h "$out/$name.tar.gz" | cut -f1))"
cat "$out/$name.tar.gz.sha256"
