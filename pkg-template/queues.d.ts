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
    | { recordEvent: NewEvent };

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
    perMessage?: number;
    /** Deliver the messages this many seconds from now; default 0. */
    delaySeconds?: number;
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
    /** Operations enqueued. */
    operations: number;
    /** Messages they went in. */
    messages: number;
    /** The operations the client's rules refuse: never enqueued. */
    invalid: NotEnqueued[];
    /** The valid operations of a `sendBatch` that failed and of every batch after it: enqueue just these again. */
    unsent: NotEnqueued[];
}

/** How a consumer retries and where its failures go. */
export interface RetryOptions {
    /** Where what can never pass goes, as `DeadLetter` entries (each well under a message's size). */
    deadLetterQueue: QueueProducer;
    /** After this many deliveries a failure that could still pass is dead-lettered too; default 5. */
    maxAttempts?: number;
    /**
     * Operations (or webhook events) run at once; default 24 for `consume` (four per connection of the
     * client's default `maxConcurrent`, so that those waiting out a Retry-After leave none idle), 6 for
     * `consumeWebhooks`.
     */
    concurrency?: number;
    /** The first retry's delay when the error gives no `retryAfter`, doubled at each attempt; default 2. */
    retryDelaySeconds?: number;
    /** The longest such delay; default 600. */
    maxRetryDelaySeconds?: number;
}

/** Options of `consume`. */
export interface ConsumeOptions extends RetryOptions {
    /**
     * A KV namespace that records each `recordEvent` sent, so that none is sent twice; needed for
     * recordEvent. Exact while it reads back what was written (in one location) and within an isolate;
     * best effort across locations (KV is eventually consistent): see the README's "At scale: Cloudflare Queues".
     */
    ledger?: KeyValueStore;
}

/** Options of `consumeWebhooks`. */
export interface ConsumeWebhooksOptions extends RetryOptions {
    /** A KV namespace that remembers the events handled. */
    dedupe: KeyValueStore;
    /** How long a handled event is remembered (seconds, at least 60); default 86400. */
    windowSeconds?: number;
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
    /** A tagContacts' targets, masked like `contact`: the first 100. */
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
 * how many were enqueued, the invalid ones (never enqueued) and, when a `sendBatch` fails (whatever it
 * rejects with), the valid ones it and the batches after it left `unsent`. Rejects only with `GistError`
 * `invalid_argument`, for bad arguments (a queue without `send` and `sendBatch` functions, operations that
 * are not an array, options that cannot be read), before anything is sent.
 */
export function enqueue(queue: QueueProducer, operations: QueueOperation[], options?: EnqueueOptions): Promise<EnqueueResult>;

/**
 * For a Worker's `queue()` handler: runs each message's operations on `client`, within its pacing; acks
 * what succeeded; retries what failed for a reason that can pass (`retry({ delaySeconds })`: a rate
 * limit's `retryAfter`, else backoff); sends what never can (`invalid_request`, `not_found`, a
 * recordEvent that may have executed) to `deadLetterQueue`, then acks it. An upsert or tagContacts is
 * sent again after any failure; a recordEvent only after a failure that shows Gist did not act (a 4xx,
 * a 429 or 503, or a refusal before any request), and never after its ledger may have seen it sent.
 * Every message is settled: one that is not what `enqueue` sent is dead-lettered, never fails its batch.
 * Rejects only with `GistError`: `invalid_argument` before anything runs (a batch, client, option or
 * binding that is not one: the KV namespace needs `get`, `put` and `delete`, the queue `send` and
 * `sendBatch`), or `queue_error` once the rest is settled, when the runtime refused to ack or retry a
 * message. A binding whose promise never settles keeps it pending (no timer of its own): the messages
 * waiting on it stay unsettled, for Queues to deliver again, and the others are settled.
 */
export function consume(batch: QueueBatch, client: GistClient, options: ConsumeOptions): Promise<ConsumeResult>;

/**
 * A durable webhook receiver for a Worker's `fetch`: verifies and parses the delivery as `handleWebhook`
 * does, enqueues it, and answers 200 once it is enqueued; 401 or 400 (and nothing enqueued) for a
 * delivery that does not verify or is not a JSON object, 413 for one over a queue message's size.
 * Rejects only with `GistError`: `invalid_argument` (a queue without `send` and `sendBatch`, bad
 * options), or `queue_error` when the queue refuses the event; its message holds no email address.
 */
export function receiveWebhook(request: Request, queue: QueueProducer, options?: HandleWebhookOptions | null): Promise<Response>;

/**
 * For the `queue()` handler of `receiveWebhook`'s queue: hands each event to `handler` once. A delivery
 * with the topic and body of one handled within `windowSeconds`, or earlier in the batch, is acked as a
 * duplicate (best effort across regions: KV is eventually consistent); an event counts as handled only
 * once `handler` resolves. A handler that throws is retried with backoff, dead-lettered after `maxAttempts`;
 * a dedupe read that fails (or answers neither a string nor null) retries the delivery, never drops it.
 * Rejects as `consume` does.
 */
export function consumeWebhooks(
    batch: QueueBatch,
    handler: (event: WebhookEvent, message: QueueMessage) => unknown,
    options: ConsumeWebhooksOptions,
): Promise<ConsumeWebhooksResult>;
