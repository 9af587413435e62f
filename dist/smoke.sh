#!/usr/bin/env bash
# One complete payment against a running gptom-mock, then its contract verdict: token → sale →
# poll → transaction → storno of it → poll → verify. Used by .ci/run against every artifact.
#
#   bash dist/smoke.sh http://127.0.0.1:PORT
#
# Exit 0 when every step answered as GP tom would and `verify` passed; otherwise the failing step.
set -euo pipefail
B=${1:?usage: smoke.sh BASE_URL}

fail() { echo "smoke: $*" >&2; exit 1; }
field() { sed -nE "s/.*\"$1\":\"?([^\",}]+)\"?.*/\1/p"; }
api() { curl -sS --fail-with-body -H "Authorization: Bearer $TOKEN" "$@"; }
advance() { curl -sS --fail-with-body -H 'Content-Type: application/json' -d '{"seconds": 3}' "$B/__mock/clock/advance" >/dev/null; }

TOKEN=$(curl -sS --fail-with-body -u atom:ashfuf4e5fa -d grant_type=password \
  -d username=jan.novak@example.com -d password=ABCDEFGHIJKL -d tid=999888 \
  "$B/cloud/oauth/token" | field access_token)
[ -n "$TOKEN" ] || fail "no access_token"

# A transaction task, settled by moving the virtual clock, then polled once: prints the task.
run_task() {  # run_task WHAT BODY
  local id task
  id=$(api -H 'Content-Type: application/json' -d "$2" "$B/v1/tasks/TRANSACTION" | field taskId)
  [ -n "$id" ] || fail "the $1 made no task"
  advance
  task=$(api "$B/v1/tasks/$id")
  echo "$task" | grep -q '"state":"COMPLETED"' || fail "$1 task not COMPLETED: $task"
  echo "$task"
}

TASK=$(run_task sale '{"transactionType":"SALE","amount":1000,"currencyCode":"CZK","paymentMethod":"CARD"}')
TRANSACTION=$(echo "$TASK" | field transactionId)
PAYMENT=$(api "$B/v1/transactions/$TRANSACTION")
echo "$PAYMENT" | grep -q '"result":"ACCEPTED"' || fail "sale not ACCEPTED: $PAYMENT"

run_task storno '{"transactionType":"CANCEL","currencyCode":"CZK","cancelMode":"LAST_TRANSACTION"}' >/dev/null
PAYMENT=$(api "$B/v1/transactions/$TRANSACTION")
echo "$PAYMENT" | grep -q '"cancelled":true' || fail "the sale is not marked cancelled: $PAYMENT"

VERDICT=$(curl -sS --fail-with-body "$B/__mock/verify")
echo "$VERDICT" | grep -q '"passed":true' || fail "verify failed: $VERDICT"
echo "smoke: token → sale ACCEPTED → storno COMPLETED, sale cancelled → verify passed ($B)"
