#!/usr/bin/env bash
# Runs every ```bash block of the user-facing docs as a user would paste it: each block on its own,
# in a fresh bash with `set -euo pipefail`, from the repository's root, in its own process group
# (whatever it leaves running is stopped afterwards). A block preceded by
# `<!-- doc-check: skip (why) -->` is not run. Fails when any block fails.
set -uo pipefail
cd "$(dirname "$0")/.."
FILES=(README.md docs/app2app.md docs/install.md scenarios/README.md fixtures/README.md)
SCRATCH=$(mktemp -d)
trap 'rm -rf "$SCRATCH"' EXIT
passed=0
failed=0
skipped=0
for file in "${FILES[@]}"; do
  [ -f "$file" ] || continue
  # Split the file's bash blocks into numbered scripts; a skip marker covers the next block.
  awk -v dir="$SCRATCH" -v base="$(echo "$file" | tr '/.' '__')" '
    /^<!-- doc-check: skip/ { skip = 1; next }
    /^```bash[[:space:]]*$/ && !inside { inside = 1; n++; name = sprintf("%s/%s-%02d.sh", dir, base, n);
      if (skip) { name = name ".skip" } skip = 0; printf "" > name; next }
    /^```/ && inside { inside = 0; close(name); next }
    inside { print >> name; next }
    NF { skip = (skip && /^[[:space:]]*$/) }
  ' "$file"
done
for block in "$SCRATCH"/*.sh "$SCRATCH"/*.sh.skip; do
  [ -e "$block" ] || continue
  label=$(basename "$block")
  if [[ "$block" == *.skip ]]; then
    echo "-- skip  $label"
    skipped=$((skipped + 1))
    continue
  fi
  echo "-- run   $label"
  { echo 'set -euo pipefail'; cat "$block"; } > "$block.run"
  setsid timeout 900 bash "$block.run" > "$block.log" 2>&1 &
  pid=$!
  wait "$pid"
  status=$?
  kill -TERM -- "-$pid" 2>/dev/null || true
  if [ "$status" -eq 0 ]; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    echo "-- FAILED $label (exit $status); the block and its output:"
    sed 's/^/   | /' "$block"
    sed 's/^/   > /' "$block.log" | tail -40
  fi
done
echo "docs: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
