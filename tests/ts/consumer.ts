// A TypeScript consumer of the built package: `tsc --strict --noEmit` must accept every line.
import init, {
  GistClient,
  GistError,
  normalizeEventName,
  parseWebhook,
  signWebhook,
  verifyWebhook,
  type ApiCallRequest,
  type ApiCallResponse,
  type Campaign,
  type Contact,
  type ContactRef,
  type GistErrorCode,
  type LeadChanges,
  type LeadRef,
  type ListContactsOptions,
  type NewEvent,
  type NewLead,
  type NewUser,
  type RequestOptions,
  type ResponseInfo,
  type RetryHookInfo,
  type Segment,
  type Tag,
  type TagRequest,
  type TagResult,
  type TrackedEvent,
  type UserChanges,
} from "gist-wasm";
import { createMockGist, type MockGist } from "gist-wasm/mock";
import * as web from "gist-wasm/web";

// gist-wasm/web has the main entry's types.
export const webClient: GistClient = new web.GistClient({ apiKey: "mock-key" });

export async function useEveryUsersFunction(): Promise<number> {
  await init();
  const mock: MockGist = createMockGist();
  const gist = new GistClient({ apiKey: "mock-key", baseUrl: "http://mock.invalid", fetch: mock.fetch, timeoutMs: 5000 });
  const signal: AbortSignal = new AbortController().signal;
  const options: RequestOptions = { signal, timeoutMs: 1000 };
  const newUser: NewUser = { user_id: 1, email: "a@example.com", custom_properties: { plan: "pro", seats: 3, vip: true } };
  const created: Contact = await gist.createUser(newUser, options);
  const id: number = created.id;
  const userId: string | null | undefined = created.user_id;
  const kind: "user" | "lead" = created.type;
  const tagNames: string[] | undefined = created.tags?.map((tag) => tag.name);
  const plan: string | number | boolean | null | undefined = created.custom_properties?.plan;
  const fullName: string | null | undefined = created.full_name;
  const unnamed: unknown = created.location_data;
  const refs: ContactRef[] = [{ id }, { user_id: "1" }, { user_id: 1 }, { email: "a@example.com" }];
  const changes: UserChanges = { name: "New", unsubscribed_from_emails: true };
  const updated: Contact = await gist.updateUser(refs[0], changes);
  const fetched: Contact = await gist.fetchUser({ email: "a@example.com" });
  const listOptions: ListContactsOptions = { limit: 10, order: "asc", order_by: "signed_up_at", tag_id: 1 };
  const users: Contact[] = await gist.listUsers(listOptions, options);
  for await (const user of gist.iterUsers({ limit: 3 })) {
    const email: string | null | undefined = user.email;
    void email;
  }
  await gist.deleteUser({ id });
  try {
    await gist.fetchUser({ id });
  } catch (error) {
    if (error instanceof GistError) {
      const code: GistErrorCode = error.code;
      const status: number | undefined = error.status;
      const path: string | undefined = error.path;
      void [code, status, path];
    }
  }
  void [userId, kind, tagNames, plan, fullName, unnamed, updated, fetched];
  gist.free();
  return users.length;
}

export async function useEveryOtherModule(gist: GistClient): Promise<string> {
  const options: RequestOptions = { timeoutMs: 2000 };
  const newLead: NewLead = { email: "lead@example.com", name: "L" };
  const lead: Contact = await gist.createLead(newLead, options);
  const leadRef: LeadRef = { id: lead.id };
  const leadChanges: LeadChanges = { phone: "555" };
  await gist.updateLead(leadRef, leadChanges);
  await gist.fetchLead({ email: "lead@example.com" });
  const leads: Contact[] = await gist.listLeads({ limit: 75, segment_id: 1 });
  for await (const each of gist.iterLeads()) void each.id;
  await gist.deleteLead(leadRef);

  const tag: Tag = await gist.createTag("VIP");
  const renamed: Tag = await gist.updateTag(tag.id, "vip");
  const request: TagRequest = { tag: "vip", users: [{ id: 1 }, { email: "a@example.com", untag: true }], leads: [{ id: 2 }] };
  const result: TagResult = await gist.tagContacts(request);
  const failedCodes: GistErrorCode[] = result.failed.map((f) => f.error.code);
  const tags: Tag[] = await gist.listTags({ limit: 10 });
  for await (const each of gist.iterTags()) void each.name;
  await gist.deleteTag(renamed.id);

  const segment: Segment = await gist.fetchSegment(1, { include_count: true });
  const count: number | undefined = segment.count;
  const segments: Segment[] = await gist.listSegments({ limit: 5, include_count: false });
  for await (const each of gist.iterSegments({ limit: 1 })) void each.id;
  const campaign: Campaign = await gist.fetchCampaign(100);
  const rate: string | null = campaign.email_open_rate;
  const href: string | null | undefined = campaign.href;
  const campaigns: Campaign[] = await gist.listCampaigns({ limit: 3 });
  for await (const each of gist.iterCampaigns()) void each.status;

  const newEvent: NewEvent = { event_name: "order.completed", user: { user_id: 5 }, properties: { total: 3 } };
  const event: TrackedEvent = await gist.recordEvent(newEvent);
  const events: TrackedEvent[] = await gist.listEvents({ limit: 3 });
  for await (const each of gist.iterEvents()) void each.name;

  const call: ApiCallRequest = { url: "/contacts", method: "GET", query: { per_page: 1, active: true } };
  const answer: ApiCallResponse = await gist.apiCall(call);
  const status: number = answer.status;
  void [leads, tags, failedCodes, count, segments, rate, href, campaigns, event, events, status];
  return normalizeEventName("completed.order");
}

// Arrays given as `as const` (readonly) where the package reads an array and keeps none of it.
export async function readonlyArrays(gist: GistClient, queue: QueueProducer): Promise<void> {
  const secrets = ["old-secret", "new-secret"] as const;
  await verifyWebhook({ body: "{}", headers: {} }, { secret: secrets });
  const tags = ["customer", "beta"] as const;
  await gist.createUser({ user_id: 7, tags });
  const users = [{ id: 1 }, { email: "ada@example.com", untag: true }] as const;
  const leads = [{ email: "lead@example.com" }] as const;
  await gist.tagContacts({ tag: "VIP", users, leads });
  const operations = [{ upsertUser: { user_id: 1 } }, { recordEvent: { event_name: "signed-in", user: { user_id: 1 } } }] as const;
  await enqueue(queue, operations);
  await createMockGist().deliverWebhook("http://127.0.0.1:8787/webhooks", "{}", { secret: secrets });
}

// Options built from values that may be undefined, as the runtime takes them (undefined is absent): under
// exactOptionalPropertyTypes they type-check too.
export async function optionsMaybeUndefined(gist: GistClient, maybe: number | undefined, text: string | undefined, signal: AbortSignal | undefined): Promise<void> {
  const request: RequestOptions = { signal, timeoutMs: maybe, maxRetries: maybe, headers: undefined };
  await gist.listUsers({ limit: maybe, cursor: text, signal, status: text, order: undefined }, request);
  await gist.listSegments({ include_count: undefined, limit: maybe });
  await gist.createUser({ user_id: 7, email: text, name: text, tags: undefined, custom_properties: undefined });
  await gist.updateUser({ id: 1 }, { user_id: undefined, phone: text });
  await gist.tagContacts({ tag: "VIP", users: [{ id: 1, untag: undefined }], leads: undefined });
  await gist.recordEvent({ event_name: "x", user: { id: 1 }, properties: undefined, occurred_at: maybe });
  await gist.apiCall({ url: "/contacts", method: undefined, headers: undefined, query: undefined, body: undefined });
  await verifyWebhook({ body: "{}", headers: {} }, { secret: "s", scheme: undefined, header: text, encoding: undefined });
  await gist.fetchUser({ id: 1, email: undefined, user_id: undefined });
  await gist.recordEvent({ event_name: "x", user: { id: 1 }, lead: undefined });
  const mock: MockGist = createMockGist({ seed: maybe, basePath: text, apiKey: undefined });
  mock.fail({ path: "/tags", status: 500, times: maybe, delayMs: undefined, method: text });
  mock.limit({ perSecond: 5, burst: maybe });
  void new GistError("timeout", "late", { status: maybe, requestId: undefined });
}

// @ts-expect-error an event belongs to a user or a lead, not both
const bothContacts: NewEvent = { event_name: "x", user: { id: 1 }, lead: { id: 2 } };
// @ts-expect-error a lead has no user_id
const leadByUserId: LeadRef = { user_id: 1 };
// @ts-expect-error a lead needs an email
const leadWithoutEmail: NewLead = { name: "x" };
// @ts-expect-error methods are the HTTP methods Gist uses
const badMethod: ApiCallRequest = { url: "/x", method: "TRACE" };
// @ts-expect-error a body is the value to send, not its JSON text
const textBody: ApiCallRequest = { url: "/x", method: "POST", body: JSON.stringify({ a: 1 }) };
interface Note { text: string }
const note: Note = { text: "hi" };
const valueBodies: ApiCallRequest[] = [{ url: "/x", method: "POST", body: note }, { url: "/x", method: "POST", body: [1, 2] }];
void [bothContacts, leadByUserId, leadWithoutEmail, badMethod, textBody, valueBodies];

// @ts-expect-error user_id is required for a user
const missingUserId: NewUser = { email: "x@example.com" };
// @ts-expect-error a contact is named by id, user_id or email
const badRef: ContactRef = { name: "x" };
// @ts-expect-error order is "asc" or "desc"
const badOrder: ListContactsOptions = { order: "up" };
// @ts-expect-error custom property values are scalars
const badProps: NewUser = { user_id: 1, custom_properties: { nested: { a: 1 } } };
void [missingUserId, badRef, badOrder, badProps];

// An unset environment variable type-checks as a key (and is invalid_argument when the client is made);
// a Date goes wherever a time does; an apiCall takes a Headers.
declare const keyFromEnv: string | undefined;
export const fromEnv = () => new GistClient({ apiKey: keyFromEnv, baseUrl: undefined, timeoutMs: undefined });
const dated: NewUser = { user_id: 1, signed_up_at: new Date(), custom_properties: { renewal: new Date(0), plan: "pro" } };
const since: ListContactsOptions = { created_since: new Date(0) };
const happened: NewEvent = { event_name: "x", user: { id: 1 }, occurred_at: new Date() };
const headed: ApiCallRequest = { url: "/x", headers: new Headers({ "x-trace": "1" }) };
void [dated, since, happened, headed];

// A GistError made as the client makes them, for a test double.
export const notFound: GistError = new GistError("not_found", "no such user", { status: 404, path: "/contacts" });
// @ts-expect-error its first argument is the code, not the message
export const messageFirst = new GistError("no such user");

// Response metadata, hooks and a logger, per-call options, resumable iterators, signed test deliveries.
export async function sdkFeatures(key: string): Promise<string | null> {
  const retries: RetryHookInfo[] = [];
  const gist = new GistClient({
    apiKey: key,
    hooks: { retry: (info) => retries.push(info), response: ({ status, requestId }) => void [status, requestId] },
    logger: console,
    logLevel: "info",
    logBodies: false,
    maxConcurrent: 4,
    requestsPerSecond: 10,
  });
  const { data, response }: { data: Contact; response: ResponseInfo } = await gist
    .fetchUser({ id: 1 }, { maxRetries: 0, headers: { "X-Trace": "t" } })
    .withResponse();
  const remaining: number | null = response.rateLimit?.remaining ?? null;
  const requestId: string | null = response.headers.get("x-request-id");
  const walk = gist.iterUsers({ tag_id: 3 }, { timeoutMs: 5_000 });
  for await (const page of walk.pages()) void page.map((user: Contact) => user.id);
  const again = await gist.listUsers({ cursor: walk.cursor, limit: 10 });
  // A list resumed from an ended list's cursor sends nothing: its response may be null.
  const resumed = await gist.listUsers({ cursor: walk.cursor }).withResponse();
  // @ts-expect-error possibly null
  void resumed.response.status;
  const sent: number = resumed.response?.requests ?? 0;
  const tags = gist.iterTags({ limit: 5 });
  const headers: Record<string, string> = await signWebhook("{}", { secret: "s", scheme: "hmac-sha256" });
  void [data, remaining, requestId, again, sent, tags, headers, retries];
  return walk.cursor;
}

// A delivery's headers as Node gives them (a repeated header as an array), and the event's union read
// without narrowing by kind first.
export async function receive(body: string, nodeHeaders: Record<string, string | string[] | undefined>): Promise<number | undefined> {
  if (!(await verifyWebhook({ body, headers: nodeHeaders }, { secret: "s" }))) return undefined;
  const event = parseWebhook(body, nodeHeaders);
  return event.contact?.id;
}

// @ts-expect-error a reference names a contact one way only
export const twoWays: ContactRef = { id: 1, email: "a@example.com" };

// @ts-expect-error logLevel is one of the five levels
export const badLevel = new GistClient({ apiKey: "k", logLevel: "verbose" });

// gist-wasm/queues with hand-made bindings (tests/ts/queues-workers.ts passes real Workers types).
import { consume, consumeWebhooks, enqueue, receiveWebhook, type ConsumeResult, type DeadLetter, type EnqueueResult, type QueueBatch, type QueueOperation, type QueueProducer } from "gist-wasm/queues";

export async function useQueues(batch: QueueBatch, request: Request): Promise<number> {
  const queue = { send: async (body: unknown) => body, sendBatch: async (messages: { body: unknown }[]) => messages.length };
  const store = new Map<string, string>();
  const kv = { get: async (key: string) => store.get(key) ?? null, put: async (key: string, value: string) => store.set(key, value), delete: async (key: string) => store.delete(key) };
  const operations: QueueOperation[] = [
    { upsertUser: { user_id: 1, email: "ada@example.com" } },
    { upsertLead: { email: "visitor@example.com" } },
    { tagContacts: { tag: "VIP", users: [{ user_id: 1 }] } },
    { recordEvent: { event_name: "signed-in", user: { user_id: 1 } } },
  ];
  const sent: EnqueueResult = await enqueue(queue, operations, { perMessage: 10 });
  const again: QueueOperation[] = sent.unsent.filter((x) => x.code === "queue_error").map((x) => operations[x.index]!);
  const gist = new GistClient({ apiKey: "k" });
  const done: ConsumeResult = await consume(batch, gist, { deadLetterQueue: queue, ledger: kv, maxAttempts: 3 });
  const plain: ConsumeResult = await consume(batch, gist); // no dead-letter queue: Queues' own retries decide
  // @ts-expect-error consumeWebhooks needs its dead-letter queue
  void consumeWebhooks(batch, async () => {}, { dedupe: kv });
  const webhooks = await consumeWebhooks(batch, async (event) => event.topic, { dedupe: kv, deadLetterQueue: queue, windowSeconds: 3600 });
  const response: Response = await receiveWebhook(request, queue, { verify: { secret: "s" } });
  const entry = (batch.messages[0]?.body ?? null) as DeadLetter | null;
  // @ts-expect-error an operation is one of the four
  void enqueue(queue, [{ deleteUser: { id: 1 } }]);
  return sent.operations + again.length + done.succeeded + plain.retried + webhooks.handled + response.status + (entry?.attempts ?? 0);
}
