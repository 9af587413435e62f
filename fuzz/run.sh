#!/usr/bin/env bash
# cargo-fuzz (libFuzzer) over the parsers of gptom-mock that take outside input.
#
#   bash fuzz/run.sh --smoke        # CI: unoptimised, no sanitizer, 20 s per target
#   SECONDS_PER_TARGET=600 bash fuzz/run.sh   # the long run: optimised, AddressSanitizer
#
# The committed seed corpus (fuzz/corpus/<target>) is read, never written: new inputs go to a
# scratch folder; crashes land in fuzz/artifacts/<target> and fail the run.
# The project is safe Rust on the stable toolchain; cargo-fuzz passes rustc a few -Z flags, which
# RUSTC_BOOTSTRAP=1 allows on stable, so no nightly toolchain is needed.
set -euo pipefail
cd "$(dirname "$0")"
export RUSTC_BOOTSTRAP=1

MODE=(-O)
SECONDS_PER_TARGET=${SECONDS_PER_TARGET:-120}
if [ "${1:-}" = "--smoke" ]; then
  MODE=(--dev --sanitizer none)
  SECONDS_PER_TARGET=${SMOKE_SECONDS:-20}
fi
TARGETS=(scenario_yaml deep_link task_body http_request)

if ! command -v cargo-fuzz >/dev/null; then
  echo "== installing cargo-fuzz 0.13.2 (crates.io)"
  cargo install cargo-fuzz --locked --version 0.13.2 --quiet
fi
echo "== building the fuzz targets (${MODE[*]})"
cargo fuzz build "${MODE[@]}"

SCRATCH=$(mktemp -d)
trap 'rm -rf "$SCRATCH"' EXIT
status=0
printf '%-14s %10s %8s %6s\n' target executions exec/s crashes > "$SCRATCH/table"
for target in "${TARGETS[@]}"; do
  mkdir -p "$SCRATCH/$target" "artifacts/$target"
  echo "== fuzzing $target for ${SECONDS_PER_TARGET}s"
  log="$SCRATCH/$target.log"
  if cargo fuzz run "${MODE[@]}" "$target" "$SCRATCH/$target" "corpus/$target" -- \
      -max_total_time="$SECONDS_PER_TARGET" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
      >"$log" 2>&1; then
    crashes=0
  else
    crashes=1
    status=1
    grep -E "panicked|ERROR|SUMMARY|Test unit written" "$log" | head -20 || true
  fi
  runs=$(grep -Eo 'stat::number_of_executed_units: *[0-9]+' "$log" | grep -Eo '[0-9]+$' || echo 0)
  speed=$(grep -Eo 'stat::average_exec_per_sec: *[0-9]+' "$log" | grep -Eo '[0-9]+$' || echo 0)
  printf '%-14s %10s %8s %6s\n' "$target" "$runs" "$speed" "$crashes" >> "$SCRATCH/table"
done
echo "== fuzz summary"
cat "$SCRATCH/table"
exit $status
