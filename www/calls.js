// Every Gist module of the demo: one section per resource, one form per function, with the seed's fields.
// `args(v)` turns the form's values into the function's arguments. A form runs `gist[fn](...args)` on
// the client, unless it has `run(context, args)` (an iterator's walk, a function of the package itself,
// `module: true`); `code(args, values)`, when given, is the code shown instead of `await gist.fn(...)`.
import { literal } from "./explain.js";

// A contact's fields for create or update: the ones most calls set first, the rest behind "More fields"
// (`more: true`). A new user needs its user id; a new lead its email; an update needs neither.
const contactFields = (kind, forUpdate) => {
  const userId = { kind: "text", name: "user_id", label: "User id", placeholder: "12345", hint: "a whole number" };
  return [
    ...(kind === "user" && !forUpdate ? [{ ...userId, required: true }] : []),
    { kind: "text", name: "email", label: "Email address", type: "email", placeholder: "ada@example.com", required: kind === "lead" && !forUpdate },
    { kind: "text", name: "name", label: "Name", placeholder: "Ada Lovelace" },
    { kind: "text", name: "tags", label: "Tags", list: true, placeholder: "VIP, trial", hint: "comma-separated" },
    ...(kind === "user" && forUpdate ? [{ ...userId, more: true, hint: "a new user id" }] : []),
    { kind: "text", name: "phone", label: "Phone", placeholder: "+1 555 0100", more: true },
    { kind: "text", name: "last_seen_ip", label: "Last seen IP address", placeholder: "203.0.113.7", more: true },
    { kind: "text", name: "last_seen_user_agent", label: "Last seen user agent", placeholder: "Mozilla/5.0", more: true },
    { kind: "select", name: "unsubscribed_from_emails", label: "Unsubscribed from emails", bool: true, more: true, options: [["", forUpdate ? "(unchanged)" : "(not set)"], ["true", "Yes"], ["false", "No"]] },
    { kind: "props", name: "custom_properties", more: true },
  ];
};

/** Drops undefined values; unchecked boxes read as undefined. */
const clean = (object) => Object.fromEntries(Object.entries(object).filter(([, v]) => v !== undefined));

const listFields = [
  { kind: "number", name: "limit", label: "Limit", value: "100", min: "1", hint: "the most returned, up to 10000" },
  { kind: "select", name: "filter_by", label: "Filter by", options: [["", "(none)"], ["segment_id", "Segment id"], ["tag_id", "Tag id"], ["created_since", "Created since (Unix time)"]] },
  { kind: "text", name: "filter_value", label: "Filter value", placeholder: "3 or a Unix time" },
  { kind: "text", name: "status", label: "Status" },
  { kind: "select", name: "order_by", label: "Sort by", options: [["", "(default)"], ["created_at", "Created"], ["last_seen_at", "Last seen"], ["signed_up_at", "Signed up"], ["updated_at", "Updated"]] },
  { kind: "select", name: "order", label: "Order", options: [["desc", "Newest first"], ["asc", "Oldest first"]] },
];

const listArgs = (v) => {
  const options = clean({ limit: v.limit, status: v.status, order_by: v.order_by, order: v.order });
  if (v.filter_by && v.filter_value) options[v.filter_by] = Number(v.filter_value);
  return [options];
};

/**
 * An `iter*` form: the list's fields (any limit: empty walks to the end), a cursor to resume from, and how
 * many pages to show (a choice of the demo, not an argument: the walk stops after them). `options(v)` is
 * the list's options; with a cursor, only the limit goes with it (the cursor carries the filters).
 */
const MAX_PAGES = 10;
const iterForm = (title, fn, fields, options) => ({
  title: `Iterate ${title}`,
  fn,
  fields: [
    ...fields.map((f) => (f.name === "limit" ? { ...f, value: "", hint: "the most handed out; empty: all" } : f)),
    { kind: "text", name: "cursor", label: "Cursor", placeholder: "a cursor shown after a page", hint: "resumes a walk: only the limit goes with it" },
    { kind: "number", name: "pages", label: "Pages to show", value: "3", min: "1", max: String(MAX_PAGES), hint: `the walk stops after them (at most ${MAX_PAGES})` },
  ],
  args: (v) => [v.cursor ? clean({ cursor: v.cursor, limit: v.limit }) : options(v)],
  /** Walks `pages()` for at most the pages asked for, noting the cursor after each page. */
  async run({ client, signal, values }, args) {
    const most = Math.min(Math.max(values.pages ?? 3, 1), MAX_PAGES);
    const walk = (await client())[fn](...args, { signal });
    const pages = [];
    for await (const items of walk.pages()) {
      pages.push({ items, cursor: walk.cursor });
      if (pages.length >= most) return { pages, stopped: true };
    }
    // A walk its limit ended may go on: its cursor resumes after the last item handed out.
    const handed = pages.reduce((n, page) => n + page.items.length, 0);
    return { pages, stopped: false, limited: args[0]?.limit !== undefined && handed >= args[0].limit };
  },
  code: (args, values) => [
    `const walk = gist.${fn}(${literal(args[0])});`,
    "let pages = 0;",
    "for await (const page of walk.pages()) {",
    "  console.log(page, walk.cursor); // a page of items, and where the walk goes on after it",
    `  if (++pages === ${Math.min(Math.max(values.pages ?? 3, 1), MAX_PAGES)}) break;`,
    "}",
  ].join("\n"),
});
const limitOnly = (v) => clean({ limit: v.limit });
const limitField = { kind: "number", name: "limit", label: "Limit", value: "100", min: "1" };

const contactSection = (kind) => {
  const Kind = kind === "user" ? "User" : "Lead";
  const ways = kind === "user" ? ["id", "user_id", "email"] : ["id", "email"];
  const ref = { kind: "ref", name: "ref", ways, label: `${Kind} by` };
  const fields = (v) => clean({ ...v, ref: undefined });
  return {
    id: `${kind}s`,
    title: `${Kind}s`,
    intro: kind === "user" ? "A user is a contact with a user id (your own); name one by its Gist id, user id or email." : "A lead is a contact without a user id; name one by its Gist id or email.",
    forms: [
      { title: `Create ${Kind}`, fn: `create${Kind}`, fields: contactFields(kind, false), args: (v) => [fields(v)] },
      { title: `Update ${Kind}`, fn: `update${Kind}`, fields: [ref, ...contactFields(kind, true)], args: (v) => [v.ref, fields(v)] },
      { title: `Fetch ${Kind}`, fn: `fetch${Kind}`, fields: [ref], args: (v) => [v.ref] },
      { title: `List ${Kind}s`, fn: `list${Kind}s`, fields: listFields, args: listArgs },
      iterForm(`${Kind}s`, `iter${Kind}s`, listFields, (v) => listArgs(v)[0]),
      { title: `Delete ${Kind}`, fn: `delete${Kind}`, fields: [ref], args: (v) => [v.ref] },
    ],
  };
};

/** Targets from a textarea: one per line, `123` (id), `user_id:42` or an email; `-` first to untag. */
export function targets(text = "", untagAll = false) {
  return text.split("\n").map((line) => line.trim()).filter(Boolean).map((line) => {
    const untag = untagAll || line.startsWith("-");
    const value = line.replace(/^-/, "").trim();
    const target = value.includes("@") ? { email: value } : value.startsWith("user_id:") ? { user_id: value.slice(8).trim() } : { id: Number(value) };
    return untag ? { ...target, untag: true } : target;
  });
}

const includeCount = { kind: "checkbox", name: "include_count", label: "Include count" };
const segmentOptions = (v) => clean({ limit: v.limit, include_count: !!v.include_count });

export const SECTIONS = [
  contactSection("user"),
  contactSection("lead"),
  {
    id: "tags",
    title: "Tags",
    intro: 'Names are kept exactly as given: through the API "TAG" and "tag" are two tags.',
    forms: [
      { title: "Create Tag", fn: "createTag", fields: [{ kind: "text", name: "name", label: "Tag name", required: true }], args: (v) => [v.name] },
      { title: "Update Tag", fn: "updateTag", fields: [{ kind: "number", name: "id", label: "Tag id", required: true }, { kind: "text", name: "name", label: "New name", required: true }], args: (v) => [v.id, v.name] },
      {
        title: "Tag/Untag Users or Leads",
        fn: "tagContacts",
        fields: [
          { kind: "text", name: "tag", label: "Tag name", required: true, hint: "created if it does not exist" },
          { kind: "textarea", name: "users", label: "Users", placeholder: "1001\nuser_id:5002\nada@example.com\n-1003 (untag)", hint: "one per line: id, user_id:N or email; - to untag" },
          { kind: "textarea", name: "leads", label: "Leads", placeholder: "1004\nlead@example.com" },
          { kind: "checkbox", name: "untag", label: "Untag all of them" },
        ],
        args: (v) => [{ tag: v.tag, users: targets(v.users, v.untag), leads: targets(v.leads, v.untag) }],
      },
      { title: "List Tags", fn: "listTags", fields: [limitField], args: (v) => [limitOnly(v)] },
      iterForm("Tags", "iterTags", [limitField], limitOnly),
      { title: "Delete Tag", fn: "deleteTag", fields: [{ kind: "number", name: "id", label: "Tag id", required: true }], args: (v) => [v.id] },
    ],
  },
  {
    id: "segments",
    title: "Segments",
    forms: [
      { title: "Fetch Segment", fn: "fetchSegment", fields: [{ kind: "number", name: "id", label: "Segment id", required: true, value: "1" }, { kind: "checkbox", name: "include_count", label: "Include count" }], args: (v) => [v.id, { include_count: !!v.include_count }] },
      { title: "List Segments", fn: "listSegments", fields: [limitField, includeCount], args: (v) => [segmentOptions(v)] },
      iterForm("Segments", "iterSegments", [limitField, includeCount], segmentOptions),
    ],
  },
  {
    id: "campaigns",
    title: "Campaigns",
    forms: [
      { title: "Fetch Campaign", fn: "fetchCampaign", fields: [{ kind: "number", name: "id", label: "Campaign id", required: true, value: "100" }], args: (v) => [v.id] },
      { title: "List Campaigns", fn: "listCampaigns", fields: [limitField], args: (v) => [limitOnly(v)] },
      iterForm("Campaigns", "iterCampaigns", [limitField], limitOnly),
    ],
  },
  {
    id: "events",
    title: "Events",
    intro: "Periods (.) and dollars ($) in event names become hyphens, as Gist stores them.",
    forms: [
      {
        title: "Record Tracked Event",
        fn: "recordEvent",
        fields: [
          { kind: "text", name: "event_name", label: "Event name", required: true, placeholder: "completed.order", preview: true },
          { kind: "select", name: "who", label: "Whose event", options: [["user", "A user"], ["lead", "A lead"]] },
          { kind: "ref", name: "ref", label: "Contact by" },
          { kind: "textarea", name: "properties", label: "Properties (JSON)", json: true, rows: 3, placeholder: '{"total": 42}' },
        ],
        args: (v) => [clean({ event_name: v.event_name, [v.who]: v.ref, properties: v.properties })],
      },
      { title: "List Tracked Events", fn: "listEvents", fields: [limitField], args: (v) => [limitOnly(v)] },
      iterForm("Tracked Events", "iterEvents", [limitField], limitOnly),
    ],
  },
  {
    id: "api-call",
    title: "API call",
    intro: "Any path of the API, relative to the base URL; the client adds the Authorization header.",
    forms: [
      {
        title: "API call",
        fn: "apiCall",
        fields: [
          { kind: "select", name: "method", label: "Method", options: ["GET", "POST", "PUT", "PATCH", "DELETE"] },
          { kind: "text", name: "url", label: "URL", required: true, value: "/contacts", hint: "a path, such as /contacts or /teams" },
          { kind: "textarea", name: "query", label: "Query string (JSON)", json: true, rows: 2, placeholder: '{"per_page": 5}' },
          { kind: "textarea", name: "headers", label: "Headers (JSON)", json: true, rows: 2, placeholder: '{"X-Trace": "demo"}' },
          { kind: "textarea", name: "body", label: "Body (JSON)", json: true, rows: 3 },
        ],
        args: (v) => [clean({ method: v.method, url: v.url, query: v.query, headers: v.headers, body: v.body })],
      },
    ],
  },
];

const SAMPLE_BODY = JSON.stringify({ topic: "user.created", contact: { id: 1001, email: "ada@example.com" } });
const schemeField = (value) => ({ kind: "select", name: "scheme", label: "Scheme", options: ["token", "hmac-sha256", "hmac-sha1"], value });
const bodyField = { kind: "textarea", name: "body", label: "Body", rows: 4, value: SAMPLE_BODY, raw: true, wide: true, hint: "sent as it is: not trimmed" };

/** The webhook functions of the package (no client, no HTTP): cards beside the inspector and the live receiver. */
export const WEBHOOK_FORMS = [
  {
    title: "Sign Webhook",
    fn: "signWebhook",
    module: true,
    fields: [
      bodyField,
      { kind: "text", name: "secret", label: "Secret", value: "s3cret", required: true },
      schemeField("hmac-sha256"),
      { kind: "text", name: "header", label: "Header", placeholder: "the scheme's default", hint: "empty: x-gist-webhook-token or x-gist-signature" },
      { kind: "select", name: "encoding", label: "Signature encoding", options: ["hex", "base64"] },
    ],
    args: (v) => [v.body ?? "", clean({ secret: v.secret, scheme: v.scheme, header: v.header, encoding: v.scheme === "token" ? undefined : v.encoding })],
    run: ({ sdk }, args) => sdk.signWebhook(...args),
  },
  {
    title: "Handle Webhook",
    fn: "handleWebhook",
    module: true,
    fields: [
      bodyField,
      { kind: "text", name: "header", label: "Header of the delivery", value: "x-gist-webhook-token", hint: "Sign Webhook gives an HMAC's header and value" },
      { kind: "text", name: "signature", label: "Its value", value: "s3cret", placeholder: "the token or signature" },
      { kind: "text", name: "secret", label: "Secret to verify with", value: "s3cret", hint: "empty: parsed, not verified" },
      schemeField("token"),
    ],
    // The request a receiver gets: a POST of these bytes with this header.
    args: (v) => [
      { method: "POST", headers: v.header && v.signature ? { [v.header]: v.signature } : {}, body: v.body ?? "" },
      ...(v.secret ? [{ verify: { secret: v.secret, scheme: v.scheme } }] : []),
    ],
    run: ({ sdk, signal }, [init, options]) => {
      let request;
      try {
        request = new Request(`${location.origin}/webhooks`, { ...init, signal });
      } catch (error) {
        // A header name or value HTTP cannot carry: the receiver could never get such a delivery.
        throw new sdk.GistError("invalid_argument", `no delivery can carry that header: ${error.message}`);
      }
      return sdk.handleWebhook(request, options);
    },
    code: ([init, options]) =>
      `const request = new Request(${literal(`${location.origin}/webhooks`)}, ${literal(init)});\nawait handleWebhook(request${options ? `, ${literal(options)}` : ""})`,
  },
];
