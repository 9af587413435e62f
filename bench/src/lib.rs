//! Benchmark programs for gptom-mock; see `bench/run.sh`.
