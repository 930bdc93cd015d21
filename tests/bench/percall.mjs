// Per-call cost, run by run.mjs in a fresh Node process: every client gets an injected fetch that answers a
// fixed JSON text from memory; each call is timed, the arms alternate in blocks of 50 after a warm-up, and the
// median per call is compared with the floor measured in between: `await (await fetch()).text()` +
// JSON.parse of the same text through the same fetch (for parseWebhook: JSON.parse alone). fetchUser's rows
// also time the peers' call of one object by id through the same fetch: stripe's `customers.retrieve`,
// openai's `models.retrieve` and intercom-client's `contacts.find`, each with its defaults but the fetch.
// Prints JSON: { listUsers: { floor, "gist-wasm", minimal }, fetchUser: { ..., stripe, openai,
// "intercom-client" }, fetchUserHeaders: {...} (the same answer with the dozen headers of gistHeaders),
// parseWebhook: {...} } in µs.
import init, { GistClient, parseWebhook } from "gist-wasm";
import { IntercomClient } from "intercom-client";
import OpenAI from "openai";
import Stripe from "stripe";
import { MinimalGistClient, parseWebhook as minimalParseWebhook } from "./minimal-client.mjs";
import { contactText, fixedFetch, gistHeaders, listText, webhookText } from "./fixtures.mjs";
import { median, rotate } from "./util.mjs";

const CALLS = 5000;
const WARM_UP = 300;
const BLOCK = 50;
const baseUrl = "https://api.getgist.com";

/** The peers' arms: one object by id, through `fetch`. */
function peerArms(fetch) {
  const stripe = new Stripe("sk_test_x", { httpClient: Stripe.createFetchHttpClient(fetch) });
  const openai = new OpenAI({ apiKey: "k", fetch });
  const intercom = new IntercomClient({ token: "k", fetch });
  return {
    stripe: () => stripe.customers.retrieve("cus_1"),
    openai: () => openai.models.retrieve("m"),
    "intercom-client": () => intercom.contacts.find({ contact_id: "1" }),
  };
}

/**
 * The arms over one fixed answer: the floor, `call` on gist-wasm's and the minimal client, and with
 * `peers` the peers' call of one object (peerArms).
 */
function clientArms(text, call, headers, peers = false) {
  let requests = 0;
  const fetch = fixedFetch(text, headers);
  const counted = (...args) => (requests++, fetch(...args));
  const options = { apiKey: "k", baseUrl, fetch: counted };
  const gist = new GistClient(options);
  const minimal = new MinimalGistClient(options);
  const request = { method: "GET", headers: { authorization: "Bearer k", accept: "application/json" } };
  return {
    arms: {
      floor: async () => JSON.parse(await (await counted(`${baseUrl}/contacts`, request)).text()),
      "gist-wasm": () => call(gist),
      minimal: () => call(minimal),
      ...(peers ? peerArms(counted) : {}),
    },
    requests: () => requests,
  };
}

/** Checks that each arm makes one request per call and gives what `expect` accepts. */
async function check(name, { arms, requests }, expect) {
  for (const [arm, run] of Object.entries(arms)) {
    const before = requests();
    const result = await run();
    const checked = arm === "gist-wasm" || arm === "minimal";
    if (requests() - before !== 1 || (checked && !expect(result))) {
      const got = JSON.stringify(result).slice(0, 200);
      throw new Error(`${name}/${arm}: ${requests() - before} requests, result ${got}`);
    }
  }
}

/** Times every call of every arm, alternating in blocks; returns the median µs per call of each arm. */
async function measure(arms, sync) {
  const names = Object.keys(arms);
  const times = Object.fromEntries(names.map((name) => [name, []]));
  for (const name of names) for (let i = 0; i < WARM_UP; i++) await arms[name]();
  for (let block = 0; block * BLOCK < CALLS; block++) {
    for (const name of rotate(names, block)) {
      const run = arms[name];
      const out = times[name];
      for (let i = 0; i < BLOCK; i++) {
        const t = performance.now();
        if (sync) run();
        else await run();
        out.push(performance.now() - t);
      }
    }
  }
  return Object.fromEntries(names.map((name) => [name, median(times[name]) * 1000]));
}

await init();
const list = clientArms(listText, (client) => client.listUsers({ limit: 60 }));
await check("listUsers", list, (users) => users.length === 60 && users[0].id === 1001 && users[0].user_id === "5001");
const one = clientArms(contactText, (client) => client.fetchUser({ id: 1001 }), undefined, true);
await check("fetchUser", one, (user) => user.id === 1001 && user.unsubscribed_from_emails === false);
const headed = clientArms(contactText, (client) => client.fetchUser({ id: 1001 }), gistHeaders, true);
await check("fetchUser with headers", headed, (user) => user.id === 1001);
const webhooks = {
  floor: () => JSON.parse(webhookText),
  "gist-wasm": () => parseWebhook(webhookText),
  minimal: () => minimalParseWebhook(webhookText),
};
for (const arm of ["gist-wasm", "minimal"]) {
  const event = webhooks[arm]();
  if (event.kind !== "contact" || event.contact.id !== 1007) {
    throw new Error(`parseWebhook/${arm}: ${JSON.stringify(event).slice(0, 200)}`);
  }
}

const result = {
  listUsers: await measure(list.arms, false),
  fetchUser: await measure(one.arms, false),
  fetchUserHeaders: await measure(headed.arms, false),
  parseWebhook: await measure(webhooks, true),
  bytes: { listUsers: listText.length, fetchUser: contactText.length, parseWebhook: webhookText.length },
  calls: CALLS,
};
console.log(JSON.stringify(result));
