// A fake Gist API, written apart from gist-wasm/mock, that takes the other choice wherever docs/gist-api.md
// says a fact is only inferred or unknown and the client has an option or a tolerance for it, and answers a
// fetch by email or user_id with the list the client tolerates there (CONTRARY_FACTS lists each, by its
// id); it keeps every other fact. The conformance run must report exactly those facts contradicted, and the
// client must work here through its documented options. Loopback HTTP on an ephemeral port.
import { createServer } from "node:http";
import { once } from "node:events";

/** The ids of the facts this fake contradicts, and how. */
export const CONTRARY_FACTS = {
  "errors.unauthorized_status": "a wrong key answers 403",
  "paging.pages": "no pages object",
  "paging.max_per_page": "per_page capped at 50",
  "paging.default_per_page": "20 a page without per_page",
  "contacts.list.created_since": "created_since ignored",
  "contacts.miss.status": "a miss answers 422",
  "headers.rate_limit": "RateLimit-* headers on every answer",
  "headers.request_id": "x-request-id on every answer",
  "contacts.create.status": "a create answers 201",
  "contacts.missing_ref.status": "a contact without email or user_id answers 400",
  "contacts.fetch_by_email.wrapper": 'fetch by email answers {"contacts":[...]}',
  "contacts.fetch_by_user_id.wrapper": 'fetch by user_id answers {"contacts":[...]}',
  "contacts.upsert.precedence": "the email is matched first",
  "tags.retag.idempotent": "a repeated tag request untags",
  "contacts.list.tag_id": "tag_id ignored",
  "events.record.user_id": "an event by user_id answers 422",
  "events.name.normalised": "event names stored as sent",
  "contacts.delete.answer": "a delete answers 204 with no body",
};

export const CONTRARY_KEY = "contrary-key";
const CAP = 50;

function seed(count) {
  const contacts = [];
  for (let i = 1; i <= count; i++) {
    const user = i % 2 === 0;
    contacts.push({
      id: 70000 + i, type: user ? "user" : "lead", user_id: user ? String(800 + i) : null,
      email: `person${i}@example.org`, name: `Person ${i}`, phone: null, unsubscribed_from_emails: "false",
      created_at: 1_600_000_000 + i, updated_at: 1_600_000_000 + i, signed_up_at: 0, last_seen_at: null, tags: [],
    });
  }
  return { contacts, tags: [{ id: 1, name: "existing" }], events: [], nextId: 90000 };
}

/**
 * Starts the fake with `contacts` seeded contacts (default 130: more than two capped pages). Resolves
 * `{ url, state, requests, close }`; `requests` logs `{ method, path }` of each request.
 */
export async function serveContrary({ contacts = 130 } = {}) {
  const state = seed(contacts);
  const requests = [];
  const server = createServer(async (req, res) => {
    const chunks = [];
    for await (const chunk of req) chunks.push(chunk);
    const url = new URL(req.url, "http://fake");
    requests.push({ method: req.method, path: url.pathname });
    let body;
    try {
      body = chunks.length ? JSON.parse(Buffer.concat(chunks).toString("utf8")) : undefined;
    } catch {
      body = undefined;
    }
    const [status, answer] = req.headers.authorization === `Bearer ${CONTRARY_KEY}`
      ? answerFor(state, req.method, url, body)
      : [403, { errors: [{ code: "forbidden", message: "Bad key" }] }];
    const headers = {
      "ratelimit-limit": "600", "ratelimit-remaining": "599", "ratelimit-reset": "60",
      "x-request-id": `req-${requests.length}`,
    };
    if (answer === undefined) {
      res.writeHead(status, headers).end();
    } else {
      res.writeHead(status, { ...headers, "content-type": "application/json" }).end(JSON.stringify(answer));
    }
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    state,
    requests,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

const miss = () => [422, { errors: [{ code: "not_found", message: "No such record" }] }];
const wire = (state, c) => ({ ...c, tags: c.tags.map((id) => state.tags.find((t) => t.id === id)).filter(Boolean) });

function page(url, items, key) {
  const asked = Number(url.searchParams.get("per_page")) || 20;
  const size = Math.min(asked, CAP);
  const n = Math.max(1, Number(url.searchParams.get("page")) || 1);
  return [200, { [key]: items.slice((n - 1) * size, n * size) }];
}

function upsert(state, body) {
  if (!body?.email && body?.user_id === undefined) return [400, { errors: [{ code: "invalid", message: "email or user_id" }] }];
  // The email first, then user_id, then id: the opposite of the inferred precedence.
  let contact = body.email
    ? state.contacts.find((c) => c.email === body.email)
    : state.contacts.find((c) => (body.user_id !== undefined && c.user_id === String(body.user_id)) || c.id === body.id);
  const created = !contact;
  if (!contact) {
    const now = Math.floor(Date.now() / 1000);
    contact = { id: state.nextId++, type: "lead", user_id: null, email: null, name: null, phone: null, unsubscribed_from_emails: "false", created_at: now, updated_at: now, signed_up_at: 0, last_seen_at: null, tags: [] };
    state.contacts.push(contact);
  }
  for (const field of ["email", "name"]) if (body[field] !== undefined) contact[field] = body[field];
  if (body.phone !== undefined) contact.phone = String(body.phone);
  if (body.user_id !== undefined) contact.user_id = String(body.user_id);
  if (body.unsubscribed_from_emails !== undefined) contact.unsubscribed_from_emails = String(body.unsubscribed_from_emails);
  contact.type = contact.user_id && body.type !== "lead" ? "user" : "lead";
  for (const name of body.tags ?? []) contact.tags.push(tagNamed(state, name).id);
  return [created ? 201 : 200, { contact: wire(state, contact) }];
}

function tagNamed(state, name) {
  let tag = state.tags.find((t) => t.name === name);
  if (!tag) {
    tag = { id: Math.max(0, ...state.tags.map((t) => t.id)) + 1, name };
    state.tags.push(tag);
  }
  return tag;
}

function writeTag(state, body) {
  if (body?.id !== undefined) {
    const tag = state.tags.find((t) => t.id === body.id);
    if (!tag) return miss();
    tag.name = body.name;
    return [200, { tag }];
  }
  const tag = tagNamed(state, body.name);
  for (const target of body.contacts ?? []) {
    const contact = state.contacts.find((c) => c.id === target.id);
    if (!contact) continue;
    // A repeated request toggles: tagging a tagged contact untags it.
    const has = contact.tags.includes(tag.id);
    contact.tags = contact.tags.filter((id) => id !== tag.id);
    if (!target.untag && !has) contact.tags.push(tag.id);
  }
  return [200, { tag }];
}

function answerFor(state, method, url, body) {
  const [resource, id, extra] = url.pathname.split("/").filter(Boolean);
  if (extra !== undefined) return miss();
  const q = url.searchParams;
  if (resource === "contacts") {
    const byQuery = () =>
      q.has("email") ? state.contacts.find((c) => c.email === q.get("email"))
      : q.has("user_id") ? state.contacts.find((c) => c.user_id === q.get("user_id")) : undefined;
    const contact = id ? state.contacts.find((c) => c.id === Number(id)) : byQuery();
    if (method === "GET" && (id || q.has("email") || q.has("user_id"))) {
      if (!contact) return miss();
      return id ? [200, { contact: wire(state, contact) }] : [200, { contacts: [wire(state, contact)] }];
    }
    if (method === "GET") return page(url, state.contacts.map((c) => wire(state, c)), "contacts");
    if (method === "POST" && !id) return upsert(state, body);
    if (method === "DELETE") {
      if (!contact) return miss();
      state.contacts = state.contacts.filter((c) => c !== contact);
      return [204, undefined];
    }
  }
  if (resource === "tags") {
    if (method === "GET" && !id) return page(url, state.tags, "tags");
    if (method === "POST" && !id) return writeTag(state, body);
    if (method === "DELETE" && id) {
      const before = state.tags.length;
      state.tags = state.tags.filter((t) => t.id !== Number(id));
      return state.tags.length < before ? [204, undefined] : miss();
    }
  }
  if (resource === "events" && !id) {
    if (method === "GET") return page(url, state.events, "events");
    if (method === "POST") {
      if (typeof body?.event_name !== "string") return [422, { errors: [{ code: "invalid", message: "event_name" }] }];
      if (!body.email) return [422, { errors: [{ code: "invalid", message: "email is required" }] }];
      const contact = state.contacts.find((c) => c.email === body.email);
      if (!contact) return miss();
      const event = { id: state.events.length + 1, name: body.event_name, contact_id: contact.id, occurred_at: Math.floor(Date.now() / 1000) };
      state.events.push(event);
      return [200, { event }];
    }
  }
  if (resource === "segments" && method === "GET") {
    const segment = { id: 1, name: "All", created_at: 0, updated_at: 0 };
    if (!id) return page(url, [segment], "segments");
    if (Number(id) !== segment.id) return miss();
    return [200, { segment: q.get("include_count") === "true" ? { ...segment, count: state.contacts.length } : segment }];
  }
  if (resource === "campaigns" && method === "GET") {
    const campaign = { id: 5, name: "Hello", status: "live", email_open_rate: "40.0", email_click_rate: "5.00", created_at: 0, updated_at: 0 };
    if (!id) return page(url, [campaign], "campaigns");
    return Number(id) === campaign.id ? [200, { campaign }] : miss();
  }
  return miss();
}
