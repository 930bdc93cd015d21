import type { GistClient, GistErrorCode, HandleWebhookOptions, NewEvent, NewLead, NewUser, TagRequest, WebhookEvent } from "./index.js";

/** One write to run through a queue: the client method's own input, under the operation's name. */
export type QueueOperation =
    /** `createUser`, Gist's upsert keyed by `user_id`: safe to send again. */
    | { upsertUser: NewUser }
    /** `createLead`, Gist's upsert keyed by email: safe to send again. */
    | { upsertLead: NewLead }
    /** `tagContacts`: setting or clearing a tag is safe to send again. */
    | { tagContacts: TagRequest }
    /** `recordEvent`: never sent twice; the consumer needs a `ledger`. */
    | { recordEvent: NewEvent }
    /** The same, written with the operation's name in `op` and its input in `input`. */
    | { op: "upsertUser"; input: NewUser }
    | { op: "upsertLead"; input: NewLead }
    | { op: "tagContacts"; input: TagRequest }
    | { op: "recordEvent"; input: NewEvent };

/** What a producer needs of a Cloudflare Queue binding (a `Queue` of `@cloudflare/workers-types` is one). */
export interface QueueProducer {
    send(body: unknown, options?: { contentType?: "json"; delaySeconds?: number }): Promise<unknown>;
    sendBatch(messages: { body: unknown; contentType?: "json"; delaySeconds?: number }[]): Promise<unknown>;
}

/** A message of a consumer's batch, as a Worker's `queue()` handler gets it. */
export interface QueueMessage {
    readonly id: string;
    readonly body: unknown;
    /** 1 on the first delivery. */
    readonly attempts: number;
    ack(): void;
    retry(options?: { delaySeconds?: number }): void;
}

/** The batch a Worker's `queue()` handler gets. */
export interface QueueBatch {
    readonly messages: readonly QueueMessage[];
}

/**
 * The codes gist-wasm/queues adds to `GistErrorCode`, in its rejections, `unsent` and dead letters:
 * `queue_error`, a Queue binding (or the runtime's `ack()`/`retry()`) refused; `store_error`, a KV
 * namespace failed, or its `get` answered neither a string nor null; `outcome_unknown`, a recordEvent may
 * have executed, so it is not sent again; `handler_error`, a failure that was not a `GistError` (a webhook
 * handler's own error, say).
 */
export type QueueErrorCode = "queue_error" | "store_error" | "outcome_unknown" | "handler_error";

/**
 * What the consumer needs of a Workers KV namespace (a `KVNamespace` is one): `get`, `put` and `delete`
 * functions, checked when a function is called. `get` must resolve a string or null; anything else
 * (`undefined`, say) is a failure (`store_error`), never "seen".
 */
export interface KeyValueStore {
    get(key: string): Promise<string | null>;
    put(key: string, value: string, options?: { expirationTtl?: number }): Promise<unknown>;
    delete(key: string): Promise<unknown>;
}

/** Options of `enqueue`. */
export interface EnqueueOptions {
    /** The most operations in one message; default 25. Messages also stay under Queues' 128 KB. */
    perMessage?: number | undefined;
    /** Deliver the messages this many seconds from now (at most 43200, Queues' 12 hours); default 0. */
    delaySeconds?: number | undefined;
    /** A namespace bound to `GistSyncs`: the sync's progress then counts these operations (and `consume` reports to it). */
    progress?: DurableObjectNamespaceLike | undefined;
    /** Add to this sync (an id an earlier `enqueue` returned) rather than start one: 1 to 64 letters, digits, `_` or `-`. */
    sync?: string | undefined;
    /**
     * This call's key (1 to 64 letters, digits, `_` or `-`; default a new UUID): its messages' keys are made
     * from it, and `consume`'s ledger sends each recordEvent of a message key once. A call made again with
     * the same key and operations (a webhook handler run again) records each event once.
     */
    key?: string | undefined;
}

/**
 * What gist-wasm/queues needs of a Durable Object namespace binding (`DurableObjectNamespace` of
 * `@cloudflare/workers-types` is one): `idFromName` and `get`, whose stub has `fetch`.
 */
export interface DurableObjectNamespaceLike {
    idFromName(name: string): unknown;
    get(id: unknown): { fetch(input: string, init?: RequestInit): Promise<Response> };
}

/** An operation `enqueue` did not enqueue, and why. */
export interface NotEnqueued {
    /** Its index in the operations given. */
    index: number;
    /** The client's error code for an invalid operation; `queue_error` when the queue refused its `sendBatch`. */
    code: GistErrorCode | "queue_error";
    /** What the client (or the queue) said; it holds no email address. */
    message: string;
}

/** What `enqueue` sent, and what it did not. */
export interface EnqueueResult {
    /** The sync's id (`options.sync`, or a new one): `syncStatus`, `listDeadLetters` and `redrive` take it. */
    sync: string;
    /** Operations enqueued. */
    operations: number;
    /** Messages they went in. */
    messages: number;
    /** The operations the client's rules refuse: never enqueued. */
    invalid: NotEnqueued[];
    /** The valid operations of a `sendBatch` that failed and of every batch after it: enqueue just these again. */
    unsent: NotEnqueued[];
    /** With `progress`: why the sync's object did not count them (they were enqueued all the same). */
    progressError?: string;
}

/** How a consumer retries. */
export interface RetryOptions {
    /** After this many deliveries a failure that could still pass is dead-lettered too; default 5. */
    maxAttempts?: number | undefined;
    /**
     * Operations (or webhook events) run at once, a wait on a binding (the ledger, the dead-letter queue) not
     * counted; default 24 for `consume` (four per connection of the
     * client's default `maxConcurrent`, so that those waiting out a Retry-After leave none idle), 6 for
     * `consumeWebhooks`.
     */
    concurrency?: number | undefined;
    /** The first retry's delay when the error gives no `retryAfter`, doubled at each attempt (at most 43200); default 2. */
    retryDelaySeconds?: number | undefined;
    /**
     * The longest such delay, of a failure with no `retryAfter` (at most 43200, Queues' 12 hours); default
     * 600. A rate limit's `retryAfter` is waited out as Gist asks, up to 43200: retried sooner, it would fail again.
     */
    maxRetryDelaySeconds?: number | undefined;
}

/** Options of `consume`. */
export interface ConsumeOptions extends RetryOptions {
    /**
     * Where what can never pass goes, as `DeadLetter` entries (each well under a message's size). Without
     * it, such a message is retried, so that the consumer's `max_retries` and `dead_letter_queue` in
     * wrangler.toml decide: Queues then moves the message as it is (its operations, emails included) to
     * that queue, or deletes it where none is set.
     */
    deadLetterQueue?: QueueProducer | undefined;
    /**
     * A namespace bound to `GistSyncs`: each message of a sync reports what became of its operations
     * (done, retrying, dead-lettered with the operation, for `redrive`). A report of done or retrying that
     * fails is skipped; a message whose dead letters the sync's object refuses is retried, as when the
     * dead-letter queue refuses them.
     */
    progress?: DurableObjectNamespaceLike | undefined;
    /**
     * A KV namespace that records each `recordEvent` sent, so that none is sent twice; needed for
     * recordEvent. Exact while it reads back what was written (in one location) and within an isolate;
     * best effort across locations (KV is eventually consistent): see the README's "At scale: Cloudflare Queues".
     */
    ledger?: KeyValueStore | undefined;
}

/** Options of `consumeWebhooks`. */
export interface ConsumeWebhooksOptions extends RetryOptions {
    /** Where what can never pass goes, as `DeadLetter` entries (each well under a message's size). */
    deadLetterQueue: QueueProducer;
    /** A KV namespace that remembers the events handled. */
    dedupe: KeyValueStore;
    /** How long a handled event is remembered (seconds, at least 60); default 86400. */
    windowSeconds?: number | undefined;
}

/**
 * A dead-letter entry: what failed and why, with no API key and no email address in any field, whatever
 * the message held (emails are hashed, every text is scrubbed and cut at 1,000 characters).
 */
export interface DeadLetter {
    /**
     * The error's code: the client's, or one of `QueueErrorCode` (`outcome_unknown` for a recordEvent that
     * may have executed; `store_error` when the ledger or dedupe store kept failing; `handler_error` for a
     * webhook handler's own error). A webhook handler that throws a `GistError` gives its code.
     */
    code: GistErrorCode | QueueErrorCode;
    message: string;
    status?: number;
    attempts: number;
    /** The queue message's id and the operation's index in it (null for a whole message): duplicates share them. */
    messageId: string;
    index: number | null;
    /** The operation that failed. */
    operation?: "upsertUser" | "upsertLead" | "tagContacts" | "recordEvent";
    /** The contact: `id`, `user_id`, and `email_sha256`, the SHA-256 (hex) of the lower-cased email. */
    contact?: { id?: number; user_id?: string; email_sha256?: string } | null;
    event_name?: string;
    tag?: string;
    /** A tagContacts' targets, masked like `contact`: the first 100 (`users`' then `leads'`; a hole or a target that is not an object is null). */
    targets?: ({ id?: number; user_id?: string; email_sha256?: string } | null)[];
    /** How many targets past the first 100 the entry leaves out. */
    targetsOmitted?: number;
    /** A webhook event's topic (null when it had none), and its dedupe key. */
    webhook?: string | null;
    key?: string;
}

/** What `consume` did, counted in operations. */
export interface ConsumeResult {
    succeeded: number;
    retried: number;
    deadLettered: number;
}

/** What `consumeWebhooks` did, counted in messages. */
export interface ConsumeWebhooksResult {
    handled: number;
    duplicates: number;
    retried: number;
    deadLettered: number;
}

/**
 * Checks each operation as the client would, groups the valid ones into messages (`perMessage` at most,
 * each under Queues' 128 KB) and sends them with `sendBatch` (100 messages, 256 KB at most). Resolves
 * the sync's id (`options.sync`, or a new one; with `options.progress` the sync's counts include them),
 * how many were enqueued, the invalid ones (never enqueued) and, when a `sendBatch` fails (whatever it
 * rejects with), the valid ones it and the batches after it left `unsent`. Rejects only with `GistError`
 * `invalid_argument`, for bad arguments (a queue without `send` and `sendBatch` functions, operations that
 * are not an array of at most 100,000 (a sparse array's length counts), options that cannot be read),
 * before anything is sent.
 */
export function enqueue(queue: QueueProducer, operations: readonly QueueOperation[], options?: EnqueueOptions): Promise<EnqueueResult>;

/**
 * For a Worker's `queue()` handler: runs each message's operations on `client`, within its pacing; acks
 * what succeeded; retries what failed for a reason that can pass (`retry({ delaySeconds })`: a rate
 * limit's `retryAfter`, else backoff); sends what never can (`invalid_request`, `not_found`, a
 * recordEvent that may have executed) to `deadLetterQueue`, then acks it (without `deadLetterQueue`,
 * retries it: the consumer's `max_retries` and `dead_letter_queue` then decide). An upsert or tagContacts is
 * sent again after any failure (at once, once, after a dropped connection, when the message has
 * deliveries left; else with the message); a recordEvent only after a failure that shows Gist did not act (a 4xx,
 * a 429 or 503, or a refusal before any request), and never after its ledger may have seen it sent.
 * Every message is settled: one that is not what `enqueue` sent is dead-lettered, never fails its batch.
 * Free the client only once `consume` has settled: the operations that start after it was freed are
 * refused unsent, and their messages retried.
 * Rejects only with `GistError`: `invalid_argument` before anything runs (a batch, client, option or
 * binding that is not one: the KV namespace needs `get`, `put` and `delete`, the queue `send` and
 * `sendBatch`, the progress namespace `idFromName` and `get`; a client already freed), or `queue_error` once the rest is settled, when the runtime
 * refused to ack or retry a message. A binding whose promise never settles keeps it pending (no timer of its own; a wait on a binding holds no place among `concurrency`): the messages
 * waiting on it stay unsettled, for Queues to deliver again, and the others are settled.
 */
export function consume(batch: QueueBatch, client: GistClient, options?: ConsumeOptions | null): Promise<ConsumeResult>;

/**
 * A durable webhook receiver for a Worker's `fetch`: verifies and parses the delivery as `handleWebhook`
 * does, enqueues it, and answers 200 once it is enqueued; 401 or 400 (and nothing enqueued) for a
 * delivery that does not verify or is not a JSON object, 413 for one over a queue message's size.
 * Rejects only with `GistError`: `invalid_argument` (a queue without `send` and `sendBatch`, bad
 * options), `aborted` when the sender went away before the body ended (nothing enqueued), or
 * `queue_error` when the queue refuses the event; its message holds no email address.
 */
export function receiveWebhook(request: Request, queue: QueueProducer, options?: HandleWebhookOptions | null): Promise<Response>;

/**
 * For the `queue()` handler of `receiveWebhook`'s queue: hands each event to `handler` once. A delivery
 * with the topic and body of one handled within `windowSeconds`, or earlier in the batch, is acked as a
 * duplicate (best effort across regions: KV is eventually consistent); an event counts as handled only
 * once `handler` resolves, and a copy whose earlier copy in the batch was not handled is retried. A
 * handler that throws is retried with backoff, dead-lettered after `maxAttempts`;
 * a dedupe read that fails (or answers neither a string nor null) retries the delivery, never drops it.
 * Rejects as `consume` does.
 */
export function consumeWebhooks(
    batch: QueueBatch,
    handler: (event: WebhookEvent, message: QueueMessage) => unknown,
    options: ConsumeWebhooksOptions,
): Promise<ConsumeWebhooksResult>;

/**
 * A Durable Object class that paces every consumer of one Gist key: export it from the Worker and bind it
 * (`[[durable_objects.bindings]]`, and a migration). One instance per key, named by the key's SHA-256;
 * `pacedFetch` is its only client. It hands out a permit per request at a rate that starts at the
 * configured one and adapts: rate-limit headers (X-RateLimit-Remaining and -Reset) set the rate that
 * spreads what remains until the reset; without them, a 429 takes the rate down (by the share of
 * requests answered 429, 10% to 30%) and quiet seconds bring it back up, never above the configured rate.
 */
export class GistPacer {
    fetch(request: Request): Promise<Response>;
}

/** A Durable Object class that keeps one sync's progress and dead letters: export it from the Worker and bind it. */
export class GistSyncs {
    constructor(state: { storage: unknown }, env?: unknown);
    fetch(request: Request): Promise<Response>;
}

/** Options of `pacedFetch`. */
export interface PacedFetchOptions {
    /** Where the shared rate starts, and its ceiling: Gist's limit for the key, in requests a second. */
    requestsPerSecond: number;
    /** The rate of each consumer on its own while the pacer cannot be reached (an error, or no answer in 2 s; asked again after 5 s); default a tenth of `requestsPerSecond`. */
    fallbackRequestsPerSecond?: number | undefined;
    /** The `fetch` that sends the requests; default the runtime's global `fetch`. */
    fetch?: ((input: string, init?: RequestInit) => Promise<Response>) | undefined;
}

/**
 * A `fetch` for `new GistClient({ fetch })`: every request the client sends (its retries included) first
 * waits for a permit of the `GistPacer` of `apiKey` in `namespace`, and what Gist answers (a 429,
 * rate-limit headers) adapts the shared rate. Throws `GistError` `invalid_argument` for a namespace
 * without `idFromName` and `get`, an empty key or a rate that is not a positive number.
 */
export function pacedFetch(
    namespace: DurableObjectNamespaceLike,
    apiKey: string,
    options: PacedFetchOptions,
): (input: string, init?: RequestInit) => Promise<Response>;

/** A sync's progress, counted in operations. */
export interface SyncStatus {
    id: string;
    /** Enqueued by `enqueue` (not counting what `redrive` sent again). */
    enqueued: number;
    /** Refused by the client's rules at `enqueue`: never enqueued. */
    invalid: number;
    done: number;
    /** In messages waiting to be delivered again. */
    retrying: number;
    /** Dead letters now on the sync's list. */
    deadLettered: number;
    /** Dead letters sent again by `redrive`. */
    redriven: number;
    /** enqueued − done − deadLettered. */
    pending: number;
    /** Operations done a second over the last 10 seconds. */
    ratePerSecond: number;
    /** pending / ratePerSecond, rounded up; 0 when nothing is pending, null while nothing is being done. */
    etaSeconds: number | null;
    /** When the first operations were enqueued (ms since the epoch). */
    startedAt: number | null;
}

/**
 * A sync's progress, in one call. Rejects with `GistError` `invalid_argument` (a bad id or namespace),
 * `store_error` (the object failed) or `invalid_response` (it answered JSON that `GistSyncs` does not send).
 */
export function syncStatus(progress: DurableObjectNamespaceLike, sync: string): Promise<SyncStatus>;

/**
 * Deletes all a sync's `GistSyncs` object keeps (its totals, its messages' outcomes, its dead letters),
 * which it otherwise keeps for good: call it once the sync is over (`pending` 0) and its dead letters are
 * dealt with. A message of the sync consumed after it counts in a new, empty sync of the same id. Rejects
 * as `syncStatus`.
 */
export function forgetSync(progress: DurableObjectNamespaceLike, sync: string): Promise<void>;

/** A sync's dead letter: the `DeadLetter` entry (no email, no key) and its `key`, which `redrive`'s `resend` names. */
export interface SyncDeadLetter extends DeadLetter {
    key: string;
}

/** Options of `listDeadLetters`. */
export interface ListDeadLettersOptions {
    /** Only the dead letters of this code; default all. */
    code?: GistErrorCode | QueueErrorCode | undefined;
    /** The most letters to hand out, from 1 to 1,000; default 1,000. */
    limit?: number | undefined;
    /** Start after the letter of this key (the last one of the page before). */
    after?: string | undefined;
}

/**
 * A page of a sync's dead letters (all, or those of `options.code`), in key order: at most `options.limit`,
 * after `options.after`. Fewer than the limit means the list is done; else pass the last one's `key` as
 * `after` for the next page. Rejects with `invalid_argument`, `store_error` or `invalid_response`, as `syncStatus`.
 */
export function listDeadLetters(progress: DurableObjectNamespaceLike, sync: string, options?: ListDeadLettersOptions): Promise<SyncDeadLetter[]>;

/** Options of `redrive`. */
export interface RedriveOptions {
    /** Only the dead letters of this code; default all. */
    code?: GistErrorCode | QueueErrorCode | undefined;
    /** Keys of recordEvent dead letters whose outcome is unknown (`outcome_unknown`, `store_error`) to send again all the same (at most 100,000): each may record the event twice. */
    resend?: readonly string[] | undefined;
}

/** What `redrive` did. */
export interface RedriveResult {
    /** Dead letters enqueued again and taken off the list (one that left the list meanwhile, replaced by a delivery of its message or taken over by another redrive after this one's claim ran out, is not counted). */
    redriven: number;
    /** Left on the list: a recordEvent whose outcome is unknown (or whose last redrive never confirmed) and not in `resend`, one another redrive is sending, a message that held no operation, or an operation the client's rules refuse (never sent: a redrive again would not send it either). */
    skipped: { key: string; code: string; reason: string }[];
    /** Keys the queue refused: still on the list, redrive them again. */
    unsent: string[];
}

/**
 * Sends a sync's dead letters (all, or those of `options.code`) to `queue` again, in the same sync, once
 * their cause is fixed, and takes them off its list, 500 at a time (a failure partway rejects; what went
 * before it is off the list). A recordEvent whose outcome is unknown is never sent
 * again unless `options.resend` names its key. Rejects with `invalid_argument`, `store_error` or `invalid_response`, as `syncStatus`.
 */
export function redrive(progress: DurableObjectNamespaceLike, queue: QueueProducer, sync: string, options?: RedriveOptions): Promise<RedriveResult>;
