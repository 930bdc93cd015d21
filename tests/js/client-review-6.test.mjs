// Findings of the outside reviews of 2026-12-05 (the thirteenth round), through the built package in Node:
// a fetch or a rename by id whose answer is another object.
import { test } from "node:test";
import assert from "node:assert/strict";
import { GistClient } from "gist-wasm";

// A client whose fetch answers every request with `{ [key]: object }`.
function answering(key, object) {
  const fetch = async () => Response.json({ [key]: object });
  return new GistClient({ apiKey: "mock-key-review-6", baseUrl: "http://gist.invalid", fetch, maxRetries: 0, logLevel: "off" });
}

test("fetchSegment, fetchCampaign and updateTag by id whose answer is another id's object are invalid_response; the asked one resolves", async () => {
  const calls = {
    segment: [(gist) => gist.fetchSegment(7), { id: 7, name: "Active" }],
    campaign: [(gist) => gist.fetchCampaign(7), { id: 7, name: "Welcome", status: "active" }],
    tag: [(gist) => gist.updateTag(7, "VIP"), { id: 7, name: "VIP" }],
  };
  for (const [key, [call, asked]] of Object.entries(calls)) {
    const error = await call(answering(key, { ...asked, id: 8 })).then(() => null, (thrown) => thrown);
    assert.equal(error?.code, "invalid_response", key);
    assert.equal(error.message, `Gist answered with a ${key} other than id 7`);
    assert.equal((await call(answering(key, asked))).id, 7, key);
  }
});
