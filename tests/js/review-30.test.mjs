// Findings of outside reviews (2026-12-07, thirtieth round), and what the last round left untested, in Node
// through the built package.
import { test } from "node:test";
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";

const installed = fileURLToPath(new URL("../../node_modules/gist-wasm/", import.meta.url));
// The package's internals, in one module graph (one wasm instance): the core's calls are kept in a table
// the runtime drives by id. The entry first: it starts the wasm.
await import(`${installed}index.js`);
const { Core, callEnd, callRespond } = await import(`${installed}gist_wasm.js`);
const { startCall, stepOf } = await import(`${installed}runtime.js`);

test("a call of the core driven past its end says so with a GistError step, and the calls beside it go on", () => {
  const core = new Core(JSON.stringify({ apiKey: "k" }), false, undefined);
  const contact = (id) => `{"contact":{"id":${id},"type":"user"}}`;
  const ended = startCall(core, "fetchUser", JSON.stringify([{ id: 1001 }]), "null", { started: Date.now() });
  const running = startCall(core, "fetchUser", JSON.stringify([{ id: 1002 }]), "null", { started: Date.now() });
  try {
    assert.ok(stepOf(ended.first).send && stepOf(running.first).send, "each asks for its request first");
    callEnd(ended.id);
    const late = stepOf(callRespond(ended.id, 200, "content-type\napplication/json", contact(1001), Date.now(), 0.5));
    assert.equal(late.error?.code, "invalid_argument");
    assert.match(late.error.message, /this call has ended/);
    const answered = stepOf(callRespond(running.id, 200, "content-type\napplication/json", contact(1002), Date.now(), 0.5));
    assert.equal(answered.error, undefined);
    assert.equal(answered.done?.id, 1002, "the call beside it ends with its own answer");
  } finally {
    callEnd(running.id);
    core.free();
  }
});
