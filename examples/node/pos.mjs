// A small point-of-sale module paying through GP tom's Cloud API: what an integrator writes.
// It logs in once, creates a sale or a storno, polls the task no faster than every half second until
// it is final, and reads the transaction. Waiting is injected (`sleep`), so tests can move the
// mock's virtual clock instead of waiting.

const FINAL = new Set(["COMPLETED", "CANCELED", "ERROR"]);

export class Pos {
  constructor(baseUrl, {
    clientId = "atom",
    clientSecret = "ashfuf4e5fa",
    username = "jan.novak@example.com",
    password = "ABCDEFGHIJKL",
    tid = "999888",
    currency = "CZK",
    sleep = (seconds) => new Promise((resolve) => setTimeout(resolve, seconds * 1000)),
    pollInterval = 0.5,
  } = {}) {
    this.baseUrl = baseUrl.replace(/\/$/, "");
    this.basic = Buffer.from(`${clientId}:${clientSecret}`).toString("base64");
    this.login = new URLSearchParams({ grant_type: "password", username, password, tid });
    this.currency = currency;
    this.sleep = sleep;
    this.pollInterval = pollInterval;
    this.token = null;
  }

  pay(amount, reference) {
    const body = { transactionType: "SALE", amount, currencyCode: this.currency, paymentMethod: "CARD" };
    if (reference) body.originReferenceNum = reference;
    return this.#run(body);
  }

  cancelLast() {
    return this.#run({ transactionType: "CANCEL", currencyCode: this.currency, cancelMode: "LAST_TRANSACTION" });
  }

  transaction(id) {
    return this.#api("GET", `/v1/transactions/${id}`);
  }

  async #run(body) {
    let task = await this.#api("POST", "/v1/tasks/TRANSACTION", body);
    while (!FINAL.has(task.state)) {
      await this.sleep(this.pollInterval);
      task = await this.#api("GET", `/v1/tasks/${task.taskId}`);
    }
    if (!task.transactionId) return { taskState: task.state, result: null, transaction: null };
    const transaction = await this.transaction(task.transactionId);
    return { taskState: task.state, result: transaction.result, transaction };
  }

  async #api(method, path, body) {
    if (!this.token) {
      const answer = await fetch(`${this.baseUrl}/cloud/oauth/token`, {
        method: "POST",
        headers: { Authorization: `Basic ${this.basic}` },
        body: this.login,
      });
      if (!answer.ok) throw new Error(`login: ${answer.status} ${await answer.text()}`);
      this.token = (await answer.json()).access_token;
    }
    const headers = { Authorization: `Bearer ${this.token}` };
    if (body) headers["Content-Type"] = "application/json";
    const answer = await fetch(this.baseUrl + path, { method, headers, body: body && JSON.stringify(body) });
    if (!answer.ok) throw new Error(`${method} ${path}: ${answer.status} ${await answer.text()}`);
    return answer.json();
  }
}
