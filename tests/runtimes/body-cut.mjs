// Run by Node 20, Node 22, Deno 2 and Bun 1: handleWebhook of a request whose body fails before its end,
// as a runtime's server hands one whose sender went away (Deno: BadResource); prints one JSON line: the
// error's code and whether its message says so.
import { handleWebhook } from "gist-wasm";

const body = new ReadableStream({
  start(controller) {
    controller.enqueue(new TextEncoder().encode('{"topic":"user.created",'));
    controller.error(new Error("connection closed before the message completed"));
  },
});
const request = new Request("http://receiver.test/webhooks", { method: "POST", body, duplex: "half" });
const error = await handleWebhook(request).catch((e) => e);
console.log(JSON.stringify([error.code, /went away/.test(error.message)]));
