// The facts of docs/gist-api.md that `gist-wasm check` shows, each with its stable id, and the steps that
// show them. A step sends its requests through `ctx` (check-run.js) and reports each of its facts as
// confirmed, contradicted (with what it saw) or not shown. Reads come first; the writes touch only the run's
// own contacts (`<prefix>-<n>@example.com`), its tag and its prefixed event names.

/** Every fact the run reports, by id: what docs/gist-api.md says, and what to do when it is contradicted. */
export const FACTS = {
  "auth.bearer": { claim: "a Bearer API key is accepted" },
  "errors.unauthorized_status": { claim: "a wrong key answers 401", advice: "nothing to set: the client maps 401 and 403 to unauthorized and forbidden" },
  "errors.shape": { claim: 'errors are {"errors":[{"code","message"}]}' },
  "contacts.list.wrapper": { claim: 'GET /contacts answers {"contacts":[...]}' },
  "paging.pages": {
    claim: "a page has pages {first, last, next}",
    advice: "nothing to set: with no pages object the client ends a list on a page shorter than perPage (set perPage to the cap)",
  },
  "paging.max_per_page": { claim: "per_page is capped at 60", advice: "set the client option perPage to the cap seen" },
  "paging.default_per_page": { claim: "without per_page a page holds 50 (the mock's choice)", advice: "nothing to set: the client always sends per_page" },
  "contacts.list.created_since": { claim: "created_since filters contacts", advice: "do not rely on the created_since option of listUsers/listLeads" },
  "contacts.list.segment_id": { claim: "segment_id filters contacts" },
  "contacts.list.status": { claim: "status filters contacts" },
  "contacts.miss.code": { claim: 'a miss answers {"errors":[{"code":"not_found"}]}' },
  "contacts.miss.status": { claim: "a miss answers 404", advice: "nothing to set: the client reads the not_found code whatever the 4xx status but 401, 403 and 429" },
  "tags.list.wrapper": { claim: 'GET /tags answers {"tags":[...]}' },
  "segments.list.wrapper": { claim: 'GET /segments answers {"segments":[...]}' },
  "campaigns.list.wrapper": { claim: 'GET /campaigns answers {"campaigns":[...]}' },
  "campaigns.rates.strings": { claim: "campaign email_open_rate and email_click_rate are strings" },
  "campaigns.fetch.wrapper": { claim: 'GET /campaigns/{id} answers {"campaign":{...}}' },
  "segments.fetch.count": { claim: "GET /segments/{id}?include_count=true adds count" },
  "events.list.wrapper": { claim: 'GET /events?event_type=all answers {"events":[...]}' },
  "headers.rate_limit": {
    claim: "answers carry no rate-limit headers (the mock's choice)",
    advice: "nothing to set: the client reads X-RateLimit-* and RateLimit-* (withResponse().rateLimit)",
  },
  "headers.request_id": { claim: "answers carry no request-id header (the mock's choice)", advice: "nothing to set: the client reads x-request-id, request-id and x-amzn-requestid" },
  "tags.create": { claim: 'POST /tags {name} answers {"tag":{id,name}}' },
  "contacts.create.status": { claim: "creating a contact answers 200 (the mock's choice)", advice: "nothing to set: the client accepts any 2xx" },
  "contacts.upsert.wrapper": { claim: 'POST /contacts answers {"contact":{...}}' },
  "contacts.type": { claim: 'a contact with user_id is type "user", one created with type lead is "lead"' },
  "contacts.user_id.string": { claim: "user_id comes back as a string" },
  "contacts.phone.string": { claim: "phone comes back as a string" },
  "contacts.unsubscribed.string": { claim: 'unsubscribed_from_emails comes back as "true"/"false"' },
  "contacts.timestamps.seconds": { claim: "created_at is Unix seconds" },
  "contacts.missing_ref.status": { claim: "a contact with neither email nor user_id fails with 422", advice: "nothing to set: 400 and 422 are both invalid_request" },
  "contacts.fetch_by_id.wrapper": { claim: 'GET /contacts/{id} answers {"contact":{...}}' },
  "contacts.fetch_by_user_id.wrapper": { claim: 'GET /contacts?user_id= answers {"contact":{...}}', advice: "nothing to set: the client also reads a {\"contacts\":[...]} list there" },
  "contacts.fetch_by_email.wrapper": { claim: 'GET /contacts?email= answers {"contact":{...}}', advice: "nothing to set: the client also reads a {\"contacts\":[...]} list there" },
  "contacts.upsert.precedence": {
    claim: "the upsert matches on id before user_id, and on either beside a new email (email's place before them is not shown)",
    advice: "do not change an email with updateUser/updateLead: they send the contact's id, which Gist may not match first (it may create a new contact)",
  },
  "tags.tag_contacts": { claim: "POST /tags {name, contacts:[{id}]} tags contacts" },
  "tags.retag.idempotent": {
    claim: "sending the same tag request again leaves the contact tagged",
    advice: "give gist-wasm/queues' consume maxAttempts: 1, so that a failed tagContacts is dead-lettered, not sent again",
  },
  "contacts.list.tag_id": { claim: "tag_id filters contacts to the tag's", advice: "do not rely on the tag_id option of listUsers/listLeads" },
  "tags.rename": { claim: "POST /tags {id, name} renames" },
  "events.record.email": { claim: "POST /events {event_name, email} records an event" },
  "events.record.wrapper": { claim: 'recording an event answers {"event":{name,...}}' },
  "events.record.user_id": { claim: "POST /events {event_name, user_id} records an event", advice: "record events with user: { email } (the client sends user_id for user: { user_id })" },
  "events.name.normalised": { claim: "event names are stored with . and $ turned into -", advice: "nothing to set: the client normalises names before sending" },
  "events.missing_name": { claim: "an event without event_name fails" },
  "contacts.delete.answer": { claim: 'a delete answers 200 with {"contact":{...}} (the mock\'s choice)', advice: "nothing to set: the client accepts any 2xx" },
  "contacts.delete.effect": { claim: "a deleted contact is gone (a fetch misses)" },
  "tags.delete": { claim: "DELETE /tags/{id} deletes the tag" },
};

const is2xx = (status) => status >= 200 && status < 300;
const isObject = (v) => v !== null && typeof v === "object" && !Array.isArray(v);
/** An id the server gave, where it is a whole number, as it may go in a path; else undefined. */
export const wholeId = (v) => (Number.isSafeInteger(v) && v >= 0 ? v : undefined);
/**
 * Keeps in `listed` (ctx.listed) the ids of the tags and contacts a read's answer holds, in a list or alone:
 * they were there before the run wrote, so none is the run's own.
 */
export function rememberListed(listed, body) {
  for (const kind of ["tags", "contacts"]) {
    const items = [body?.[kind] ?? [], body?.[kind.slice(0, -1)] ?? []].flat();
    for (const item of items) if (isObject(item)) listed[kind].add(item.id);
  }
}
/** The id a server gave for the run's own tag or contact (`kind`, "tags" or "contacts"): a whole number no read listed, else undefined. */
export const ownId = (ctx, kind, v) => (ctx.listed[kind].has(v) ? undefined : wholeId(v));
/**
 * The id of the run's own contact that a 2xx answer shows: its contact has the run's `email` or user_id, or
 * (for a contact sent with neither) the run's `name`, and an id no read listed (ownId). Else undefined: an
 * answer naming another contact (the account's own, say) gives the run no id to write to or delete.
 */
export function runContactId(ctx, answer, { email, name }) {
  const contact = answer.body?.contact;
  const ours = isObject(contact) && (email === undefined ? contact.name === name : contact.email === email || String(contact.user_id) === ctx.userId);
  return is2xx(answer.status) && ours ? ownId(ctx, "contacts", contact.id) : undefined;
}
const errorsShape = (body) =>
  isObject(body) && Array.isArray(body.errors) && body.errors.length > 0 &&
  body.errors.every((e) => isObject(e) && typeof e.code === "string" && typeof e.message === "string");
/** A JSON value's type, in words: "a list", "an object", "a string", "null". */
const kind = (v) => (v === null ? "null" : Array.isArray(v) ? "a list" : isObject(v) ? "an object" : `a ${typeof v}`);
/** How many of an object's keys `keys` names; the rest it counts (an answer may hold millions). */
const MAX_KEYS = 50;
/** An answer's keys, as `{a, b}` (the first MAX_KEYS, then how many more), or what it is instead of an object. */
const keys = (body) => {
  if (isObject(body)) {
    const names = Object.keys(body);
    const more = names.length > MAX_KEYS ? `, … and ${(names.length - MAX_KEYS).toLocaleString("en-US")} more` : "";
    return `{${names.slice(0, MAX_KEYS).join(", ")}${more}}`;
  }
  return body === "" || body === null || body === undefined ? "no body" : kind(body);
};
/** An answer's list under `key`; undefined where it holds none, or something else there. */
const listIn = (answer, key) => (Array.isArray(answer.body?.[key]) ? answer.body[key] : undefined);
/** What an answer held where a list under `key` was read: its status, and what `key` held, or the body's keys. */
const noList = (answer, key) => `status ${answer.status}, ${isObject(answer.body) && key in answer.body ? `"${key}" is ${kind(answer.body[key])}` : keys(answer.body)}`;
const HEADERS = {
  "headers.rate_limit": /^(x-)?ratelimit-(limit|remaining|reset)$/,
  "headers.request_id": /^(x-request-id|request-id|x-amzn-requestid)$/,
};

/**
 * Reports `id` confirmed when `ok`, else contradicted with `seen`; not shown when one of `answers`, those
 * the fact rests on, was a 429 or a 5xx (ctx.report).
 */
function expect(ctx, id, ok, seen, answers) {
  ctx.report(id, ok ? "confirmed" : "contradicted", seen, answers);
}

/** Reports the wrapper fact `id` of a list's answer: confirmed where it holds a list under `key`, which it returns. */
function expectList(ctx, id, answer, key) {
  const list = listIn(answer, key);
  expect(ctx, id, list !== undefined, list ? keys(answer.body) : noList(answer, key), answer);
  return list;
}

/** The most pages of tags a listing reads, and the most tags it keeps: 60,000 tags. */
const MAX_TAG_PAGES = 1000;
const MAX_TAGS = MAX_TAG_PAGES * 60;

/**
 * Lists the account's tags (60 a page asked) through `ctx.call` (check-run.js; `--cleanup` passes a `call`
 * of its own), a request a page, every page, or until `until(tag)` holds for one. A page is the last when
 * its `pages` has no next, when it brings no tag not seen before (an empty page, or a server that repeats
 * a page, whatever its `pages` say), at page MAX_TAG_PAGES, or once MAX_TAGS are kept (a server whose
 * pages are far longer than asked).
 * Resolves `{ answers, tags, complete }` (`answers`: each page's status only): `tags` is undefined when a
 * page did not answer a list; `complete`, whether the last page read ends the list (empty, or its `pages`
 * with no next), so that no tag is left unread.
 */
export async function listTags(ctx, { until, cleanup } = {}) {
  const answers = [];
  const tags = new Map();
  let complete = false;
  for (let page = 1; page <= MAX_TAG_PAGES; page++) {
    const answer = await ctx.call("GET", "/tags", { query: { page, per_page: 60 }, cleanup });
    answers.push({ status: answer.status });
    const items = answer.body?.tags;
    if (!is2xx(answer.status) || !Array.isArray(items)) return { answers };
    // A tag without a whole-number id is no repeat of one by id: it is kept, under a key of its own.
    const fresh = items.filter((tag) => isObject(tag) && !tags.has(wholeId(tag.id)));
    for (const tag of fresh) tags.set(wholeId(tag.id) ?? Symbol("no id"), tag);
    const pages = answer.body.pages;
    complete = items.length === 0 || (isObject(pages) && !pages.next);
    if (fresh.some((tag) => until?.(tag)) || fresh.length === 0 || complete || tags.size >= MAX_TAGS) break;
  }
  return { answers, tags: [...tags.values()], complete };
}

/** Why a listing of tags (listTags' result) may not show a tag that is there: a page with no list, or pages unread. */
export const unlisted = ({ answers, tags }) => (tags ? `not every tag was read: ${answers.length} pages` : `the tags could not be listed: status ${answers.at(-1).status}`);

/** The reads: nothing here writes, and nothing of what they read is printed, only counts and field names. */
export const READS = [
  {
    name: "auth", requests: 2,
    async run(ctx) {
      const ok = await ctx.call("GET", "/tags", { query: { page: 1, per_page: 1 } });
      if (ok.status === 401 || ok.status === 403) {
        // A wrong key is refused under any scheme: the refusal shows nothing of Bearer's.
        ctx.keyRefused = true;
        ctx.report("auth.bearer", "not shown", `status ${ok.status}: the key was refused`, ok);
        throw new Error(`Gist refused the key (${ok.status}): check GIST_API_KEY. Nothing was written.`);
      }
      expect(ctx, "auth.bearer", is2xx(ok.status), `status ${ok.status}`, ok);
      expectList(ctx, "tags.list.wrapper", ok, "tags");
      const wrong = await ctx.call("GET", "/tags", { query: { page: 1, per_page: 1 }, wrongKey: true });
      expect(ctx, "errors.unauthorized_status", wrong.status === 401, `status ${wrong.status}`, wrong);
      expect(ctx, "errors.shape", errorsShape(wrong.body), keys(wrong.body), wrong);
    },
  },
  {
    name: "paging", requests: 3,
    async run(ctx) {
      const first = await ctx.call("GET", "/contacts", { query: { page: 1, per_page: 100 } });
      const list = expectList(ctx, "contacts.list.wrapper", first, "contacts");
      if (!list) {
        for (const id of ["paging.pages", "paging.max_per_page", "paging.default_per_page"]) ctx.report(id, "not shown", "no list of contacts", first);
        return;
      }
      ctx.listedContacts = list.length;
      const pages = first.body.pages;
      expect(ctx, "paging.pages", isObject(pages) && "first" in pages && "last" in pages && "next" in pages,
        isObject(pages) ? `pages ${keys(pages)}` : "no pages object", first);
      // A page of fewer than asked shows a cap only where more come after it: an account of exactly 60
      // contacts gives 60 whatever the cap.
      if (list.length > 60) ctx.report("paging.max_per_page", "contradicted", `${list.length} of 100 asked`, first);
      else {
        const second = await ctx.call("GET", "/contacts", { query: { page: 2, per_page: 100 } });
        const more = listIn(second, "contacts");
        if (!more) ctx.report("paging.max_per_page", "not shown", `page 2 held no list: ${noList(second, "contacts")}`, second);
        else if (more.length > 0 && more[0]?.id === list[0]?.id) ctx.report("paging.max_per_page", "not shown", "page 2 repeated page 1", second);
        else if (more.length > 0 && list.length === 60) ctx.report("paging.max_per_page", "confirmed", "60 of 100 asked, more on page 2", [first, second]);
        else if (more.length > 0) ctx.report("paging.max_per_page", "contradicted", `capped at ${list.length}`, [first, second]);
        else ctx.report("paging.max_per_page", "not shown", `the account has ${list.length} contacts`, second);
      }
      const plain = await ctx.call("GET", "/contacts", { query: { page: 1 } });
      const size = listIn(plain, "contacts")?.length;
      // As many as per_page=100 gave, and at most 50: a small account, or a cap, hides the default.
      if (size === list.length && size <= 50) ctx.report("paging.default_per_page", "not shown", `${size} on page 1, as many as per_page=100 gave`, plain);
      else expect(ctx, "paging.default_per_page", size === 50, `${size ?? noList(plain, "contacts")}`, plain);
    },
  },
  {
    name: "filters", requests: 1,
    async run(ctx) {
      // A filter shows itself only by dropping contacts it must drop: those the unfiltered list held, all
      // created before tomorrow.
      if (!ctx.listedContacts) ctx.report("contacts.list.created_since", "not shown", "the unfiltered list held no contact for it to drop");
      else {
        const future = Math.floor(Date.now() / 1000) + 86400;
        const answer = await ctx.call("GET", "/contacts", { query: { page: 1, per_page: 1, created_since: future } });
        const count = listIn(answer, "contacts")?.length;
        const seen = count === undefined ? noList(answer, "contacts") : count ? "contacts created before it" : "none";
        expect(ctx, "contacts.list.created_since", count === 0, seen, answer);
      }
      ctx.report("contacts.list.segment_id", "not shown", "needs a segment, which the API cannot create");
      ctx.report("contacts.list.status", "not shown", "the values of status are unknown");
    },
  },
  {
    name: "miss", requests: 1,
    async run(ctx) {
      const miss = await ctx.call("GET", "/contacts", { query: { email: ctx.email(0) } });
      expect(ctx, "contacts.miss.status", miss.status === 404, `status ${miss.status}`, miss);
      expect(ctx, "contacts.miss.code", miss.body?.errors?.[0]?.code === "not_found", keys(miss.body), miss);
    },
  },
  {
    name: "lists", requests: 5,
    async run(ctx) {
      const events = await ctx.call("GET", "/events", { query: { page: 1, per_page: 1, event_type: "all" } });
      expectList(ctx, "events.list.wrapper", events, "events");
      const segments = await ctx.call("GET", "/segments", { query: { page: 1, per_page: 1 } });
      const segmentList = expectList(ctx, "segments.list.wrapper", segments, "segments");
      const segment = segmentList?.[0];
      if (!isObject(segment)) ctx.report("segments.fetch.count", "not shown", segmentList ? "the account has no segment" : "no list of segments", segments);
      else if (wholeId(segment.id) === undefined) ctx.report("segments.fetch.count", "not shown", "the segment's id is not a whole number");
      else {
        const one = await ctx.call("GET", `/segments/${segment.id}`, { query: { include_count: true } });
        expect(ctx, "segments.fetch.count", typeof one.body?.segment?.count === "number", `status ${one.status}, ${keys(one.body?.segment ?? one.body)}`, one);
      }
      const campaigns = await ctx.call("GET", "/campaigns", { query: { page: 1, per_page: 1 } });
      const campaignList = expectList(ctx, "campaigns.list.wrapper", campaigns, "campaigns");
      const campaign = campaignList?.[0];
      if (!isObject(campaign)) {
        const why = campaignList ? "the account has no campaign" : "no list of campaigns";
        ctx.report("campaigns.rates.strings", "not shown", why, campaigns);
        ctx.report("campaigns.fetch.wrapper", "not shown", why, campaigns);
        return;
      }
      const types = `${typeof campaign.email_open_rate}, ${typeof campaign.email_click_rate}`;
      expect(ctx, "campaigns.rates.strings", types === "string, string", types, campaigns);
      if (wholeId(campaign.id) === undefined) {
        ctx.report("campaigns.fetch.wrapper", "not shown", "the campaign's id is not a whole number");
        return;
      }
      const one = await ctx.call("GET", `/campaigns/${campaign.id}`);
      expect(ctx, "campaigns.fetch.wrapper", isObject(one.body?.campaign), `status ${one.status}, ${keys(one.body)}`, one);
    },
  },
];

/** The writes, in order; each contact the run creates is `ctx.email(n)`; the user is tagged as it is created. */
export const WRITES = [
  {
    name: "tag", requests: 1,
    async run(ctx) {
      const answer = await ctx.call("POST", "/tags", { body: { name: ctx.tagName } });
      const tag = answer.body?.tag;
      // Only a 2xx naming the run's tag, with an id no read listed, gives its id: another tag the server
      // names is never renamed nor deleted.
      if (is2xx(answer.status) && isObject(tag) && tag.name === ctx.tagName) ctx.tagId = ownId(ctx, "tags", tag.id);
      const seen = isObject(tag) ? `tag ${keys(tag)}, id ${JSON.stringify(tag.id) ?? "none"}` : keys(answer.body);
      expect(ctx, "tags.create", is2xx(answer.status) && isObject(tag) && wholeId(tag.id) > 0 && tag.name === ctx.tagName, `status ${answer.status}, ${seen}`, answer);
      if (ctx.tagId === undefined) throw new Error("could not create the run's tag: nothing else is written");
    },
  },
  {
    name: "contacts", requests: 3,
    async run(ctx) {
      const userId = ctx.userId;
      const { answer: user, id: userContactId } = await ctx.create(1, { user_id: Number(userId), name: "gist-wasm check", phone: 5550100, unsubscribed_from_emails: true });
      expect(ctx, "contacts.create.status", user.status === 200, `status ${user.status}`, user);
      const c = user.body?.contact;
      expect(ctx, "contacts.upsert.wrapper", isObject(c), keys(user.body), user);
      if (!isObject(c)) throw new Error("could not create the run's contacts (no contact answered)");
      expect(ctx, "contacts.user_id.string", c.user_id === userId, `${typeof c.user_id}`, user);
      expect(ctx, "contacts.phone.string", typeof c.phone === "string", `${typeof c.phone}`, user);
      expect(ctx, "contacts.unsubscribed.string", c.unsubscribed_from_emails === "true", JSON.stringify(c.unsubscribed_from_emails), user);
      const now = Date.now() / 1000;
      expect(ctx, "contacts.timestamps.seconds", typeof c.created_at === "number" && Math.abs(c.created_at - now) < 86400, `${typeof c.created_at}`, user);
      if (userContactId === undefined) throw new Error("could not create the run's contacts (no 2xx answer showed the run's user with a whole-number id)");
      ctx.userContactId = userContactId;
      const { answer: lead, id: leadContactId } = await ctx.create(2, { type: "lead", unsubscribed_from_emails: true }, { tagged: false });
      // A lead answered as the run's user shows no contact of its own: the run stops at it, and the
      // clean-up deletes the lead, if one was made, by its email.
      if (leadContactId === userContactId) ctx.sentEmails.set(ctx.email(2), undefined);
      else ctx.leadContactId = leadContactId;
      expect(ctx, "contacts.type", c.type === "user" && lead.body?.contact?.type === "lead", `${c.type}, ${lead.body?.contact?.type}`, [user, lead]);
      // A contact this request may have made that no answer named has no address to find it by.
      const unnamed = `a contact named "${ctx.prefix} no email", if the request that got no answer made one (no address of the run: delete it by hand)`;
      let bad;
      try {
        bad = await ctx.call("POST", "/contacts", { body: { name: `${ctx.prefix} no email` } });
      } catch (error) {
        ctx.unfindable.push(unnamed);
        throw error;
      }
      const badId = runContactId(ctx, bad, { name: `${ctx.prefix} no email` });
      if (badId !== undefined) ctx.created.add(badId);
      else if (bad.status >= 500 || is2xx(bad.status)) ctx.unfindable.push(unnamed);
      expect(ctx, "contacts.missing_ref.status", bad.status === 422, `status ${bad.status}`, bad);
      if (ctx.leadContactId === undefined) throw new Error("could not create the run's lead (no answer showed it, apart from the user, with a whole-number id)");
    },
  },
  {
    name: "fetch", requests: 4,
    async run(ctx) {
      const byEmail = await ctx.call("GET", "/contacts", { query: { email: ctx.email(1) } });
      expect(ctx, "contacts.fetch_by_email.wrapper", isObject(byEmail.body?.contact), keys(byEmail.body), byEmail);
      const byUserId = await ctx.call("GET", "/contacts", { query: { user_id: ctx.userId } });
      expect(ctx, "contacts.fetch_by_user_id.wrapper", isObject(byUserId.body?.contact), keys(byUserId.body), byUserId);
      const byId = await ctx.call("GET", `/contacts/${ctx.userContactId}`);
      expect(ctx, "contacts.fetch_by_id.wrapper", byId.body?.contact?.id === ctx.userContactId, keys(byId.body), byId);
      // Before the lead is tagged: only the user has the tag; the lead, which the filter must drop, has not.
      const listed = await ctx.call("GET", "/contacts", { query: { tag_id: ctx.tagId, page: 1, per_page: 100 } });
      const ids = listIn(listed, "contacts")?.map((contact) => contact?.id);
      if (!ids) {
        ctx.report("contacts.list.tag_id", "contradicted", noList(listed, "contacts"), listed);
        return;
      }
      const untagged = ids.filter((id) => id !== ctx.userContactId).length;
      expect(ctx, "contacts.list.tag_id", untagged === 0 && ids.includes(ctx.userContactId),
        untagged ? `${untagged} of ${ids.length} listed without the tag` : `status ${listed.status}, ${ids.length} contacts`, listed);
    },
  },
  {
    name: "events", requests: 4,
    async run(ctx) {
      const name = `${ctx.prefix}-signed-in`;
      const byEmail = await ctx.call("POST", "/events", { body: { event_name: name, email: ctx.email(1) } });
      expect(ctx, "events.record.email", is2xx(byEmail.status), `status ${byEmail.status}`, byEmail);
      expect(ctx, "events.record.wrapper", typeof byEmail.body?.event?.name === "string", keys(byEmail.body), byEmail);
      const byUserId = await ctx.call("POST", "/events", { body: { event_name: name, user_id: ctx.userId } });
      expect(ctx, "events.record.user_id", is2xx(byUserId.status), `status ${byUserId.status}`, byUserId);
      const dotted = await ctx.call("POST", "/events", { body: { event_name: `${ctx.prefix}.dot$dollar`, email: ctx.email(1) } });
      const stored = dotted.body?.event?.name;
      if (typeof stored !== "string") ctx.report("events.name.normalised", "not shown", `status ${dotted.status}, ${keys(dotted.body)}`, dotted);
      else expect(ctx, "events.name.normalised", stored === `${ctx.prefix}-dot-dollar`, stored.replace(ctx.prefix, "<prefix>"), dotted);
      const nameless = await ctx.call("POST", "/events", { body: { email: ctx.email(1) } });
      expect(ctx, "events.missing_name", nameless.status >= 400 && nameless.status < 500, `status ${nameless.status}`, nameless);
    },
  },
  {
    name: "tagging", requests: 4,
    async run(ctx) {
      // Before the upsert naming the lead (which a server may merge the user, and its tag, into): nothing
      // since the lead's creation, untagged, gives it the tag but this request.
      const body = { name: ctx.tagName, contacts: [{ id: ctx.leadContactId }] };
      const fetchLead = () => ctx.call("GET", `/contacts/${ctx.leadContactId}`);
      // What a fetch of the lead says of the run's tag: "tagged", "not tagged", or what its tags are instead of a list.
      const tagging = (lead) => {
        const tags = lead.body?.contact?.tags ?? [];
        if (!Array.isArray(tags)) return `"tags" is ${kind(tags)}`;
        return tags.some((t) => t?.id === ctx.tagId) ? "tagged" : "not tagged";
      };
      const first = await ctx.call("POST", "/tags", { body });
      const lead = await fetchLead();
      const before = tagging(lead);
      const tagged = is2xx(first.status) && before === "tagged";
      expect(ctx, "tags.tag_contacts", tagged, `status ${first.status}, ${before}`, [first, lead]);
      const again = await ctx.call("POST", "/tags", { body });
      const leadAgain = await fetchLead();
      const after = tagging(leadAgain);
      if (!tagged) ctx.report("tags.retag.idempotent", "not shown", "the first tag request did not tag", [first, lead]);
      else expect(ctx, "tags.retag.idempotent", is2xx(again.status) && after === "tagged", `status ${again.status}, ${after === "not tagged" ? "untagged by the second request" : after}`, [again, leadAgain]);
    },
  },
  {
    name: "upsert", requests: 3,
    async run(ctx) {
      // A new email beside the user's id, then beside its user_id: matching on either changes the user,
      // matching on the email first would create a contact (ctx.create remembers each, for the clean-up).
      const answers = [(await ctx.create(3, { id: ctx.userContactId })).answer, (await ctx.create(4, { user_id: ctx.userId })).answer];
      if (!answers.every((answer) => answer.body?.contact?.id === ctx.userContactId)) {
        expect(ctx, "contacts.upsert.precedence", false, "a new contact: an id or a user_id beside a new email was not matched", answers);
        return;
      }
      // The lead's id beside the user's user_id (and a new email, by which --cleanup finds a contact made of
      // it): the contact matched takes the other's user_id or that email; both are the run's.
      const { answer: both } = await ctx.create(5, { id: ctx.leadContactId, user_id: ctx.userId }, { tagged: false });
      answers.push(both);
      const matched = both.body?.contact?.id;
      if (!is2xx(both.status)) {
        ctx.report("contacts.upsert.precedence", "not shown", `status ${both.status} to a body whose id and user_id name two contacts`, answers);
        return;
      }
      // Every email sent is new: whether an email naming another contact comes before the id is not shown.
      const seen = matched === ctx.leadContactId ? "the id matched before the user_id, and each beside a new email; email's place before them not shown"
        : matched === ctx.userContactId ? "the user_id matched before the id"
        : isObject(both.body?.contact) ? "a contact neither the id nor the user_id names" : keys(both.body);
      expect(ctx, "contacts.upsert.precedence", matched === ctx.leadContactId, seen, answers);
    },
  },
  {
    name: "rename", requests: 3,
    async run(ctx) {
      const name = `${ctx.tagName}-renamed`;
      const answer = await ctx.call("POST", "/tags", { body: { id: ctx.tagId, name } });
      // Shown by the list of tags, not by the answer: a server may answer the new name and keep the old.
      const listing = await listTags(ctx, { until: (tag) => tag.id === ctx.tagId });
      const tag = listing.tags?.find((t) => t.id === ctx.tagId);
      if (!tag && !listing.complete) {
        ctx.report("tags.rename", "not shown", unlisted(listing), answer);
        return;
      }
      const listed = tag ? `listed as ${String(tag.name).replace(ctx.prefix, "<prefix>")}` : "not listed";
      expect(ctx, "tags.rename", is2xx(answer.status) && tag?.name === name, `status ${answer.status}, ${listed}`, answer);
    },
  },
  {
    name: "delete", requests: 2,
    async run(ctx) {
      const answer = await ctx.call("DELETE", `/contacts/${ctx.leadContactId}`);
      if (is2xx(answer.status)) ctx.created.delete(ctx.leadContactId);
      expect(ctx, "contacts.delete.answer", answer.status === 200 && isObject(answer.body?.contact), `status ${answer.status}, ${keys(answer.body)}`, answer);
      const gone = await ctx.call("GET", `/contacts/${ctx.leadContactId}`);
      expect(ctx, "contacts.delete.effect", gone.status === 404 || gone.body?.errors?.[0]?.code === "not_found", `status ${gone.status}`, [answer, gone]);
      // The tag goes last, in the clean-up: a run killed before then is still found by it (--cleanup).
    },
  },
];

/**
 * Deletes the run's tag, then lists the tags to see it gone (the clean-up's last step): on none of the
 * pages of a listing that read them all. Resolves whether it is.
 */
export async function deleteTag(ctx) {
  const answer = await ctx.call("DELETE", `/tags/${ctx.tagId}`, { cleanup: true });
  const listing = await listTags(ctx, { cleanup: true });
  const listed = listing.tags?.some((tag) => tag.id === ctx.tagId);
  if (!listed && !listing.complete) {
    ctx.report("tags.delete", "not shown", unlisted(listing), answer);
    return false;
  }
  expect(ctx, "tags.delete", is2xx(answer.status) && !listed, `status ${answer.status}${listed ? ", still listed" : ""}`, answer);
  return !listed;
}

/**
 * Reports the header facts from every answer the run saw but its 429s and 5xxs, unless it saw none or the
 * key was refused.
 */
export function reportHeaders(ctx) {
  if (ctx.headerAnswers === 0 || ctx.keyRefused) return;
  for (const [id, pattern] of Object.entries(HEADERS)) {
    const seen = [...new Set(ctx.headerNames.filter((name) => pattern.test(name)))];
    expect(ctx, id, seen.length === 0, seen.length ? `sends ${seen.join(", ")}` : "none", []); // every such answer's headers
  }
}
