// Findings of the outside reviews of 2026-12-05, through the built package in Node: an answer read in small
// views of large buffers keeps about what it read, not the buffers; recordEvent sends normalizeEventName's
// name, a lone surrogate as U+FFFD; a logged body's JSON-escaped email is redacted whole.
import { test } from "node:test";
import assert from "node:assert/strict";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { GistClient, GistError, handleWebhook, normalizeEventName } from "gist-wasm";

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc");

test("an answer streamed as 4 KB views of 64 KB buffers (Deno's inflater) is read keeping about its own bytes, to the cap", async () => {
  const VIEW = 4096;
  const CAP = 8 * 1024 * 1024;
  const views = CAP / VIEW + 1; // one more than the cap holds
  let peak = 0;
  const fetch = async () => {
    let sent = 0;
    const body = new ReadableStream({
      pull(controller) {
        if (sent % 256 === 0) {
          gc();
          peak = Math.max(peak, process.memoryUsage().arrayBuffers);
        }
        if (sent++ === views) return controller.close();
        controller.enqueue(new Uint8Array(64 * 1024).fill(32).subarray(0, VIEW));
      },
    }, { highWaterMark: 0 });
    return new Response(body, { headers: { "content-type": "application/json" } });
  };
  gc();
  const before = process.memoryUsage().arrayBuffers;
  const gist = new GistClient({ apiKey: "Sk_Live_0123456789AbCdEf", baseUrl: "https://api.getgist.com", fetch, maxResponseBytes: CAP, maxRetries: 0 });
  await assert.rejects(gist.fetchUser({ id: 1 }), (error) => error instanceof GistError && error.code === "invalid_response");
  // The views alone hold the cap's bytes; their buffers 16 times that (measured: about 1 and 16 times).
  assert.ok(peak - before < 6 * CAP, `${((peak - before) / 2 ** 20).toFixed(1)} MiB held for an ${CAP / 2 ** 20} MiB cap`);
  gist.free();
});

test("recordEvent sends normalizeEventName's name, a lone surrogate (which normalizeEventName keeps) as U+FFFD", async () => {
  const sent = [];
  const fetch = async (url, init) => {
    sent.push(JSON.parse(init.body).event_name);
    return new Response(JSON.stringify({ event: { id: 1, name: "x" } }), { headers: { "content-type": "application/json" } });
  };
  const gist = new GistClient({ apiKey: "Sk_Live_0123456789AbCdEf", baseUrl: "https://api.getgist.com", fetch });
  for (const name of ["a.\ud800", "\udc00$b", "ok.\ud83d\ude00", "plain"]) {
    await gist.recordEvent({ event_name: name, user: { email: "ada@example.com" } });
    assert.equal(normalizeEventName(name).toWellFormed(), sent.at(-1), JSON.stringify(name));
  }
  assert.deepEqual(sent, ["a-\ufffd", "\ufffd-b", "ok-\ud83d\ude00", "plain"]);
  assert.equal(normalizeEventName("a.\ud800"), "a-\ud800");
  gist.free();
});

test("a logged body written as Python or .NET write JSON (\\u00eb, \\u002B) shows none of an email's local part", async () => {
  const lines = [];
  const logger = { debug: (line) => lines.push(line), info: (line) => lines.push(line), warn: () => {}, error: () => {} };
  const bodies = [
    '{"contact":{"id":1,"type":"lead","email":"zo\\u00ebmartin@example.com"}}',
    '{"contact":{"id":1,"type":"lead","email":"ada\\u002Bnews@example.com"}}',
  ];
  for (const body of bodies) {
    const fetch = async () => new Response(body, { headers: { "content-type": "application/json" } });
    const gist = new GistClient({ apiKey: "Sk_Live_0123456789AbCdEf", baseUrl: "https://api.getgist.com", fetch, logger, logLevel: "debug", logBodies: true });
    await gist.fetchLead({ id: 1 });
    gist.free();
  }
  const answered = lines.filter((line) => line.includes("answered"));
  assert.equal(answered.length, 2, lines.join("\n"));
  for (const line of answered) {
    assert.match(line, /"email":"\[email\]"/);
    assert.doesNotMatch(line, /zo|ada|martin|news/);
  }
});

// A re-review (2026-12-05): a race begun after its stopper had stopped left what it raced unheeded.
test("a read begun after the deadline or the sender's abort leaves no unhandled rejection when it fails later", async () => {
  const unhandled = [];
  const onUnhandled = (error) => unhandled.push(String(error));
  process.on("unhandledRejection", onUnhandled);
  try {
    // handleWebhook on a request whose sender already went away, whose body then errors.
    let body;
    const aborted = new AbortController();
    aborted.abort();
    const request = new Request("http://127.0.0.1/hook", { method: "POST", body: new ReadableStream({ start: (c) => { body = c; } }), duplex: "half", signal: aborted.signal });
    await assert.rejects(handleWebhook(request), (error) => error instanceof GistError && error.code === "aborted");
    body.error(new Error("socket hang up"));
    // A call whose signal aborts in the microtasks between its fetch's answer and the first read of it.
    for (let hops = 0; hops < 8; hops++) {
      const caller = new AbortController();
      const fetch = async (url, init) => {
        const stream = new ReadableStream({ start: (c) => init.signal.addEventListener("abort", () => setTimeout(() => c.error(new Error("aborted")), 5)) });
        let later = Promise.resolve();
        for (let i = 0; i < hops; i++) later = later.then(() => {});
        later.then(() => caller.abort());
        return new Response(stream, { headers: { "content-type": "application/json" } });
      };
      const gist = new GistClient({ apiKey: "Sk_Live_0123456789AbCdEf", baseUrl: "https://api.getgist.com", fetch, maxRetries: 0 });
      await assert.rejects(gist.listTags({}, { signal: caller.signal }), (error) => error.code === "aborted", `after ${hops} hops`);
      gist.free();
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.deepEqual(unhandled, []);
  } finally {
    process.off("unhandledRejection", onUnhandled);
  }
});
