// Every Gist module of the demo: one section per resource, one form per function, with the seed's fields.
// `args(v)` turns the form's values into the function's arguments.

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
    { kind: "checkbox", name: "unsubscribed_from_emails", label: "Unsubscribed from emails", more: true },
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
      { title: "List Tags", fn: "listTags", fields: [{ kind: "number", name: "limit", label: "Limit", value: "100", min: "1" }], args: (v) => [clean({ limit: v.limit })] },
      { title: "Delete Tag", fn: "deleteTag", fields: [{ kind: "number", name: "id", label: "Tag id", required: true }], args: (v) => [v.id] },
    ],
  },
  {
    id: "segments",
    title: "Segments",
    forms: [
      { title: "Fetch Segment", fn: "fetchSegment", fields: [{ kind: "number", name: "id", label: "Segment id", required: true, value: "1" }, { kind: "checkbox", name: "include_count", label: "Include count" }], args: (v) => [v.id, { include_count: !!v.include_count }] },
      { title: "List Segments", fn: "listSegments", fields: [{ kind: "number", name: "limit", label: "Limit", value: "100", min: "1" }, { kind: "checkbox", name: "include_count", label: "Include count" }], args: (v) => [clean({ limit: v.limit, include_count: !!v.include_count })] },
    ],
  },
  {
    id: "campaigns",
    title: "Campaigns",
    forms: [
      { title: "Fetch Campaign", fn: "fetchCampaign", fields: [{ kind: "number", name: "id", label: "Campaign id", required: true, value: "100" }], args: (v) => [v.id] },
      { title: "List Campaigns", fn: "listCampaigns", fields: [{ kind: "number", name: "limit", label: "Limit", value: "100", min: "1" }], args: (v) => [clean({ limit: v.limit })] },
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
      { title: "List Tracked Events", fn: "listEvents", fields: [{ kind: "number", name: "limit", label: "Limit", value: "100", min: "1" }], args: (v) => [clean({ limit: v.limit })] },
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
