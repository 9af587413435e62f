// The virtual terminal page in a real headless Chromium (Debian's chromium + playwright-core).
// Starts its own gptom-mock (manual clock, port 0) and stops it at the end.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import path from "node:path";
import { chromium } from "playwright-core";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const binary = process.env.GPTOM_MOCK_BIN || path.join(root, "target", "debug", "gptom-mock");
let mock, base, browser, page;

async function startMock() {
  mock = spawn(binary, ["--port", "0", "--clock", "manual", "--log-level", "info"], { stdio: ["ignore", "ignore", "pipe"] });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("the mock did not start")), 20000);
    let buffer = "";
    mock.stderr.on("data", (chunk) => {
      buffer += chunk.toString();
      const match = buffer.match(/listening on (http:\/\/127\.0\.0\.1:\d+)/);
      if (match) { clearTimeout(timer); resolve(match[1]); }
    });
    mock.on("exit", (code) => reject(new Error(`the mock exited with ${code}`)));
  });
}

async function token(tid = "999888", user = "jan.novak@example.com") {
  const response = await fetch(`${base}/cloud/oauth/token`, {
    method: "POST",
    headers: { Authorization: "Basic " + Buffer.from("atom:ashfuf4e5fa").toString("base64"), "Content-Type": "application/x-www-form-urlencoded" },
    body: `grant_type=password&username=${encodeURIComponent(user)}&password=ABCDEFGHIJKL&tid=${tid}`,
  });
  assert.equal(response.status, 200);
  return (await response.json()).access_token;
}

async function api(method, pathname, accessToken, body) {
  const response = await fetch(base + pathname, {
    method,
    headers: { Authorization: `Bearer ${accessToken}`, ...(body ? { "Content-Type": "application/json" } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: response.status, body: await response.json().catch(() => null) };
}

async function eventually(check, what, timeout = 10000) {
  const deadline = Date.now() + timeout;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

before(async () => {
  base = await startMock();
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(`${base}/__mock/ui`);
  await page.locator("#now").filter({ hasText: "2026-01-15" }).waitFor();
});

after(async () => {
  await browser?.close();
  mock?.kill("SIGTERM");
});

test("a sale created through the Cloud API appears on the page", async () => {
  const accessToken = await token();
  const created = await api("POST", "/v1/tasks/TRANSACTION", accessToken, { transactionType: "SALE", amount: 4350, currencyCode: "CZK", paymentMethod: "CARD" });
  assert.equal(created.status, 201);
  await page.locator(`[data-task-row="${created.body.taskId}"]`).waitFor();
  assert.match(await page.locator(`[data-task-row="${created.body.taskId}"]`).innerText(), /43[.,]50/);
});

test("declining with insufficient funds on a manual terminal ends COMPLETED with a DECLINED transaction", async () => {
  // 999889: its queue is empty (the manual clock keeps 999888's first sale in progress)
  const terminal = page.locator('.terminal[data-tid="999889"] input.manual-toggle');
  await terminal.check();
  await eventually(async () => (await (await fetch(`${base}/__mock/view`)).json()).state.terminals[1].manual, "manual mode");
  const accessToken = await token("999889");
  const created = await api("POST", "/v1/tasks/TRANSACTION", accessToken, { transactionType: "SALE", amount: 1000, currencyCode: "CZK", paymentMethod: "CARD" });
  const controls = page.locator(`.decide[data-task="${created.body.taskId}"]`);
  await controls.waitFor();
  await controls.locator("select.refusal").selectOption("insufficientFunds");
  await controls.getByRole("button", { name: "Decline" }).click();
  const task = await eventually(async () => {
    const polled = await api("GET", `/v1/tasks/${created.body.taskId}`, accessToken);
    return polled.body.state === "COMPLETED" ? polled.body : null;
  }, "the decided task");
  const transaction = await api("GET", `/v1/transactions/${task.transactionId}`, accessToken);
  assert.equal(transaction.body.result, "DECLINED");
  assert.equal(transaction.body.refusalCode, "insufficientFunds");
  await page.locator("#transactions").getByText("insufficientFunds").first().waitFor();
  await terminal.uncheck();
});

test("the clock buttons expire a token", async () => {
  const accessToken = await token();
  assert.equal((await api("GET", "/v1/tasks/00000000-0000-4000-8000-000000000000", accessToken)).status, 404);
  const before = await page.locator("#now").innerText();
  await page.getByRole("button", { name: "+1 hour" }).click();
  await eventually(async () => (await page.locator("#now").innerText()) !== before, "the clock to move");
  assert.equal((await api("GET", "/v1/tasks/00000000-0000-4000-8000-000000000000", accessToken)).status, 401);
});

test("the journal shows the requests, filterable by path", async () => {
  await eventually(async () => (await page.locator("#journal").innerText()).includes("POST /v1/tasks/TRANSACTION"), "the journal");
  await page.locator("#filter-path").fill("/cloud");
  await eventually(async () => !(await page.locator("#journal").innerText()).includes("/v1/tasks/TRANSACTION"), "the filter");
  assert.match(await page.locator("#journal").innerText(), /\/cloud\/oauth\/token/);
  await page.locator("#filter-path").fill("");
});

test("controls are keyboard-operable and the page fits a tablet", async () => {
  await page.locator("header h1").click(); // the keyboard starts from the top of the page
  await page.keyboard.press("Tab");
  const focused = await page.evaluate(() => ({
    text: document.activeElement?.textContent,
    outline: getComputedStyle(document.activeElement).outlineStyle,
  }));
  assert.equal(focused.text, "+1 min", "the first control is reachable by keyboard");
  assert.notEqual(focused.outline, "none", "focus is visible");
  const before = await page.locator("#now").innerText();
  await page.keyboard.press("Enter");
  await eventually(async () => (await page.locator("#now").innerText()) !== before, "Enter to press the button");
  await page.screenshot({ path: path.join(root, "docs", "ui.png") });
  await page.setViewportSize({ width: 800, height: 1000 });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 1, `horizontal overflow of ${overflow}px at tablet width`);
});

test("every input and select has a label a screen reader and a person can read", async () => {
  const unlabelled = await page.evaluate(() => [...document.querySelectorAll("input, select")]
    .filter((control) => !(control.labels && control.labels.length) && !control.getAttribute("aria-label"))
    .map((control) => control.outerHTML.slice(0, 80)));
  assert.deepEqual(unlabelled, []);
});

test("transactions show reference and time, cancellations their amount, counts their plural", async () => {
  const accessToken = await token("999889");
  const sale = await api("POST", "/v1/tasks/TRANSACTION", accessToken, { transactionType: "SALE", amount: 1250, currencyCode: "CZK", paymentMethod: "CARD", originReferenceNum: "Invoice 37364FD payment" });
  assert.equal(sale.status, 201);
  await fetch(`${base}/__mock/clock/advance`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ seconds: 5 }) });
  const done = await api("GET", `/v1/tasks/${sale.body.taskId}`, accessToken);
  assert.equal(done.body.state, "COMPLETED");
  const cancel = await api("POST", "/v1/tasks/TRANSACTION", accessToken, { transactionType: "CANCEL", currencyCode: "CZK", cancelMode: "LAST_TRANSACTION" });
  assert.equal(cancel.status, 201);
  const row = page.locator(`[data-transaction="${done.body.transactionId}"]`);
  await row.waitFor();
  const text = await row.innerText();
  assert.match(text, /Invoice 37364FD payment/);
  assert.match(text, /2026-01-15 \d\d:\d\d:\d\d/);
  const cancelRow = page.locator(`[data-task-row="${cancel.body.taskId}"]`);
  await cancelRow.waitFor();
  assert.match(await cancelRow.innerText(), /12[.,]50/);
  const terminal = await page.locator('.terminal[data-tid="999889"]').innerText();
  assert.doesNotMatch(terminal, /\b1 sales\b/);
});

async function noSidewaysScroll() {
  return page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
}

test("on a phone (390 px) decisions are reachable without sideways scrolling; at 1440 px too", async () => {
  const terminal = page.locator('.terminal[data-tid="777666"] input.manual-toggle');
  await terminal.check();
  await eventually(async () => (await (await fetch(`${base}/__mock/view`)).json()).state.terminals[2].manual, "manual mode");
  const eva = await token("777666", "eva.svobodova@example.com");
  const created = await api("POST", "/v1/tasks/TRANSACTION", eva, { transactionType: "SALE", amount: 990, currencyCode: "EUR", paymentMethod: "CARD", originReferenceNum: "Table 7" });
  assert.equal(created.status, 201);
  const controls = page.locator(`.decide[data-task="${created.body.taskId}"]`);
  await controls.waitFor();

  await page.setViewportSize({ width: 390, height: 844 });
  await page.waitForTimeout(100);
  assert.ok(await noSidewaysScroll() <= 1, "no horizontal overflow at 390 px");
  const approve = controls.getByRole("button", { name: "Approve" });
  await approve.scrollIntoViewIfNeeded();
  const box = await approve.boundingBox();
  assert.ok(box && box.x >= 0 && box.x + box.width <= 390, `Approve is on screen: ${JSON.stringify(box)}`);
  const scrollX = await page.evaluate(() => window.scrollX);
  assert.equal(scrollX, 0, "the page does not shift sideways");
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: path.join(root, "docs", "ui-390.png"), fullPage: false });

  await page.setViewportSize({ width: 1440, height: 900 });
  await page.waitForTimeout(100);
  assert.ok(await noSidewaysScroll() <= 1, "no horizontal overflow at 1440 px");
  await page.screenshot({ path: path.join(root, "docs", "ui-1440.png"), fullPage: false });

  await approve.click();
  await eventually(async () => (await api("GET", `/v1/tasks/${created.body.taskId}`, eva)).body.state === "COMPLETED", "the approved task");
  await terminal.uncheck();
  await page.setViewportSize({ width: 1280, height: 900 });
});

test("the coverage panel fills in live: a declined sale is mishandled until its transaction is read", async () => {
  const row = page.locator('[data-case="decline-generic"]');
  await row.waitFor();
  const accessToken = await token("999889");
  const sale = await api("POST", "/v1/tasks/TRANSACTION", accessToken, { transactionType: "SALE", amount: 1122, currencyCode: "CZK", paymentMethod: "CARD", originReferenceNum: "Coverage 1" });
  assert.equal(sale.status, 201);
  await fetch(`${base}/__mock/clock/advance`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ seconds: 5 }) });
  const done = await api("GET", `/v1/tasks/${sale.body.taskId}`, accessToken);
  assert.equal(done.body.state, "COMPLETED");
  // Final, but the transaction (why it was declined) not read yet.
  await eventually(async () => (await row.getAttribute("data-status")) === "mishandled", "decline-generic mishandled");
  assert.match(await row.innerText(), /never read/);
  const handledBefore = Number((await page.locator("#coverage-summary strong").innerText()).split(" ")[0]);
  await api("GET", `/v1/transactions/${done.body.transactionId}`, accessToken);
  await eventually(async () => (await row.getAttribute("data-status")) === "handled", "decline-generic handled");
  await eventually(async () => Number((await page.locator("#coverage-summary strong").innerText()).split(" ")[0]) > handledBefore, "the total to grow");
  // Cases never met say how to produce them; the filter shows only those.
  await page.locator("#coverage-show").selectOption("not-met");
  await eventually(async () => (await row.count()) === 0, "the handled case filtered out");
  assert.match(await page.locator('[data-case="storno-45-too-old"]').innerText(), /93 days|94 days/);
  await page.locator("#coverage-show").selectOption("");
  await page.locator('section[aria-labelledby="h-coverage"]').screenshot({ path: path.join(root, "docs", "ui-coverage.png") });
  // The client filter lists the OAuth client seen.
  assert.ok((await page.locator("#coverage-client option").allInnerTexts()).includes("atom"));
});
