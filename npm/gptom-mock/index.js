// startGptomMock(): one gptom-mock process on a free loopback port, for node's test runner, Jest
// or Vitest. Resolves once the mock answers; returns { url, reset, advance, useScenario,
// clearScenario, requests, verify, coverage, exportState, importState, stop }.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { binaryPath } from "./binary.js";

export { binaryPath };

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export async function startGptomMock({ seed, scenarios = [], args = [], timeoutMs = 30_000 } = {}) {
  const dir = mkdtempSync(join(tmpdir(), "gptom-mock-"));
  const portFile = join(dir, "port");
  const argv = ["--port", "0", "--port-file", portFile, "--log-level", "warn", ...args];
  const chosenSeed = seed ?? process.env.GPTOM_MOCK_SEED;
  if (chosenSeed !== undefined) argv.push("--seed", String(chosenSeed));
  for (const scenario of scenarios) argv.push("--scenario", scenario);
  const env = { ...process.env };
  delete env.GPTOM_MOCK_PORT;
  const child = spawn(binaryPath(), argv, { stdio: ["ignore", "ignore", "pipe"], env });
  let stderr = "";
  child.stderr.on("data", (chunk) => {
    stderr = (stderr + chunk).slice(-4096);
  });
  let exited = null;
  child.on("exit", (code) => {
    exited = code;
  });
  const adminToken = env.GPTOM_MOCK_ADMIN_TOKEN;

  const deadline = Date.now() + timeoutMs;
  let url = null;
  while (Date.now() < deadline) {
    if (exited !== null) throw new Error(`gptom-mock exited with ${exited}: ${stderr}`);
    let port = "";
    try {
      port = readFileSync(portFile, "utf8").trim();
    } catch {}
    if (port) {
      try {
        const health = await fetch(`http://127.0.0.1:${port}/__mock/health`, {
          headers: adminToken ? { "X-Admin-Token": adminToken } : {},
        });
        if (health.ok) {
          url = `http://127.0.0.1:${port}`;
          break;
        }
      } catch {}
    }
    await sleep(20);
  }
  if (!url) {
    child.kill();
    throw new Error(`gptom-mock did not answer within ${timeoutMs} ms: ${stderr}`);
  }

  async function call(method, path, body, contentType = "application/json") {
    const headers = {};
    if (adminToken) headers["X-Admin-Token"] = adminToken;
    if (body !== undefined) headers["Content-Type"] = contentType;
    const answer = await fetch(url + path, {
      method,
      headers,
      body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
    });
    const text = await answer.text();
    if (!answer.ok) throw new Error(`${method} ${path}: ${answer.status} ${text}`);
    return text;
  }
  const json = async (...args) => {
    const text = await call(...args);
    return text ? JSON.parse(text) : null;
  };

  return {
    url,
    /** Everything recorded is gone and the id sequence restarts; the active scenario stays. */
    reset: () => json("POST", "/__mock/reset"),
    /** Moves the virtual clock forward by `seconds`; resolves to the new virtual now. */
    advance: async (seconds) =>
      (await json("POST", "/__mock/clock/advance", { milliseconds: Math.round(seconds * 1000) })).now,
    /** A library scenario by name (`gptom-mock scenario list`) or a scenario as YAML text. */
    useScenario: (nameOrYaml) =>
      nameOrYaml.includes("\n")
        ? json("PUT", "/__mock/scenario", nameOrYaml, "application/yaml")
        : json("PUT", `/__mock/scenario?name=${encodeURIComponent(nameOrYaml)}`),
    /** Back to GP tom's own test amounts. */
    clearScenario: () => call("DELETE", "/__mock/scenario"),
    /** What the client sent since the last reset, oldest first (secrets masked). */
    requests: async (limit = 500) => (await json("GET", `/__mock/requests?limit=${limit}`)).entries,
    /** The contract verdict: { passed, rules: [{ id, outcome, evidence }] }. */
    verify: () => json("GET", "/__mock/verify"),
    /** The verdict as text, as `gptom-mock verify` prints it. */
    verifyText: () => call("GET", "/__mock/verify?format=text"),
    /**
     * Which of GP tom's edge cases the tests met and how the client handled each:
     * { percent, handled, mishandled, not_met, cases: [{ id, status, produce, evidence }] }.
     * `client` / `terminal` limit it to one OAuth client or terminal.
     */
    coverage: ({ client, terminal } = {}) => {
      const query = new URLSearchParams();
      if (client) query.set("client", client);
      if (terminal) query.set("terminal", terminal);
      return json("GET", `/__mock/coverage?${query}`);
    },
    /** The coverage report as text, as `gptom-mock coverage` prints it. */
    coverageText: () => call("GET", "/__mock/coverage?format=text"),
    /**
     * The whole state (terminals, tasks, transactions, batches, virtual time; no secrets), as
     * `gptom-mock state export` writes it: save it with a bug report.
     */
    exportState: () => json("GET", "/__mock/state/export"),
    /** Replaces the state with an exported one; one that does not fit rejects and changes nothing. */
    importState: (state) => json("POST", "/__mock/state/import", state),
    /** Stops the process; in-flight requests finish first. */
    stop: async () => {
      if (exited === null) {
        const gone = new Promise((resolve) => child.once("exit", resolve));
        child.kill("SIGTERM");
        await gone;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
