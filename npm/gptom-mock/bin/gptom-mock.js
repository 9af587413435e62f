#!/usr/bin/env node
// `npx gptom-mock …`: runs the platform's binary with the same arguments and exit code; SIGINT,
// SIGTERM and SIGHUP sent to this launcher reach the binary, so stopping `npx gptom-mock` stops it.
import { spawn } from "node:child_process";
import { binaryPath } from "../binary.js";

let binary;
try {
  binary = binaryPath();
} catch (error) {
  console.error(`gptom-mock: ${error.message}`);
  process.exit(1);
}
const child = spawn(binary, process.argv.slice(2), { stdio: "inherit" });
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) {
  process.on(signal, () => child.kill(signal));
}
child.on("error", (error) => {
  console.error(`gptom-mock: cannot run ${binary}: ${error.message}`);
  process.exit(1);
});
child.on("exit", (code, signal) => {
  if (signal) {
    process.removeAllListeners(signal);
    process.kill(process.pid, signal);
  } else {
    process.exit(code ?? 1);
  }
});
