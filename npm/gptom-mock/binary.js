// Where the gptom-mock binary is: GPTOM_MOCK_BIN, or the platform package installed beside this one
// (the way esbuild ships its binaries: one small package per platform, picked by optionalDependencies).
import { createRequire } from "node:module";
import { existsSync } from "node:fs";

const require = createRequire(import.meta.url);

const PLATFORMS = {
  "linux x64": "@gptom-mock/linux-x64",
};

export function binaryPath() {
  if (process.env.GPTOM_MOCK_BIN) return process.env.GPTOM_MOCK_BIN;
  const key = `${process.platform} ${process.arch}`;
  const pkg = PLATFORMS[key];
  if (!pkg) {
    throw new Error(
      `gptom-mock has no binary for ${key} yet (only ${Object.keys(PLATFORMS).join(", ")}); ` +
        "set GPTOM_MOCK_BIN to a gptom-mock you built, or run the container image",
    );
  }
  let path;
  try {
    path = require.resolve(`${pkg}/bin/gptom-mock`);
  } catch {
    throw new Error(
      `${pkg} is not installed: reinstall gptom-mock without --no-optional (or --omit=optional), ` +
        "or set GPTOM_MOCK_BIN",
    );
  }
  if (!existsSync(path)) throw new Error(`${path} is missing; reinstall ${pkg}`);
  return path;
}
