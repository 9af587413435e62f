#!/usr/bin/env bash
# Instructions per request under callgrind: the steady figure behind the benchmark's noisy rps.
#
#   bench/profile.sh            GET and POST, gptom-mock and the bare-axum ceiling
#   bench/profile.sh get ours   one operation, one server
#
# Builds release binaries with debug info into target/profile (not the benchmark's binaries),
# starts the server under valgrind, warms it up, zeroes the counters, runs a fixed wrk -c4 load for
# PROFILE_SECONDS (5) and divides the instructions by the requests answered. The dumps stay in
# bench/results/callgrind.* for callgrind_annotate. Installs valgrind and wrk (Debian) if missing.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
RESULTS="$HERE/results"
SECONDS_LOAD="${PROFILE_SECONDS:-5}"
OPERATIONS="${1:-get post}"
SERVERS="${2:-ours ceiling}"
PORT=18310
mkdir -p "$RESULTS"

for tool in valgrind wrk; do
  if ! command -v "$tool" >/dev/null; then
    echo "== installing $tool (Debian)" >&2
    apt-get update -qq && apt-get install -y -qq "$tool" >/dev/null
  fi
done

echo "== building release binaries with debug info (target/profile)" >&2
(cd "$ROOT" && CARGO_PROFILE_RELEASE_DEBUG=true CARGO_TARGET_DIR="$ROOT/target/profile" \
  cargo build --release --quiet -p gptom-mock -p gptom-bench)
BIN="$ROOT/target/profile/release"

base="http://127.0.0.1:$PORT"
profile() { # profile OPERATION SERVER -> prints one line
  local operation="$1" server="$2" out="$RESULTS/callgrind.$1.$2" pid token task
  rm -f "$out" "$out".*
  if [[ "$server" == ceiling ]]; then
    valgrind --tool=callgrind --callgrind-out-file="$out" "$BIN/ceiling" "$PORT" >/dev/null 2>&1 &
  else
    valgrind --tool=callgrind --callgrind-out-file="$out" "$BIN/gptom-mock" --port "$PORT" \
      --log-level warn --seed 1 >/dev/null 2>&1 &
  fi
  pid=$!
  for _ in $(seq 1 300); do curl -sf -o /dev/null "$base/__mock/health" && break; sleep 0.1; done
  # The ceiling answers any token and task id with its fixed JSON; ours needs real ones.
  token="x"; task="00000000-0000-4000-8000-000000000001"
  if [[ "$server" == ours ]]; then
    token="$("$BIN/driver" token "$base")"
    task="$(curl -s -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
      -d '{"transactionType":"SALE","amount":1000,"currencyCode":"CZK","paymentMethod":"CARD"}' \
      "$base/v1/tasks/TRANSACTION" | python3 -c 'import json,sys;print(json.load(sys.stdin)["taskId"])')"
  fi
  load() { # load SECONDS -> requests answered
    if [[ "$operation" == get ]]; then
      wrk -t1 -c4 -d"$1s" -H "Authorization: Bearer $token" "$base/v1/tasks/$task"
    else
      wrk -t1 -c4 -d"$1s" -H "Authorization: Bearer $token" -s "$HERE/post.lua" "$base/v1/tasks/TRANSACTION"
    fi | awk '/requests in/ {print $1}'
  }
  load 2 >/dev/null
  callgrind_control -z "$pid" >/dev/null 2>&1
  local requests; requests="$(load "$SECONDS_LOAD")"
  callgrind_control -d "$pid" >/dev/null 2>&1
  sleep 1
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  local total
  total="$(callgrind_annotate "$out.1" 2>/dev/null | awk '/PROGRAM TOTALS/ {gsub(",", "", $1); print $1}')"
  awk -v op="$operation" -v s="$server" -v t="$total" -v n="$requests" \
    'BEGIN { printf "%-4s %-8s %8d requests %8.0f instructions/request\n", op, s, n, (n > 0 ? t / n : 0) }'
}

for operation in $OPERATIONS; do
  for server in $SERVERS; do profile "$operation" "$server"; done
done
