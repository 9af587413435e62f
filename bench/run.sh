#!/usr/bin/env bash
# The benchmark of gptom-mock, against the bare axum ceiling, WireMock and httpmock, in one run
# with alternating rounds. Loopback only; every load is bounded in time.
#
#   bench/run.sh            the full benchmark (installs wrk, WireMock from npm, httpmock from crates.io)
#   bench/run.sh --smoke    seconds long, ours and the ceiling only, no installs (CI)
#
# Knobs: DURATION (s per load, 10), ROUNDS (3), STARTUP_ROUNDS (5), CONC (32), FILL (1000000),
#        DISK_FILL (100000), INPROC (2000), PEERS ("ceiling wiremock wiremock-nj httpmock"),
#        SUBSCRIBERS (200).
# `durable` is gptom-mock with --data-dir (SQLite) in a fresh folder: measured in the same
# alternating rounds as the in-memory mock (`ours`), its ratio to it reported per round.
# Output: one table on stdout and in bench/results/latest.md.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
SHARED_PEERS="$ROOT/../shared/bench/peers"
TOOLS="$HERE/.tools"
RESULTS="$HERE/results"
mkdir -p "$TOOLS" "$RESULTS"

SMOKE=0
[[ "${1:-}" == "--smoke" ]] && SMOKE=1
if (( SMOKE )); then
  DURATION="${DURATION:-1}"; ROUNDS="${ROUNDS:-1}"; STARTUP_ROUNDS="${STARTUP_ROUNDS:-1}"
  FILL="${FILL:-2000}"; DISK_FILL="${DISK_FILL:-2000}"; INPROC="${INPROC:-20}"; PEERS="${PEERS:-ceiling}"; SUBSCRIBERS="${SUBSCRIBERS:-10}"
else
  DURATION="${DURATION:-10}"; ROUNDS="${ROUNDS:-3}"; STARTUP_ROUNDS="${STARTUP_ROUNDS:-5}"
  FILL="${FILL:-1000000}"; DISK_FILL="${DISK_FILL:-100000}"; INPROC="${INPROC:-2000}"; PEERS="${PEERS:-ceiling wiremock wiremock-nj httpmock}"; SUBSCRIBERS="${SUBSCRIBERS:-200}"
fi
CONC="${CONC:-32}"

log() { printf '== %s\n' "$*" >&2; }

# ---------------------------------------------------------------- tools
if (( ! SMOKE )); then
  if ! command -v wrk >/dev/null; then
    log "installing wrk (Debian)"; apt-get update -qq && apt-get install -y -qq wrk >/dev/null
  fi
  if [[ " $PEERS " == *" wiremock"* ]] && ! ls "$TOOLS"/npm/node_modules/wiremock/build/wiremock-standalone-*.jar >/dev/null 2>&1; then
    log "installing WireMock (npm package wiremock)"; npm install --silent --prefix "$TOOLS/npm" wiremock >/dev/null
  fi
  if [[ " $PEERS " == *" httpmock "* ]] && [[ ! -x "$TOOLS/cargo/bin/httpmock" ]]; then
    log "installing httpmock standalone (crates.io; a few minutes)"
    cargo install --quiet --root "$TOOLS/cargo" httpmock --features standalone
  fi
fi
USE_WRK=0; command -v wrk >/dev/null && USE_WRK=1

if (( SMOKE )); then
  # The smoke checks the script works end to end; debug binaries (already built by the tests) do.
  log "building debug binaries (smoke)"
  (cd "$ROOT" && cargo build --quiet -p gptom-mock -p gptom-bench)
  BIN="$ROOT/target/debug"
else
  log "building release binaries"
  (cd "$ROOT" && cargo build --release --quiet -p gptom-mock -p gptom-bench)
  BIN="$ROOT/target/release"
fi
DRIVER="$BIN/driver"
WIREMOCK_JAR="$(ls "$TOOLS"/npm/node_modules/wiremock/build/wiremock-standalone-*.jar 2>/dev/null | head -1 || true)"

port_of() { case "$1" in ours) echo 18190;; ceiling) echo 18185;; wiremock) echo 18181;; wiremock-nj) echo 18186;; httpmock) echo 18184;; fast) echo 18191;; durable) echo 18192;; fastdisk) echo 18193;; esac; }
DATA_DIRS="$(mktemp -d "${TMPDIR:-/tmp}/gptom-mock-bench-XXXXXX")"
cmd_of() {
  local port; port="$(port_of "$1")"
  case "$1" in
    ours) echo "$BIN/gptom-mock --port $port --log-level warn" ;;
    fast) echo "$BIN/gptom-mock --port $port --log-level warn --scenario $HERE/fast.yaml" ;;
    durable) echo "$BIN/gptom-mock --port $port --log-level warn --data-dir $DATA_DIRS/durable" ;;
    fastdisk) echo "$BIN/gptom-mock --port $port --log-level warn --scenario $HERE/fast.yaml --data-dir $DATA_DIRS/fastdisk" ;;
    ceiling) echo "$BIN/ceiling $port" ;;
    wiremock) echo "java -jar $WIREMOCK_JAR --port $port --bind-address 127.0.0.1 --root-dir $SHARED_PEERS/wiremock --disable-banner" ;;
    wiremock-nj) echo "java -jar $WIREMOCK_JAR --port $port --bind-address 127.0.0.1 --root-dir $SHARED_PEERS/wiremock --disable-banner --no-request-journal" ;;
    httpmock) echo "$TOOLS/cargo/bin/httpmock --port $port --mock-files-dir $SHARED_PEERS/httpmock --disable-access-log" ;;
  esac
}
probe_of() { case "$1" in ours|fast|durable|fastdisk|ceiling) echo /__mock/health;; *) echo /v1/tasks/probe;; esac; }
available() {
  case "$1" in
    wiremock|wiremock-nj) [[ -n "$WIREMOCK_JAR" ]] && command -v java >/dev/null ;;
    httpmock) [[ -x "$TOOLS/cargo/bin/httpmock" ]] ;;
    *) true ;;
  esac
}
SERVERS="ours durable"
for peer in $PEERS; do available "$peer" && SERVERS="$SERVERS $peer" || log "skipping $peer (not installed)"; done

declare -A PID
start() { # start NAME -> waits until it answers (bounded)
  local name="$1" port; port="$(port_of "$name")"
  # shellcheck disable=SC2046
  setsid $(cmd_of "$name") >"$RESULTS/$name.log" 2>&1 </dev/null &
  PID[$name]=$!
  for _ in $(seq 1 3000); do
    curl -s -o /dev/null -m 1 "http://127.0.0.1:$port$(probe_of "$name")" && return 0
    sleep 0.02
  done
  echo "$name did not start" >&2; return 1
}
stop() { # a paused (SIGSTOP) server acts on the TERM only once continued
  local pid="${PID[$1]:-}"
  [[ -n "$pid" ]] && { kill "$pid" 2>/dev/null || true; kill -CONT "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; }
  PID[$1]=""
}
stop_all() { for name in "${!PID[@]}"; do stop "$name"; done; }
trap 'stop_all; rm -rf "$DATA_DIRS"' EXIT
rss_kb() { awk '/^VmRSS/{print $2}' "/proc/${PID[$1]}/status" 2>/dev/null || echo 0; }
median() { sort -g | awk '{a[NR]=$1} END{ if (NR==0) {print "-"} else if (NR%2) {print a[(NR+1)/2]} else {print (a[NR/2]+a[NR/2+1])/2} }'; }

declare -A FIG   # FIG[name.metric] = space-separated samples

# ---------------------------------------------------------------- 1. cold start
log "cold start, $STARTUP_ROUNDS alternating rounds"
for _ in $(seq 1 "$STARTUP_ROUNDS"); do
  for name in $SERVERS; do
    port="$(port_of "$name")"
    # shellcheck disable=SC2046
    ms="$("$DRIVER" startup "$port" "$(probe_of "$name")" $(cmd_of "$name") | sed 's/startup_ms=//')"
    FIG[$name.startup]+="$ms "
  done
done

# ---------------------------------------------------------------- 2./3. GET and POST load
for name in $SERVERS; do start "$name"; FIG[$name.rss_idle]="$(rss_kb "$name")"; done
# Each gptom-mock signs its own tokens and holds its own tasks; the peers answer any.
declare -A TOKEN_OF TASK_OF
for name in ours durable; do
  TOKEN_OF[$name]="$("$DRIVER" token "http://127.0.0.1:$(port_of "$name")")"
  TASK_OF[$name]="$(curl -s -H "Authorization: Bearer ${TOKEN_OF[$name]}" -H 'Content-Type: application/json' \
    -d '{"transactionType":"SALE","amount":1000,"currencyCode":"CZK","paymentMethod":"CARD"}' \
    "http://127.0.0.1:$(port_of "$name")/v1/tasks/TRANSACTION" | python3 -c 'import json,sys;print(json.load(sys.stdin)["taskId"])')"
done
run_load() { # run_load NAME GET|POST -> "rps p50 p99"
  local name="$1" method="$2" url auth=() out
  local TOKEN="${TOKEN_OF[$name]:-${TOKEN_OF[ours]}}" TASK_ID="${TASK_OF[$name]:-${TASK_OF[ours]}}"
  if [[ "$method" == GET ]]; then url="http://127.0.0.1:$(port_of "$name")/v1/tasks/$TASK_ID"; else url="http://127.0.0.1:$(port_of "$name")/v1/tasks/TRANSACTION"; fi
  if (( USE_WRK )); then
    auth=(-H "Authorization: Bearer $TOKEN")
    if [[ "$method" == GET ]]; then out="$(wrk -t1 -c"$CONC" -d"${DURATION}s" --latency "${auth[@]}" "$url")"
    else out="$(wrk -t1 -c"$CONC" -d"${DURATION}s" --latency "${auth[@]}" -s "$HERE/post.lua" "$url")"; fi
    awk '
      function ms(v) { if (v ~ /us$/) return v/1000; if (v ~ /ms$/) return v+0; if (v ~ /s$/) return v*1000; return v }
      /^ +50%/ {p50=ms($2)} /^ +99%/ {p99=ms($2)} /Requests\/sec/ {rps=$2} /Non-2xx/ {bad=$NF}
      END {printf "%.0f %.2f %.2f\n", rps, p50, p99}' <<<"$out"
  else
    local body=""; [[ "$method" == POST ]] && body='{"transactionType":"SALE","amount":1000,"currencyCode":"CZK","paymentMethod":"CARD"}'
    out="$("$DRIVER" load "$method" "$url" "$DURATION" "$CONC" "$TOKEN" "$body")"
    sed -E 's/rps=([0-9.]+) p50_ms=([0-9.]+) p99_ms=([0-9.]+).*/\1 \2 \3/' <<<"$out"
  fi
}
log "load: $ROUNDS alternating rounds × ${DURATION}s GET then POST, concurrency $CONC ($( ((USE_WRK)) && echo wrk || echo driver))"
for method in GET POST; do
  key="$(tr '[:upper:]' '[:lower:]' <<<"$method")"
  for _ in $(seq 1 "$ROUNDS"); do
    for name in $SERVERS; do
      # Only the server under load runs: the others are stopped (SIGSTOP), so a JVM's JIT or
      # collector threads cannot take the CPU from whoever is measured next.
      for other in $SERVERS; do
        if [[ "$other" != "$name" ]]; then kill -STOP "${PID[$other]}" 2>/dev/null || true; fi
      done
      kill -CONT "${PID[$name]}" 2>/dev/null || true
      read -r rps p50 p99 < <(run_load "$name" "$method")
      FIG[$name.${key}_rps]+="$rps "; FIG[$name.${key}_p50]+="$p50 "; FIG[$name.${key}_p99]+="$p99 "
    done
  done
  for name in $SERVERS; do kill -CONT "${PID[$name]}" 2>/dev/null || true; FIG[$name.rss_$key]="$(rss_kb "$name")"; done
done
stop_all

# ---------------------------------------------------------------- 4. complete payments, 5. memory at scale
log "complete payments per second (tasks final at once)"
start fast
FAST_URL="http://127.0.0.1:$(port_of fast)"
FLOWS="$("$DRIVER" flows "$FAST_URL" "$DURATION" "$CONC")"
stop fast
log "store scaling: 1,000 then $FILL stored transactions"
start fast
"$DRIVER" fill "$FAST_URL" 1000 16 >/dev/null
FAST_TOKEN="$("$DRIVER" token "$FAST_URL")"
FAST_TASK="$(curl -s -H "Authorization: Bearer $FAST_TOKEN" -H 'Content-Type: application/json' -d '{"transactionType":"SALE","amount":1000,"currencyCode":"CZK","paymentMethod":"CARD"}' "$FAST_URL/v1/tasks/TRANSACTION" | python3 -c 'import json,sys;print(json.load(sys.stdin)["taskId"])')"
RSS_1K="$(rss_kb fast)"
GET_1K="$("$DRIVER" load GET "$FAST_URL/v1/tasks/$FAST_TASK" "$DURATION" "$CONC" "$FAST_TOKEN" | sed -E 's/rps=([0-9.]+).*/\1/')"
FILL_OUT="$("$DRIVER" fill "$FAST_URL" "$FILL" 32)"
RSS_FULL="$(rss_kb fast)"
GET_FULL="$("$DRIVER" load GET "$FAST_URL/v1/tasks/$FAST_TASK" "$DURATION" "$CONC" "$FAST_TOKEN" | sed -E 's/rps=([0-9.]+).*/\1/')"
COUNT="$(curl -s "$FAST_URL/__mock/health" | python3 -c 'import json,sys;print(json.load(sys.stdin)["store"]["transactions"])')"
stop fast

# ---------------------------------------------------------------- 5b. bytes on disk with --data-dir
log "--data-dir: $DISK_FILL stored transactions, bytes on disk"
start fastdisk
DISK_URL="http://127.0.0.1:$(port_of fastdisk)"
DISK_FILL_OUT="$("$DRIVER" fill "$DISK_URL" "$DISK_FILL" 32)"
DISK_COUNT="$(curl -s "$DISK_URL/__mock/health" | python3 -c 'import json,sys;print(json.load(sys.stdin)["store"]["transactions"])')"
stop fastdisk   # a graceful stop: the last commit, then SQLite folds its WAL into the database
DISK_BYTES="$(du -cb "$DATA_DIRS/fastdisk"/gptom-mock.sqlite3* | tail -1 | cut -f1)"

# ---------------------------------------------------------------- 6. live-page subscribers
# POST load with 0 and with $SUBSCRIBERS open /__mock/events streams (what a team's browser tabs
# cost), alternating, in the same run.
log "POST with 0 / $SUBSCRIBERS live-page subscribers, $ROUNDS alternating rounds"
start ours
TOKEN_OF[ours]="$("$DRIVER" token "http://127.0.0.1:$(port_of ours)")"
SUBS_PIDS=()
for _ in $(seq 1 "$ROUNDS"); do
  read -r rps _ p99 < <(run_load ours POST)
  FIG[subs0.rps]+="$rps "; FIG[subs0.p99]+="$p99 "
  for _ in $(seq 1 "$SUBSCRIBERS"); do
    curl -sN --max-time $((DURATION + 30)) "http://127.0.0.1:$(port_of ours)/__mock/events" >/dev/null 2>&1 &
    SUBS_PIDS+=("$!")
  done
  sleep 1
  read -r rps _ p99 < <(run_load ours POST)
  FIG[subsN.rps]+="$rps "; FIG[subsN.p99]+="$p99 "
  kill "${SUBS_PIDS[@]}" 2>/dev/null || true
  wait "${SUBS_PIDS[@]}" 2>/dev/null || true
  SUBS_PIDS=()
done
stop ours

# ---------------------------------------------------------------- 7. in-process library
log "in-process: $INPROC mocks started and stopped"
INPROC_OUT="$("$DRIVER" inproc "$INPROC")"

# ---------------------------------------------------------------- table
m() { echo "${FIG[$1]:-}" | tr ' ' '\n' | grep -v '^$' | median; }
# The spread of the rounds behind a median, " (lowest–highest)", or nothing for one round.
range() { sort -g | awk 'NR==1 {lo=$1} {hi=$1} END { if (NR>1) printf " (%s–%s)", lo, hi }'; }
ms() { echo "$(m "$1")$(echo "${FIG[$1]:-}" | tr ' ' '\n' | grep -v '^$' | range)"; } # median (spread)
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{ if (b+0>0 && a!="-") printf "%.2f", a/b; else printf "-" }'; }
# The median of per-round ratios: each round measures ours and the peer back to back, so a slow
# minute of a shared machine slows both and cancels out of that round's ratio.
paired_of() { # paired_of A B METRIC: the median over rounds of A's figure ÷ B's, with their spread
  local ratios
  ratios="$(paste -d' ' <(echo "${FIG[$1.$3]:-}" | tr ' ' '\n' | grep -v '^$') <(echo "${FIG[$2.$3]:-}" | tr ' ' '\n' | grep -v '^$') \
    | awk '$2>0 {printf "%.2f\n", $1/$2}')"
  echo "$(median <<<"$ratios" | awk '{ if ($1=="-") print "-"; else printf "%.2f", $1 }')$(grep -v '^$' <<<"$ratios" | range)"
}
paired() { paired_of ours "$2" "$1"; } # paired METRIC PEER
{
  echo "# gptom-mock benchmark"
  echo
  echo "$(date -u +%Y-%m-%d) · $(nproc) cores · $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs) · load generator $( ((USE_WRK)) && echo "wrk -t1 -c$CONC" || echo "driver (reqwest) c$CONC") · ${DURATION}s per load · medians of $ROUNDS alternating rounds (startup: $STARTUP_ROUNDS), the rounds' spread in brackets"
  echo
  echo "| server | startup ms | GET rps | GET p50 ms | GET p99 ms | POST rps | POST p50 ms | POST p99 ms | RSS idle MiB | RSS after GET | RSS after POST |"
  echo "|---|---|---|---|---|---|---|---|---|---|---|"
  for name in $SERVERS; do
    printf '| %s | %s | %s | %s | %s | %s | %s | %s | %.1f | %.1f | %.1f |\n' "$name" "$(m "$name.startup")" "$(ms "$name.get_rps")" "$(m "$name.get_p50")" "$(m "$name.get_p99")" \
      "$(ms "$name.post_rps")" "$(m "$name.post_p50")" "$(m "$name.post_p99")" \
      "$(awk -v k="${FIG[$name.rss_idle]}" 'BEGIN{print k/1024}')" "$(awk -v k="${FIG[$name.rss_get]}" 'BEGIN{print k/1024}')" "$(awk -v k="${FIG[$name.rss_post]}" 'BEGIN{print k/1024}')"
  done
  echo
  echo "| ours ÷ peer (GET/POST: median of per-round ratios) | startup | GET rps | POST rps |"
  echo "|---|---|---|---|"
  for name in $SERVERS; do
    [[ "$name" == ours || "$name" == durable ]] && continue
    printf '| %s | %s | %s | %s |\n' "$name" "$(ratio "$(m ours.startup)" "$(m "$name.startup")")" "$(paired get_rps "$name")" "$(paired post_rps "$name")"
  done
  echo
  echo "| --data-dir ÷ in memory (median of per-round ratios) | GET rps | POST rps |"
  echo "|---|---|---|"
  printf '| durable ÷ ours | %s | %s |\n' "$(paired_of durable ours get_rps)" "$(paired_of durable ours post_rps)"
  echo
  echo "| gptom-mock only | figure |"
  echo "|---|---|"
  echo "| complete payments (create → poll → read), c$CONC | $FLOWS |"
  echo "| stored transactions after filling | $COUNT ($FILL_OUT) |"
  echo "| RSS with 1,000 / $COUNT stored transactions | $((RSS_1K/1024)) MiB / $((RSS_FULL/1024)) MiB |"
  echo "| bytes per stored transaction (task + transaction + indexes) | $(awk -v a="$RSS_FULL" -v b="$RSS_1K" -v n="$COUNT" 'BEGIN{ if (n>1000) printf "%.0f", (a-b)*1024/(n-1000); else print "-" }') |"
  echo "| GET rps with 1,000 / $COUNT stored (driver load) | $GET_1K / $GET_FULL |"
  echo "| in-process mock (state + socket + serve + 1 request + shutdown) | $INPROC_OUT |"
  echo "| --data-dir: bytes on disk per stored transaction (with its task; SQLite, WAL folded) at $DISK_COUNT | $(awk -v a="$DISK_BYTES" -v n="$DISK_COUNT" 'BEGIN{ if (n>0) printf "%.0f", a/n; else print "-" }') ($DISK_FILL_OUT) |"
  echo "| POST rps (p99 ms) with 0 / $SUBSCRIBERS live-page subscribers | $(m subs0.rps) ($(m subs0.p99)) / $(m subsN.rps) ($(m subsN.p99)) |"
} | tee "$RESULTS/latest.md"
