// Resuming a walk from its `cursor` (README, "Paging you can resume"), in Node against the in-memory mock:
// a walk that has ended resumes to nothing, with no request, and never to another walk.
import { test } from "node:test";
import assert from "node:assert/strict";
import { GistClient, GistError } from "gist-wasm";
import { createMockGist } from "gist-wasm/mock";
import { inFreshNode } from "./fresh-node.mjs";

/** A client on a fresh mock, and the requests it has sent so far. */
function client() {
  const mock = createMockGist();
  const sent = [];
  const fetch = (url, init) => {
    sent.push(`${init?.method ?? "GET"} ${new URL(url).pathname}`);
    return mock.fetch(url, init);
  };
  return { gist: new GistClient({ apiKey: "mock-key", baseUrl: "http://mock.invalid", fetch }), mock, sent };
}

/** Every user of tag 3 in the mock's seed. */
const taggedUsers = (mock) => mock.state.contacts.filter((c) => c.user_id && c.tags.includes(3)).length;

test("a finished walk's cursor resumes to nothing, with no request, in iter* and list*", async () => {
  const { gist, mock, sent } = client();
  const walk = gist.iterUsers({ tag_id: 3 });
  let read = 0;
  for await (const page of walk.pages()) read += page.length;
  assert.equal(read, taggedUsers(mock));
  assert.ok(read > 0 && read < mock.state.contacts.length);
  const cursor = walk.cursor;
  assert.equal(typeof cursor, "string", "a finished walk still has a cursor");

  const before = sent.length;
  const resumed = [];
  const again = gist.iterUsers({ cursor });
  for await (const user of again) resumed.push(user.id);
  assert.deepEqual(resumed, []);
  assert.equal(again.cursor, cursor, "resuming a finished walk leaves it finished");
  assert.deepEqual(await gist.listUsers({ cursor, limit: 500 }), []);
  const elsewhere = client();
  assert.deepEqual(await elsewhere.gist.listUsers({ cursor }), [], "in another client too");
  assert.deepEqual([sent.length - before, elsewhere.sent.length], [0, 0], "nothing is sent for an ended walk");
});

test("a walk ended by its items resumes to nothing too; one stopped early resumes where it stopped", async () => {
  const { gist, mock } = client();
  const all = [];
  const walk = gist.iterUsers({ tag_id: 3 });
  for await (const user of walk) all.push(user.id);
  assert.equal(all.length, taggedUsers(mock));
  assert.deepEqual(await gist.listUsers({ cursor: walk.cursor }), []);

  const small = new GistClient({ apiKey: "mock-key", baseUrl: "http://mock.invalid", fetch: mock.fetch, perPage: 5 });
  const partial = small.iterUsers({ tag_id: 3 });
  const first = (await partial.pages().next()).value.map((user) => user.id);
  const rest = [];
  for await (const user of small.iterUsers({ cursor: partial.cursor })) rest.push(user.id);
  assert.deepEqual([...first, ...rest], all, "the rest of the same filtered walk, each user once");
});

test("a finished walk's cursor is still refused by another list", async () => {
  const { gist } = client();
  const walk = gist.iterTags();
  for await (const _ of walk) void _;
  const error = await gist.listLeads({ cursor: walk.cursor }).catch((e) => e);
  assert.ok(error instanceof GistError, String(error));
  assert.equal(error.code, "invalid_argument");
});

test("a walk's cursor before its first page (stopped at once, or its first page failed) resumes the same filtered walk", async () => {
  const { gist, mock } = client();
  const walk = gist.iterUsers({ tag_id: 3 });
  const cursor = walk.cursor;
  assert.equal(typeof cursor, "string", "the cursor of a walk not yet started names where it starts");
  const resumed = [];
  for await (const user of gist.iterUsers({ cursor })) resumed.push(user.id);
  assert.equal(resumed.length, taggedUsers(mock), "only the tag's users, not the whole list");
  const direct = (await gist.listUsers({ tag_id: 3, limit: 10000 })).map((user) => user.id);
  assert.deepEqual(resumed, direct);
  const failing = new GistClient({ apiKey: "k", baseUrl: "http://mock.invalid", fetch: async () => { throw new TypeError("offline"); }, maxRetries: 0 });
  const broken = failing.iterUsers({ tag_id: 3 });
  await assert.rejects(broken.next(), (error) => error instanceof GistError && error.code === "network_error");
  const again = [];
  for await (const user of gist.iterUsers({ cursor: broken.cursor })) again.push(user.id);
  assert.deepEqual(again, direct, "a walk whose first page failed resumes to the same filtered walk");
});

test("a list* call over several pages gives every page's items in order, cut at its limit", async () => {
  const { gist, sent } = client();
  const walked = [];
  for await (const user of gist.iterUsers({ limit: 130 })) walked.push(user.id);
  sent.length = 0;
  const { data, response } = await gist.listUsers({ limit: 130 }).withResponse();
  assert.equal(data.length, 130);
  assert.deepEqual(data.map((user) => user.id), walked);
  assert.ok(sent.length >= 3, `three pages or more were read (${sent.length})`);
  assert.equal(response.requests, sent.length, "the metadata counts every page's request");
});

test("a walk stopped within a page resumes after its last item handed out: by break, by limit, by pages() and list*", async () => {
  const { gist, mock } = client();
  const small = new GistClient({ apiKey: "mock-key", baseUrl: "http://mock.invalid", fetch: mock.fetch, perPage: 7 });
  const all = (await gist.listUsers({ limit: 10000 })).map((user) => user.id);
  assert.ok(all.length > 40);

  // Batches of 10 (pages of 7 and, for a resumed walk, the rest of one): each user once, in order.
  const batched = [];
  let cursor;
  let batches = 0;
  for (;;) {
    const walk = small.iterUsers(cursor ? { cursor, limit: 10 } : { limit: 10 });
    let got = 0;
    for await (const user of walk) {
      batched.push(user.id);
      got += 1;
    }
    cursor = walk.cursor;
    batches += 1;
    if (got === 0) break;
    assert.ok(batches <= all.length, "each batch moves on");
  }
  assert.deepEqual(batched, all, "every user once, none skipped");
  assert.equal(batches, Math.ceil(all.length / 10) + 1, "then one that finds the walk ended");

  // A break after the 10th item (the 3rd of the second page); then list* and pages() from there.
  const walk = small.iterUsers();
  const head = [];
  for await (const user of walk) {
    head.push(user.id);
    if (head.length === 10) break;
  }
  assert.deepEqual(await small.listUsers({ cursor: walk.cursor, limit: 10000 }).then((users) => users.map((u) => u.id)), all.slice(10));
  const paged = small.iterUsers({ cursor: walk.cursor, limit: 5 });
  const firstPage = (await paged.pages().next()).value.map((user) => user.id);
  assert.ok(firstPage.length > 0 && firstPage.length <= 5);
  assert.deepEqual(firstPage, all.slice(10, 10 + firstPage.length), "the rest of the page the break left");
  const afterPage = [];
  for await (const user of small.iterUsers({ cursor: paged.cursor })) afterPage.push(user.id);
  assert.deepEqual(afterPage, all.slice(10 + firstPage.length), "then the rest of the walk, each user once");
});

test("an abort within a page stops the walk at the next item, and its cursor resumes there", async () => {
  const { gist } = client();
  const all = (await gist.listUsers({ limit: 10000 })).map((user) => user.id);
  const controller = new AbortController();
  const walk = gist.iterUsers({}, { signal: controller.signal });
  const seen = [];
  await assert.rejects(
    (async () => {
      for await (const user of walk) {
        seen.push(user.id);
        if (seen.length === 3) controller.abort();
      }
    })(),
    (error) => error instanceof GistError && error.code === "aborted",
  );
  assert.deepEqual(seen, all.slice(0, 3), "no item after the abort");
  const rest = [];
  for await (const user of gist.iterUsers({ cursor: walk.cursor })) rest.push(user.id);
  assert.deepEqual(rest, all.slice(3));
});

test("a signal among a list's options (iterUsers({ signal }), as the contract has it) is the call's signal", async () => {
  const { gist, sent } = client();
  const controller = new AbortController();
  const seen = [];
  await assert.rejects(
    (async () => {
      for await (const user of gist.iterUsers({ signal: controller.signal })) {
        seen.push(user.id);
        if (seen.length === 2) controller.abort();
      }
    })(),
    (error) => error instanceof GistError && error.code === "aborted",
  );
  assert.equal(seen.length, 2);
  assert.equal((await gist.listUsers({ limit: 1, signal: new AbortController().signal })).length, 1);
  // `{ limit, signal: undefined }` (a caller's own options spread, with no signal) is no signal.
  assert.equal((await gist.listUsers({ limit: 1, signal: undefined }, { signal: new AbortController().signal })).length, 1);
  const before = sent.length;
  await assert.rejects(gist.listUsers({ signal: AbortSignal.abort() }), (error) => error.code === "aborted");
  const twice = { signal: new AbortController().signal };
  assert.throws(() => gist.iterUsers(twice, { signal: new AbortController().signal }), (error) => error.code === "invalid_argument");
  await assert.rejects(gist.listUsers({ signal: "no" }), (error) => error.code === "invalid_argument");
  assert.equal(sent.length, before, "nothing sent for the refused or aborted calls");
});

test("a walk's cursor stays readable after its client is freed, where it stopped within a page too", async () => {
  const { gist, mock } = client();
  const all = (await gist.listUsers({ limit: 10000 })).map((user) => user.id);
  const freed = new GistClient({ apiKey: "mock-key", baseUrl: "http://mock.invalid", fetch: mock.fetch, perPage: 7 });
  const walk = freed.iterUsers({ limit: 10 });
  const first = [];
  for await (const user of walk) first.push(user.id);
  const broken = freed.iterUsers();
  for await (const user of broken) if (user.id === all[3]) break;
  // A walk still open within its page when the client is freed: its cursor is made without the client.
  const open = freed.iterUsers();
  const taken = [(await open.next()).value.id, (await open.next()).value.id];
  const live = open.cursor;
  freed.free();
  const rest = [];
  for await (const user of gist.iterUsers({ cursor: walk.cursor })) rest.push(user.id);
  assert.deepEqual([...first, ...rest], all);
  assert.deepEqual((await gist.listUsers({ cursor: broken.cursor, limit: 2 })).map((user) => user.id), all.slice(4, 6));
  assert.deepEqual(taken, all.slice(0, 2));
  assert.equal(open.cursor, live, "the same cursor as before the free()");
  assert.deepEqual((await gist.listUsers({ cursor: open.cursor, limit: 6 })).map((user) => user.id), all.slice(2, 8));
});

test("a list that grows by exactly a page during a walk goes on: no item lost, none given twice", async () => {
  const { mock } = client();
  const gist = new GistClient({ apiKey: "mock-key", baseUrl: "http://mock.invalid", fetch: mock.fetch, perPage: 1 });
  const before = (await gist.listUsers({ limit: 10000 })).map((user) => user.id);
  const seen = [];
  for await (const user of gist.iterUsers()) {
    seen.push(user.id);
    if (seen.length === 5) await gist.createLead({ email: "grown@example.org" }); // every contact moves one page on
  }
  assert.deepEqual(seen, before);
});

/** A client whose server answers /contacts?page=N with `pageOf(N)`'s contacts; `sent` counts the requests. */
function pagedClient(pageOf, options = {}) {
  const seen = { sent: 0 };
  const fetch = async (url) => {
    seen.sent += 1;
    const page = Number(new URL(url).searchParams.get("page"));
    const { contacts, last } = pageOf(page);
    const body = { contacts, pages: { next: last ? null : `/contacts?page=${page + 1}` } };
    return new Response(JSON.stringify(body), { headers: { "content-type": "application/json" } });
  };
  return { gist: new GistClient({ apiKey: "k", baseUrl: "http://gist.invalid", fetch, logLevel: "off", ...options }), seen };
}
const lead = (id) => ({ id, type: "lead", email: `lead${id}@example.com` });
const user = (id) => ({ id, type: "user", user_id: `u${id}` });

test("a walk reads past the pages that hold none of its kind: next() gets the next item, and resumes after it", async () => {
  const pages = { 1: [lead(1), lead(2)], 2: [lead(3)], 3: [lead(4)], 4: [user(5), user(6)], 5: [user(7)] };
  const { gist, seen } = pagedClient((page) => ({ contacts: pages[page] ?? [], last: page >= 5 }));
  const walk = gist.iterUsers();
  for await (const first of walk) {
    assert.equal(first.id, 5);
    break;
  }
  assert.equal(seen.sent, 4, "pages 1 to 4");
  const rest = [];
  for await (const next of gist.iterUsers({ cursor: walk.cursor })) rest.push(next.id);
  assert.deepEqual(rest, [6, 7], "resumed within page 4, not at page 1");
  assert.equal(seen.sent, 6, "pages 4 and 5 again, none of the leads' pages");
});

test("a list* call over endless pages fails after 10,000 of them without its limit, as a walk does, not with part of the list", async () => {
  // Before: listUsers({limit: 10}) resolved [] after 10,000 pages of leads, where iterUsers rejected.
  const { gist, seen } = pagedClient((page) => ({ contacts: [lead(2 * page), lead(2 * page + 1)], last: false }));
  await assert.rejects(gist.listUsers({ limit: 10 }), (error) => {
    assert.equal(error.code, "invalid_response");
    assert.match(error.message, /10000 pages without the list's end or its limit$/);
    return true;
  });
  assert.equal(seen.sent, 10_000);
  // A user on every 1,000th page: 9 of the 10 asked for in 10,000 pages is not the list either.
  const sparse = pagedClient((page) => ({ contacts: page % 1_000 === 0 ? [user(page)] : [lead(page)], last: false }));
  await assert.rejects(sparse.gist.listUsers({ limit: 11 }), (error) => error.code === "invalid_response");
  // The 10th user on page 10,000 fills the limit: the call resolves with them.
  const filled = pagedClient((page) => ({ contacts: page % 1_000 === 0 ? [user(page)] : [lead(page)], last: false }));
  const users = await filled.gist.listUsers({ limit: 10 });
  assert.equal(users.length, 10);
  assert.equal(users.at(-1).id, 10_000);
});

test("a walk over endless pages of none of its kind: next() fails after 10,000 pages, not in a loop, and sends nothing after", async () => {
  // Before: it read pages at thousands a second for ever (each page a call of its own, with its own deadline).
  const { gist, seen } = pagedClient((page) => ({ contacts: [lead(2 * page), lead(2 * page + 1)], last: false }));
  const walk = gist.iterUsers();
  await assert.rejects(walk.next(), (error) => {
    assert.equal(error.code, "invalid_response");
    assert.match(error.message, /10000 pages in a row with no item of this list$/);
    return true;
  });
  assert.equal(seen.sent, 10_000);
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.equal(seen.sent, 10_000, "no request after the walk failed");
  // A page with an item starts the count again: 9,999 pages of leads, a user, 9,999 more, then the end.
  const mixed = pagedClient((page) => ({ contacts: page % 10_000 === 0 ? [user(page)] : [lead(page)], last: page === 19_999 }));
  const users = [];
  for await (const found of mixed.gist.iterUsers()) users.push(found.id);
  assert.deepEqual(users, [10_000]);
});

// A program's lines that make `gist`, a client whose three pages of events each hold a first event of the
// same id and a second of none, too deep for Node's JSON.stringify; `names(page)` joins a page's names.
const DEEP_PAGES = `
  import { GistClient } from "gist-wasm";
  const deep = "[".repeat(12000) + "1" + "]".repeat(12000);
  const fetch = async (url) => {
    const page = Number(new URL(url).searchParams.get("page") ?? 1);
    const body = page <= 3 ? \`{"events":[{"id":1,"name":"tie\${page}"},{"name":"deep\${page}","properties":{"v":\${deep}}}],"pages":{"next":"x"}}\` : '{"events":[],"pages":{}}';
    return new Response(body, { headers: { "content-type": "application/json" } });
  };
  const gist = new GistClient({ apiKey: "k", baseUrl: "http://gist.invalid", perPage: 2, fetch, logLevel: "off" });
  const names = (page) => page.map((event) => event.name).join("+");
`;

test("a walk whose pages hold an item too deep to hash resumes in another process without losing a page (an outside review: its mark was a per-process counter, so the next page was taken for a repeat)", async () => {
  const first = await inFreshNode(`
    ${DEEP_PAGES}
    const walk = gist.iterEvents();
    for await (const page of walk.pages()) { console.log(JSON.stringify({ read: names(page), cursor: walk.cursor })); break; }
  `);
  const rest = await inFreshNode(`
    ${DEEP_PAGES}
    const read = [];
    for await (const page of gist.iterEvents({ cursor: ${JSON.stringify(first.cursor)} }).pages()) read.push(names(page));
    console.log(JSON.stringify(read));
  `);
  assert.equal(first.read, "tie1+deep1");
  assert.deepEqual(rest, ["tie2+deep2", "tie3+deep3"]);
});

test("pages too deep to hash stay unlike each other under a constant Math.random (a test's stub; an outside review: the list ended after its first page)", async () => {
  const read = await inFreshNode(`
    ${DEEP_PAGES}
    Math.random = () => 0.5;
    console.log(JSON.stringify((await gist.listEvents({ limit: 100 })).map((event) => event.name)));
  `);
  assert.deepEqual(read, ["tie1", "deep1", "tie2", "deep2", "tie3", "deep3"]);
});
