// The floor that ./build.sh bench measures gist-wasm against: a hand-written Gist client in plain TypeScript,
// fetch + JSON over the same endpoints, contacts normalised, paging and tag batching, and nothing more (no
// retries, deadlines, input checks, byte caps or error scrubbing). Not shipped; esbuild bundles it as it is.

export type Contact = {
  id: number;
  type: "user" | "lead";
  user_id: string | null;
  email: string | null;
  phone: string | null;
  unsubscribed_from_emails: boolean | null;
} & Record<string, unknown>;
export type ContactRef = { id: number } | { user_id: number | string } | { email: string };
export type Target = ContactRef & { untag?: boolean };
export type ListOptions = {
  limit?: number;
  order_by?: string;
  order?: "asc" | "desc";
  tag_id?: number;
  segment_id?: number;
  created_since?: number;
  status?: string;
};
export type WebhookEvent = {
  kind: "contact" | "automation" | "conversation" | "unknown";
  topic?: string;
  contact?: Contact;
  conversation?: unknown;
  payload: unknown;
};
type Json = Record<string, unknown>;

const TIMESTAMPS = ["created_at", "updated_at", "signed_up_at", "last_seen_at"];
const TAG_BATCH = 50;

/** A non-2xx answer: its status and body text. */
export class MinimalGistError extends Error {
  constructor(readonly status: number, body: string) {
    super(`Gist API error ${status}: ${body.slice(0, 200)}`);
  }
}

/** Gist's quirks undone: ids numbers, user_id and phone strings, "true"/"false" booleans, "" timestamps null. */
export function normalizeContact(raw: Json): Contact {
  const contact: Json = { ...raw, id: Number(raw.id) };
  contact.user_id = raw.user_id == null || raw.user_id === "" ? null : String(raw.user_id);
  contact.phone = raw.phone == null || raw.phone === "" ? null : String(raw.phone);
  const unsubscribed = raw.unsubscribed_from_emails;
  contact.unsubscribed_from_emails = unsubscribed == null ? null : unsubscribed === true || unsubscribed === "true";
  for (const key of TIMESTAMPS) contact[key] = raw[key] == null || raw[key] === "" ? null : Number(raw[key]);
  contact.type = raw.type === "lead" || contact.user_id === null ? "lead" : "user";
  return contact as Contact;
}

/** The path that names one contact: by Gist id, user_id or email. */
function contactPath(ref: ContactRef): string {
  if ("id" in ref) return `/contacts/${ref.id}`;
  if ("user_id" in ref) return `/contacts?user_id=${encodeURIComponent(String(ref.user_id))}`;
  return `/contacts?email=${encodeURIComponent(ref.email)}`;
}

/** A Gist client: one request per call, answers parsed with JSON.parse. */
export class MinimalGistClient {
  private readonly apiKey: string;
  private readonly baseUrl: string;
  private readonly fetch: typeof fetch;
  private readonly perPage: number;

  constructor(options: { apiKey: string; baseUrl?: string; fetch?: typeof fetch; perPage?: number }) {
    this.apiKey = options.apiKey;
    this.baseUrl = (options.baseUrl ?? "https://api.getgist.com").replace(/\/+$/, "");
    this.fetch = options.fetch ?? globalThis.fetch.bind(globalThis);
    this.perPage = options.perPage ?? 60;
  }

  /** Sends one request and parses its JSON answer; throws MinimalGistError on a non-2xx status. */
  private async request(method: string, path: string, body?: unknown): Promise<Json> {
    const headers: Record<string, string> = { authorization: `Bearer ${this.apiKey}`, accept: "application/json" };
    if (body !== undefined) headers["content-type"] = "application/json";
    const response = await this.fetch(`${this.baseUrl}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) throw new MinimalGistError(response.status, text);
    return JSON.parse(text) as Json;
  }

  /** POST /contacts (an upsert) with user_id sent as a string. */
  async createUser(user: Json & { user_id: number | string }): Promise<Contact> {
    const data = await this.request("POST", "/contacts", { ...user, user_id: String(user.user_id) });
    return normalizeContact(data.contact as Json);
  }

  /** GET one contact by id, user_id or email. */
  async fetchUser(ref: ContactRef): Promise<Contact> {
    const data = await this.request("GET", contactPath(ref));
    return normalizeContact(data.contact as Json);
  }

  /** Pages through GET /contacts until `limit` users (leads skipped) or the last page. */
  async listUsers(options: ListOptions = {}): Promise<Contact[]> {
    const { limit = 100, ...filters } = options;
    const users: Contact[] = [];
    for (let page = 1; users.length < limit; page++) {
      const query = new URLSearchParams({ page: String(page), per_page: String(this.perPage) });
      for (const [key, value] of Object.entries(filters)) if (value !== undefined) query.set(key, String(value));
      const data = await this.request("GET", `/contacts?${query}`);
      const contacts = (data.contacts ?? []) as Json[];
      for (const raw of contacts) {
        const contact = normalizeContact(raw);
        if (contact.type === "user" && users.length < limit) users.push(contact);
      }
      const pages = data.pages as { next?: string | null } | undefined;
      if (contacts.length === 0 || !pages?.next) break;
    }
    return users;
  }

  /** Resolves targets to Gist ids, then POST /tags {name, contacts} in batches of 50. */
  async tagContacts(request: { tag: string; users?: Target[]; leads?: Target[] }) {
    const failed: { target: Target; error: string }[] = [];
    const resolved: { target: Target; id: number; untag?: boolean }[] = [];
    for (const target of [...(request.users ?? []), ...(request.leads ?? [])]) {
      try {
        const id = "id" in target ? target.id : (await this.fetchUser(target)).id;
        resolved.push({ target, id, untag: target.untag });
      } catch (error) {
        failed.push({ target, error: String(error) });
      }
    }
    const batches: (typeof resolved)[] = [];
    for (let start = 0; start < resolved.length; start += TAG_BATCH) {
      batches.push(resolved.slice(start, start + TAG_BATCH));
    }
    if (batches.length === 0) batches.push([]); // the tag is still created
    let tag: unknown;
    let tagged = 0;
    let untagged = 0;
    for (const batch of batches) {
      const contacts = batch.map(({ id, untag }) => (untag ? { id, untag: true } : { id }));
      try {
        tag = (await this.request("POST", "/tags", { name: request.tag, contacts })).tag;
        for (const item of batch) item.untag ? untagged++ : tagged++;
      } catch (error) {
        for (const item of batch) failed.push({ target: item.target, error: String(error) });
      }
    }
    return { tag, tagged, untagged, failed };
  }
}

/** JSON.parse of a delivery, then its kind (contact, automation, conversation) and topic. */
export function parseWebhook(body: string, headers: Record<string, string> = {}): WebhookEvent {
  const payload = JSON.parse(body) as Json;
  const topicField = payload.topic ?? payload.event ?? payload.event_name ?? payload.event_type;
  const topic = typeof topicField === "string" ? topicField : headers["x-gist-topic"] ?? headers["x-gist-event"];
  const message = payload.message as Json | undefined;
  if (payload.contact && typeof payload.contact === "object") {
    return { kind: "contact", topic, contact: normalizeContact(payload.contact as Json), payload };
  }
  if (message && typeof message === "object" && (message.email !== undefined || message.user_id !== undefined)) {
    return { kind: "automation", topic, contact: normalizeContact(message), payload };
  }
  if (payload.conversation !== undefined) {
    return { kind: "conversation", topic, conversation: payload.conversation, payload };
  }
  return { kind: "unknown", topic, payload };
}
