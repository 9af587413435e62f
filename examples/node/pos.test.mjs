// The POS module's tests against gptom-mock with node's own test runner (`node --test`).
import { after, before, beforeEach, test } from "node:test";
import assert from "node:assert/strict";
import { startGptomMock } from "gptom-mock";
import { Pos } from "./pos.mjs";

let mock;
before(async () => {
  mock = await startGptomMock();
});
after(() => mock.stop());
beforeEach(async () => {
  await mock.reset();
  await mock.clearScenario();
});

// The POS waits between polls by moving the mock's virtual clock: no real sleeping.
const pos = (options = {}) => new Pos(mock.url, { sleep: (seconds) => mock.advance(seconds), ...options });

test("an approved card payment", async () => {
  const payment = await pos().pay(1000, "order-1");
  assert.equal(payment.taskState, "COMPLETED");
  assert.equal(payment.result, "ACCEPTED");
  assert.ok(payment.transaction.amsID);
  assert.equal((await mock.verify()).passed, true);
});

test("a declined card is reported, not retried", async () => {
  await mock.useScenario("declined");
  const payment = await pos().pay(1000);
  assert.deepEqual([payment.taskState, payment.result], ["COMPLETED", "DECLINED"]);
  const creations = (await mock.requests()).filter((r) => r.method === "POST" && r.path === "/v1/tasks/TRANSACTION");
  assert.equal(creations.length, 1);
  // Protocol coverage: this test showed the POS a decline, and the POS handled it.
  const coverage = await mock.coverage();
  assert.equal(coverage.cases.find((c) => c.id === "decline-generic").status, "handled", await mock.coverageText());
});

test("the last payment is cancelled by storno", async () => {
  const till = pos();
  const sale = await till.pay(2500);
  const storno = await till.cancelLast();
  assert.equal(storno.taskState, "COMPLETED");
  assert.equal((await till.transaction(sale.transaction.transactionId)).cancelled, true);
  assert.equal((await mock.verify()).passed, true);
});

test("verify catches a poller that hammers the API", async () => {
  await pos({ pollInterval: 0.01 }).pay(1000);
  const verdict = await mock.verify();
  assert.equal(verdict.passed, false);
  assert.ok(verdict.rules.some((rule) => rule.id === "poll-interval" && rule.outcome === "failed"));
});

test("a payment's state moves to another mock (attach it to a bug report)", async () => {
  const sale = await pos().pay(1250);
  const state = await mock.exportState();
  assert.equal(state.format, "gptom-mock-state");
  const other = await startGptomMock();
  try {
    assert.equal((await other.importState(state)).transactions, state.transactions.length);
    const moved = (await other.exportState()).transactions.map((t) => t.id);
    assert.ok(moved.includes(sale.transaction.transactionId));
  } finally {
    await other.stop();
  }
});
