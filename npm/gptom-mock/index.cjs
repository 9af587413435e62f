// The CommonJS entry (`require("gptom-mock")`, a project made by `npm init -y`): the package is
// written as an ES module, so this loads it with import() and hands on `startGptomMock`, which is
// asynchronous anyway.
"use strict";

async function startGptomMock(options) {
  const { startGptomMock: start } = await import("./index.js");
  return start(options);
}

module.exports = { startGptomMock };
