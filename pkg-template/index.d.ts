// gist-wasm's public API, the same from every entry; index.d.cts is this file read as CommonJS, for require().

/**
 * A Gist contact (docs/gist-api.md, "The contact object"). The required fields are normalised: null when
 * Gist sent none or `""`; timestamps Unix seconds (a `0` is kept). The optional ones (typed as Gist is known
 * to send them) and any other field Gist sends are as Gist sent them, unchecked: check their types
 * before use where a sender may not be Gist (a webhook no secret verified).
 */
export type Contact = {
    /** Gist's internal id. */
    id: number;
    /** `"user"` or `"lead"`: Gist's own, else `"user"` when there is a `user_id`. */
    type: ContactType;
    /** Your own id for a user, as a string even when Gist sends a number; null for a lead sent without one. */
    user_id: string | null;
    /** Email address. */
    email: string | null;
    /** Name. */
    name: string | null;
    /** Phone number, as a string even when Gist sends a number. */
    phone: string | null;
    /** Whether the contact unsubscribed from emails (Gist sends `"true"`/`"false"`). */
    unsubscribed_from_emails: boolean | null;
    /** When the contact was created, Unix seconds. */
    created_at: number | null;
    /** When the contact last changed, Unix seconds. */
    updated_at: number | null;
    /** When the user signed up, Unix seconds. */
    signed_up_at: number | null;
    /** When the contact was last seen, Unix seconds. */
    last_seen_at: number | null;
    /** The contact's tags, as Gist sent them. */
    tags?: { id: number; name: string }[];
    /** The contact's custom properties, as Gist sent them. */
    custom_properties?: CustomProperties;
    /** Full name, as Gist sent it. */
    full_name?: string | null;
    /** Avatar image URL, as Gist sent it. */
    avatar?: string | null;
    /** The last IP address the contact was seen from, as Gist sent it. */
    last_seen_ip?: string | null;
} & Record<string, unknown>;

/**
 * A campaign (docs/gist-api.md, "Segments and campaigns"); any other field Gist sends is kept as sent.
 */
export type Campaign = {
    /** Gist's id of the campaign. */
    id: number;
    /** Its name. */
    name: string | null;
    /** Its status, as Gist names it. */
    status: string | null;
    /** When it was created, Unix seconds. */
    created_at: number | null;
    /** When it last changed, Unix seconds. */
    updated_at: number | null;
    /** Active subscribers. */
    active_subscriber_count: number | null;
    /** Unsubscribed subscribers. */
    unsubscribed_subscriber_count: number | null;
    /** Emails in the campaign. */
    email_count: number | null;
    /** Open rate, the string Gist sends (such as "42.5"). */
    email_open_rate: string | null;
    /** Click rate, the string Gist sends. */
    email_click_rate: string | null;
    /** A link to the campaign, as Gist sent it. */
    href?: string | null;
} & Record<string, unknown>;

/**
 * A segment: a saved filter of contacts; any other field Gist sends is kept as sent.
 */
export type Segment = {
    /** Gist's id of the segment. */
    id: number;
    /** Its name. */
    name: string | null;
    /** When it was created, Unix seconds. */
    created_at: number | null;
    /** When it last changed, Unix seconds. */
    updated_at: number | null;
    /** How many contacts it holds: only when asked for with `include_count`. */
    count?: number;
} & Record<string, unknown>;

/**
 * A sort direction.
 */
export type SortOrder = "asc" | "desc";

/**
 * A tag; any other field Gist sends is kept as sent.
 */
export type Tag = {
    /** Gist's id of the tag. */
    id: number;
    /** The name, exactly as stored (case-sensitive); `""` where Gist sends none. */
    name: string;
} & Record<string, unknown>;

/**
 * A tracked event. Gist's event object is mostly unknown (docs/gist-api.md, "Tracked events"): every
 * field but these three is kept as Gist sent it.
 */
export type TrackedEvent = {
    /** The event's name as stored (Gist's `name`, else its `event_name`). */
    name: string | null;
    /** When it happened, Unix seconds. */
    occurred_at: number | null;
    /** Gist's id of the event, when it sends one. */
    id?: number;
} & Record<string, unknown>;

/**
 * Filters and sorting of `listUsers` / `listLeads` (the seed's List Users fields).
 */
export interface ListContactsOptions extends LimitOptions {
    /**
     * Only contacts in this segment.
     */
    segment_id?: number | undefined;
    /**
     * Only contacts with this tag.
     */
    tag_id?: number | undefined;
    /**
     * Only contacts created at or after this Unix time (a `Date` is sent as its Unix seconds).
     */
    created_since?: number | Date | undefined;
    /**
     * Only contacts with this status.
     */
    status?: string | undefined;
    /**
     * The field to sort by.
     */
    order_by?: ContactOrderBy | undefined;
    /**
     * The direction; default `"desc"`.
     */
    order?: SortOrder | undefined;
}

/**
 * The field to sort a contact list by.
 */
export type ContactOrderBy = "created_at" | "last_seen_at" | "signed_up_at" | "updated_at";

/**
 * The writable fields of a contact (the seed's Create User / Create Lead fields).
 */
export interface ContactFields {
    /**
     * Email address.
     */
    email?: string | undefined;
    /**
     * Full name.
     */
    name?: string | undefined;
    /**
     * Phone number.
     */
    phone?: string | undefined;
    /**
     * The last IP address the contact was seen from.
     */
    last_seen_ip?: string | undefined;
    /**
     * The last user agent the contact was seen with.
     */
    last_seen_user_agent?: string | undefined;
    /**
     * Whether the contact unsubscribed from emails.
     */
    unsubscribed_from_emails?: boolean | undefined;
    /**
     * When the user signed up, in Unix seconds (a `Date` is sent as its Unix seconds).
     */
    signed_up_at?: number | Date | undefined;
    /**
     * Tag names to add (created when missing; case-sensitive).
     */
    tags?: readonly string[] | undefined;
    /**
     * Custom properties: strings, finite numbers, booleans or null (a `Date` as its Unix seconds).
     */
    custom_properties?: CustomPropertiesInput | undefined;
}

/**
 * Whether a contact is a user (has a `user_id`) or a lead.
 */
export type ContactType = "user" | "lead";

/** Options of `new GistClient(options)`. */
export interface GistClientOptions {
    /**
     * Gist API key (Settings > API key) or an OAuth access token; sent as `Authorization: Bearer`, never
     * logged. `undefined` (an unset `process.env.GIST_API_KEY`) is `invalid_argument` at once.
     */
    apiKey: string | undefined;
    /**
     * Where requests go: default `https://api.getgist.com`; a proxy, or the mock server. No request ever
     * leaves its origin and path prefix; credentials in it are refused.
     */
    baseUrl?: string | undefined;
    /** The `fetch` to use; default the runtime's global `fetch`. */
    fetch?: ((input: string, init: RequestInit) => Promise<Response>) | undefined;
    /** Deadline of one whole call, retries and waits included, in ms (at most 2147483647); default 30000. */
    timeoutMs?: number | undefined;
    /** The most bytes one call may read in answers (a list: all its pages; one answer: at most 268435456, 256 MiB); default 33554432 (32 MiB). */
    maxResponseBytes?: number | undefined;
    /** How many times a failed call may be retried when that is safe (0 to 10); default 2. */
    maxRetries?: number | undefined;
    /** Page size of list calls; default 60. */
    perPage?: number | undefined;
    /** Allow calling Gist's own API (any `*.getgist.com` host) from a browser page or a browser's worker, which exposes the key to its visitors. */
    dangerouslyAllowBrowser?: boolean | undefined;
    /** Told about each request, answer and retry; a hook that throws is logged and ignored. */
    hooks?: ClientHooks | undefined;
    /** Where log lines go; default the runtime's `console`. */
    logger?: Logger | undefined;
    /** How much to log: default `"warn"` (each retry); `"info"` adds each answer, `"debug"` each request. */
    logLevel?: LogLevel | undefined;
    /** Put bodies in `debug` lines and in the `request` hook (they can hold personal data); default false. */
    logBodies?: boolean | undefined;
    /** The most requests this client has in flight at once; the rest queue. Default 6. */
    maxConcurrent?: number | undefined;
    /** The most requests this client starts per second; the rest queue. Default: no limit. */
    requestsPerSecond?: number | undefined;
}

/** How much a client logs. */
export type LogLevel = "off" | "error" | "warn" | "info" | "debug";

/** Where a client's log lines go (`console` fits). */
export interface Logger {
    /** A request, or a body with `logBodies`. */
    debug(message: string): void;
    /** An answer. */
    info(message: string): void;
    /** A retry. */
    warn(message: string): void;
    /** A hook that threw. */
    error(message: string): void;
}

/** A request as hooks see it: never the key, the query or the body. */
export interface RequestHookInfo {
    /** The HTTP method. */
    method: HttpMethod;
    /** The API path, without its query; an email in it is `[email]`. */
    path: string;
    /** 1 for the first try, 2 for the first retry, ... */
    attempt: number;
}

/** A request about to be sent, as the `request` hook sees it. */
export interface OutgoingRequestHookInfo extends RequestHookInfo {
    /** Its headers, names in lower case; the Authorization credential is `[redacted]` (`Bearer [redacted]`). */
    headers: Record<string, string>;
    /** Its body, only with the client option `logBodies: true` (it can hold personal data). */
    body?: string;
}

/** An answer (or none) as hooks see it. */
export interface ResponseHookInfo extends RequestHookInfo {
    /** The HTTP status; null when no answer came (network failure, timeout, abort) or its status is hidden (a browser's redirect). */
    status: number | null;
    /** The answer's request id, if it has one. */
    requestId: string | null;
    /** How long the request took, in ms. */
    elapsedMs: number;
}

/** A retry about to wait, as hooks see it. */
export interface RetryHookInfo extends RequestHookInfo {
    /** The status that failed the last attempt; null when no answer came. */
    status: number | null;
    /** How long the client waits before `attempt`, in ms. */
    waitMs: number;
}

/** The client's hooks; each is optional. */
export interface ClientHooks {
    /** Before each request is sent. */
    request?(info: OutgoingRequestHookInfo): void;
    /** After each request, answered or not. */
    response?(info: ResponseHookInfo): void;
    /** Before each retry's wait. */
    retry?(info: RetryHookInfo): void;
}

/** What an answer says of the rate limit (`X-RateLimit-*` or `RateLimit-*`). */
export interface RateLimit {
    /** Requests allowed in the window. */
    limit: number | null;
    /** Requests left in the window. */
    remaining: number | null;
    /** When the window resets, in ms since the Unix epoch. */
    resetAt: number | null;
}

/** What a call's last answer said (`withResponse()`). */
export interface ResponseInfo {
    /** Its HTTP status. */
    status: number;
    /** Its headers (a header whose name held the key or an email is left out). */
    headers: Headers;
    /** Its request id, if it has one. */
    requestId: string | null;
    /** Attempts of the last request: 2 after one retry (a try whose connection was never made too, which `requests` leaves out). */
    attempts: number;
    /** Requests the call sent in all (every page of a list, every batch of `tagContacts`; not one pacing held or whose connection was never made). */
    requests: number;
    /** How long the call took, in ms. */
    elapsedMs: number;
    /** The rate limit the answer reports, or null. */
    rateLimit: RateLimit | null;
}

/**
 * What every method returns: a Promise of the data that can also give the call's metadata (`R`: a list
 * call's may be null).
 */
export interface GistPromise<T, R extends ResponseInfo | null = ResponseInfo> extends Promise<T> {
    /**
     * Resolves the data and what the call's last answer said: `response` is null when the call sent no
     * request (a list resumed from the `cursor` of a list that had ended). Its headers are read (and the
     * key scrubbed from them) when this is first asked for: after the client's `free()`, it rejects
     * (`invalid_argument`).
     */
    withResponse(): Promise<{ data: T; response: R }>;
}

/** An `iter*` function's iterator: items one by one, or `pages()`; `cursor` resumes it later. */
export interface ListIterator<T> extends AsyncIterableIterator<T> {
    /**
     * Where the walk goes on after the last item handed out (within a page, when a `break` or `limit`
     * stopped it there), for `options.cursor`: before the first page, where the walk starts (with its
     * filters); once the list has ended, a cursor that resumes to nothing (no request).
     */
    readonly cursor: string;
    /** The same walk, a page at a time: after items were taken, its first page is the rest of the page in hand. */
    pages(): AsyncIterableIterator<T[]>;
}

/** Per-call options, the optional last argument of every method: an object of at most 64 KiB as JSON. */
export interface RequestOptions {
    /** Aborts the call (and any retry wait): it rejects with code `aborted` and the signal's reason as
     * `cause`, or `timeout` when the reason is a `TimeoutError` (`AbortSignal.timeout(ms)`). */
    signal?: AbortSignal | undefined;
    /** This call's deadline in ms (at most 2147483647), instead of the client's `timeoutMs`; for an
     * `iter*` iterator, each page's (a walk has no one deadline: it may pause between pages for ever). */
    timeoutMs?: number | undefined;
    /** This call's retries (0 to 10), instead of the client's `maxRetries`. */
    maxRetries?: number | undefined;
    /** Headers (at most 100) for every request of this call, over the client's; never `Authorization`. */
    headers?: Record<string, string> | Headers | undefined;
}

/** Custom property values, as Gist keeps them: dates as Unix seconds. An answer's number is what `JSON.parse`
 * makes of it (one past a double's range is `Infinity`, which a write refuses). */
export type CustomProperties = Record<string, string | number | boolean | null>;

/** Custom property values to send: a `CustomProperties`, where a `Date` is sent as its Unix seconds. */
export type CustomPropertiesInput = Record<string, string | number | boolean | null | Date>;

/** Names a contact: Gist's internal id, your user id, or the email address. */
export type ContactRef =
| { id: number; user_id?: undefined; email?: undefined }
| { user_id: number | string; id?: undefined; email?: undefined }
| { email: string; id?: undefined; user_id?: undefined };

/** A user to create: `user_id` must be a whole number (a number or a string of digits). */
export type NewUser = ContactFields & { user_id: number | string };

/** Changes to a user: any field of `NewUser`, all optional. */
export type UserChanges = ContactFields & { user_id?: number | string | undefined };

/** The stable `code` of a `GistError`. */
export type GistErrorCode =
| "unauthorized" | "forbidden" | "not_found" | "invalid_request" | "rate_limited" | "server_error"
| "network_error" | "timeout" | "aborted" | "invalid_argument" | "invalid_response" | "invalid_webhook"
// gist-wasm/queues' own (its QueueErrorCode): never from a GistClient method.
| "queue_error" | "store_error" | "outcome_unknown" | "handler_error";

/** The one error every method rejects with; it never contains the API key or an email address. */
export declare class GistError extends Error {
    /** A GistError as the client makes them, such as for a test double; `details` sets the fields it holds. */
    constructor(code: GistErrorCode, message: string, details?: GistErrorDetails);
    readonly name: "GistError";
    /** The stable category: switch on it, not on the message. */
    readonly code: GistErrorCode;
    /** The HTTP status, when an answer came; for `handleWebhook`'s `invalid_webhook`, the status to answer
     * the sender with (401: did not verify, 400: not a JSON object, 413: past `maxBodyBytes`). */
    readonly status?: number;
    /** Gist's own error items. */
    readonly errors?: { code: string; message: string }[];
    /** The answer's request id header, when there was one. */
    readonly requestId?: string;
    /** Seconds to wait before retrying, from `Retry-After` (at most a day). */
    readonly retryAfter?: number;
    /** The HTTP method of the failed request. */
    readonly method?: string;
    /** The path of the failed request, without its query string. */
    readonly path?: string;
    /** On a call that failed once under way: whether a request of it that writes (not a GET) may have
     * been acted on by Gist. False when none was sent (refused first, held by pacing until the
     * deadline, or its connection never made, by Node's, Deno's or Bun's own `fetch`) or each one sent was refused (a 4xx, 429
     * included, or a 503): the write did not happen, and retrying it cannot do it twice. True after no
     * answer, a timeout or another 5xx. */
    readonly mayHaveActed?: boolean;
}

/** The optional fields of a `GistError`, given to its constructor. */
export type GistErrorDetails = { [K in "status" | "errors" | "requestId" | "retryAfter" | "method" | "path" | "mayHaveActed"]?: GistError[K] | undefined };

/** Names a lead: Gist's internal id or the email address. */
export type LeadRef = { id: number; email?: undefined } | { email: string; id?: undefined };

/** A lead to create: it needs an email; it has no `user_id`. */
export type NewLead = ContactFields & { email: string };

/** Changes to a lead: any field of `NewLead`, all optional. */
export type LeadChanges = ContactFields;

/** A contact to tag, or to untag with `untag: true`. */
export type ContactTarget = ContactRef & { untag?: boolean | undefined };

/** What `tagContacts` should do: the tag (created when missing) and the users and leads to (un)tag. */
export interface TagRequest {
    tag: string;
    users?: readonly ContactTarget[] | undefined;
    leads?: readonly (LeadRef & { untag?: boolean | undefined })[] | undefined;
}

/**
 * What `tagContacts` did; `failed` lists each target that could not be (un)tagged, and why: one given by
 * email or `user_id` that matches nobody, one whose batch failed, or one refused as input (in JS, one that
 * JSON cannot hold, such as a NaN id, is given back as it was). A target given by `id` is sent as it
 * is, so an id that names no contact counts as (un)tagged (what Gist does with it is unknown). A contact
 * named twice counts once, by its first target alone (the later is in neither the counts nor `failed`);
 * named to be tagged and untagged, the later target fails (`invalid_argument`).
 */
export interface TagResult {
    tag: Tag;
    tagged: number;
    untagged: number;
    /** `mayHaveActed`: the target's batch may have (un)tagged it (no answer, one the deadline cut off, a
     * server error other than 503, an answer refused); `retryAfter`: the seconds to wait, where the error says (a rate
     * limit past the call's deadline). */
    failed: { target: ContactTarget; error: { code: GistErrorCode; message: string; mayHaveActed: boolean; retryAfter?: number } }[];
}

/** `{ limit, cursor }` of a list call or iterator. */
export interface LimitOptions {
    /** How many items: a list call's default is 100 (at most 10000); an iterator's, all. */
    limit?: number | undefined;
    /** Go on where an iterator's `cursor` was taken; it carries the list's filters, so only `limit` (and a `signal`) may go with it. */
    cursor?: string | null | undefined;
    /** Ends the call or the walk with `aborted`, as the request options' `signal` does (give it in one place). */
    signal?: AbortSignal | undefined;
}

/** Options of `fetchSegment`. */
export interface SegmentOptions {
    /** Also return the number of contacts in the segment, as `count`. */
    include_count?: boolean | undefined;
}

/** Options of `listSegments` and `iterSegments`. */
export interface ListSegmentsOptions extends SegmentOptions, LimitOptions {}

/** A tracked event to record, for exactly one of a user or a lead. */
export type NewEvent = {
    /** Its name: every `.` and `$` becomes `-` before it is sent, as Gist stores it. */
    event_name: string;
    properties?: Record<string, unknown> | undefined;
    /** When it happened, Unix seconds (a `Date` is sent as its Unix seconds). */
    occurred_at?: number | Date | undefined;
} & ({ user: ContactRef; lead?: undefined } | { lead: LeadRef; user?: undefined });

/** An HTTP method of `apiCall`. */
export type HttpMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

/** A raw API call: `url` is a path relative to `baseUrl`, such as "/contacts". */
export interface ApiCallRequest {
    url: string;
    method?: HttpMethod | undefined;
    /** Extra headers (at most 100); `Authorization` is the client's own and is refused here. */
    headers?: Record<string, string> | Headers | undefined;
    query?: Record<string, string | number | boolean> | undefined;
    /** The value to send as JSON (an object, an array, a number or a boolean), not its JSON text (a string is refused); `null`, as absent, sends no body; a `GET` or `DELETE` takes none. */
    body?: object | number | boolean | null | undefined;
}

/** The answer of `apiCall`, whatever its status: `body` is the parsed JSON, or the text. */
export interface ApiCallResponse {
    status: number;
    headers: Record<string, string>;
    body: unknown;
}

/** A webhook delivery, by shape: `contact` (a top-level contact), `automation` (the contact under
 * `message`), `conversation`, or `unknown`; `payload` is always the whole body. */
export type WebhookEvent =
| { kind: "contact"; topic?: string; contact: Contact; conversation?: never; payload: unknown }
| { kind: "automation"; topic?: string; contact: Contact; conversation?: never; payload: unknown }
| { kind: "conversation"; topic?: string; conversation: unknown; contact?: never; payload: unknown }
| { kind: "unknown"; topic?: string; contact?: never; conversation?: never; payload: unknown };

/** How to check that a delivery comes from Gist. */
export interface VerifyOptions {
    /** The shared secret, or several during a rotation. */
    secret: string | readonly string[];
    /** `"token"` (default): the secret itself in a header you add in Gist's webhook settings;
     * `"hmac-sha256"` / `"hmac-sha1"`: a signature of the raw body. */
    scheme?: "token" | "hmac-sha256" | "hmac-sha1" | undefined;
    /** The header to read: default `x-gist-webhook-token` (token) or `x-gist-signature` (HMAC). */
    header?: string | undefined;
    /** How the signature is written: default `"hex"` (a `sha256=` prefix is accepted). */
    encoding?: "hex" | "base64" | undefined;
}

/** A delivery's headers: a Fetch-API `Headers`, a record such as Node's `req.headers` (an array
 * value, as Node's `headersDistinct` gives a repeated header, is read as its values joined with `, `, as
 * a `Headers` joins them), or an array of `[name, value]` pairs (a repeated name's values joined too). */
export type WebhookHeaders = Headers | Record<string, string | readonly string[] | undefined> | readonly (readonly [string, string])[];

/** A received delivery: the raw body (its text, or its bytes) and its headers. */
export interface WebhookRequest {
    body: string | Uint8Array;
    headers: WebhookHeaders;
}

/** Options of `handleWebhook`: any other key is refused (`invalid_argument`), never ignored. */
export interface HandleWebhookOptions {
    /**
     * Verify before parsing; an unverified delivery rejects with `invalid_webhook`. Leave the key out not
     * to verify: `verify: undefined` (a secret that was not set, say) rejects with `invalid_argument`, so
     * that a missing secret fails closed.
     */
    verify?: VerifyOptions;
    /** The most bytes of the body to read (1 MiB by default); a larger one rejects with `invalid_webhook`, status 413. */
    maxBodyBytes?: number | undefined;
}



/**
 * A client of the Gist API. Every method returns a Promise (with `withResponse()`) that rejects only with
 * a `GistError`.
 */
export class GistClient {
    /**
     * Creates a client. Throws `GistError` (`invalid_argument`) for a missing key or bad options,
     * and in a browser for Gist's own `baseUrl` unless `dangerouslyAllowBrowser` is true.
     */
    constructor(options: GistClientOptions);
    /**
     * Releases the client's wasm memory now rather than when it is garbage-collected; every later call is
     * a `GistError` (`invalid_argument`), as is a first `withResponse()`, and calling it again does nothing.
     * Calls made before it still run to their end: one still waiting for its turn under the pacing
     * options sends its request when the turn comes, and the memory is released after the last starts.
     */
    free(): void;
    /**
     * Calls any path of the API (relative to `baseUrl`) and resolves for every HTTP status with
     * `{ status, headers, body }`; rejects on network failure, timeout or abort.
     */
    apiCall(request: ApiCallRequest, options?: RequestOptions | null): GistPromise<ApiCallResponse>;
    /**
     * Creates a lead (`POST /contacts` with `"type": "lead"`); it needs an email. Gist's upsert by
     * email: a user's email posts to that user (check with `fetchUser({ email })` first).
     */
    createLead(lead: NewLead, options?: RequestOptions | null): GistPromise<Contact>;
    /**
     * Creates a tag; the name is kept exactly as given ("TAG" and "tag" are two tags).
     */
    createTag(name: string, options?: RequestOptions | null): GistPromise<Tag>;
    /**
     * Creates a user (`POST /contacts`). `user_id` must be a whole number, else `invalid_argument`.
     */
    createUser(user: NewUser, options?: RequestOptions | null): GistPromise<Contact>;
    /**
     * Deletes a lead; a user or no match is `not_found`.
     */
    deleteLead(ref: LeadRef, options?: RequestOptions | null): GistPromise<void>;
    /**
     * Deletes the tag with this id.
     */
    deleteTag(id: number, options?: RequestOptions | null): GistPromise<void>;
    /**
     * Deletes a user; a lead or no match is `not_found`.
     */
    deleteUser(ref: ContactRef, options?: RequestOptions | null): GistPromise<void>;
    /**
     * Fetches a campaign.
     */
    fetchCampaign(id: number, options?: RequestOptions | null): GistPromise<Campaign>;
    /**
     * Fetches a lead by `{id}` or `{email}`; a user or no match is `not_found`.
     */
    fetchLead(ref: LeadRef, options?: RequestOptions | null): GistPromise<Contact>;
    /**
     * Fetches a segment; with `include_count`, its contact count too.
     */
    fetchSegment(id: number, options?: SegmentOptions | null, requestOptions?: RequestOptions | null): GistPromise<Segment>;
    /**
     * Fetches a user by `{id}`, `{user_id}` or `{email}`; a lead or no match is `not_found`.
     */
    fetchUser(ref: ContactRef, options?: RequestOptions | null): GistPromise<Contact>;
    /**
     * Iterates over campaigns, one page at a time; `limit` stops early, `cursor` resumes.
     */
    iterCampaigns(options?: LimitOptions | null, requestOptions?: RequestOptions | null): ListIterator<Campaign>;
    /**
     * Iterates over tracked events, one page at a time; `limit` stops early, `cursor` resumes.
     */
    iterEvents(options?: LimitOptions | null, requestOptions?: RequestOptions | null): ListIterator<TrackedEvent>;
    /**
     * Iterates over leads one page at a time (`for await`); `limit` stops early, `break` stops fetching.
     */
    iterLeads(options?: ListContactsOptions | null, requestOptions?: RequestOptions | null): ListIterator<Contact>;
    /**
     * Iterates over segments one page at a time; `limit` stops early.
     */
    iterSegments(options?: ListSegmentsOptions | null, requestOptions?: RequestOptions | null): ListIterator<Segment>;
    /**
     * Iterates over tags, one page at a time; `limit` stops early, `cursor` resumes.
     */
    iterTags(options?: LimitOptions | null, requestOptions?: RequestOptions | null): ListIterator<Tag>;
    /**
     * Iterates over users one page at a time (`for await`); `limit` stops early, `break` stops fetching.
     */
    iterUsers(options?: ListContactsOptions | null, requestOptions?: RequestOptions | null): ListIterator<Contact>;
    /**
     * Lists campaigns, paging until `limit` (default 100, at most 10000) or the end.
     */
    listCampaigns(options?: LimitOptions | null, requestOptions?: RequestOptions | null): GistPromise<Campaign[], ResponseInfo | null>;
    /**
     * Lists tracked events (`GET /events?event_type=all`), paging until `limit` or the end.
     */
    listEvents(options?: LimitOptions | null, requestOptions?: RequestOptions | null): GistPromise<TrackedEvent[], ResponseInfo | null>;
    /**
     * Lists leads (never users), paging until `limit` (default 100, at most 10000) or the end.
     */
    listLeads(options?: ListContactsOptions | null, requestOptions?: RequestOptions | null): GistPromise<Contact[], ResponseInfo | null>;
    /**
     * Lists segments, paging until `limit` (default 100, at most 10000) or the end.
     */
    listSegments(options?: ListSegmentsOptions | null, requestOptions?: RequestOptions | null): GistPromise<Segment[], ResponseInfo | null>;
    /**
     * Lists tags, paging until `limit` (default 100, at most 10000) or the end.
     */
    listTags(options?: LimitOptions | null, requestOptions?: RequestOptions | null): GistPromise<Tag[], ResponseInfo | null>;
    /**
     * Lists users (never leads), paging until `limit` (default 100, at most 10000) or the end.
     */
    listUsers(options?: ListContactsOptions | null, requestOptions?: RequestOptions | null): GistPromise<Contact[], ResponseInfo | null>;
    /**
     * Records a tracked event for a user or a lead; the name is normalised first (`.`/`$` -> `-`).
     */
    recordEvent(event: NewEvent, options?: RequestOptions | null): GistPromise<TrackedEvent>;
    /**
     * Tags and untags users and leads, 50 per request; what failed is listed in `failed`, and the
     * call rejects when no batch was answered as done (its `mayHaveActed` says whether one may have tagged).
     */
    tagContacts(request: TagRequest, options?: RequestOptions | null): GistPromise<TagResult>;
    /**
     * Changes an existing lead; never creates one: `not_found` when `ref` matches no lead.
     */
    updateLead(ref: LeadRef, changes: LeadChanges, options?: RequestOptions | null): GistPromise<Contact>;
    /**
     * Renames the tag with this id.
     */
    updateTag(id: number, name: string, options?: RequestOptions | null): GistPromise<Tag>;
    /**
     * Changes an existing user; never creates one: `not_found` when `ref` matches no user.
     */
    updateUser(ref: ContactRef, changes: UserChanges, options?: RequestOptions | null): GistPromise<Contact>;
}

/** `using client = new GistClient(...)` frees the client at the end of the block: `[Symbol.dispose]()` is `free()`. */
export interface GistClient extends Dispose {}

/**
 * `{ [Symbol.dispose](): void }` where the program's lib declares `Symbol.dispose` (esnext.disposable,
 * @types/node), `{}` elsewhere: the runtime sets the method only where it has the symbol.
 */
type Dispose = SymbolConstructor extends { readonly dispose: infer K extends symbol } ? { [P in K]: () => void } : {};

/**
 * For Workers and any Fetch-API server: reads the request's raw bytes once (at most
 * `options.maxBodyBytes`, 1 MiB by default), verifies them when `options.verify` is given, and parses the
 * body. Rejects with `invalid_webhook` and the `status` to answer the sender with: 401 when the delivery
 * did not verify, 400 when its body is not a JSON object, 413 when it is larger than `maxBodyBytes`; with
 * `invalid_argument` for options it does not understand (it never skips verifying); with `aborted` when
 * the request's `signal` aborts or its body fails (its sender went away) before the body ended. Under an
 * HMAC scheme the topic comes from the body only: a signature does not cover a topic header.
 */
export function handleWebhook(request: Request, options?: HandleWebhookOptions | null): Promise<WebhookEvent>;

/**
 * Gist's storage form of an event name: every `.` and `$` becomes `-` ("completed.order" ->
 * "completed-order"); nothing else changes, a lone surrogate included (`recordEvent` sends one as U+FFFD,
 * as UTF-8 writes it in any string).
 * Throws `GistError` (`invalid_argument`) when `name` is not a string.
 */
export function normalizeEventName(name: string): string;

/**
 * Parses a webhook body (any JSON object) into a `WebhookEvent` whose `payload` is `JSON.parse(body)`;
 * throws `GistError`: `invalid_webhook` when the body is not a JSON object, `invalid_argument` when
 * the body is not a string or the headers cannot be read.
 */
export function parseWebhook(body: string, headers?: WebhookHeaders | null): WebhookEvent;

/**
 * Checks a delivery's token or HMAC signature (of the raw body: a string's UTF-8 bytes, or a
 * `Uint8Array`) against one or more secrets, in constant time. Resolves `false` for a wrong or
 * missing one; rejects (`invalid_argument`) for bad options or a request that cannot be read.
 */
export function verifyWebhook(request: WebhookRequest, options: VerifyOptions): Promise<boolean>;

/**
 * For testing a receiver: the headers that `verifyWebhook(…, options)` accepts for `body` (its text or
 * raw bytes): the first secret as the token, or the body's HMAC in the options' header and encoding.
 */
export function signWebhook(body: string | Uint8Array, options: VerifyOptions): Promise<Record<string, string>>;

/**
 * Not needed: every entry of the package loads the wasm on import. Kept for compatibility: resolves
 * the wasm's exports; given a URL or bytes, loads the wasm from there if loading on import failed.
 * What cannot load (a failed fetch, bytes that are not gist-wasm's WebAssembly) rejects `invalid_argument`.
 */
export default function init(input?: unknown): Promise<unknown>;

/** Like `init`, synchronously, from the wasm's bytes or a compiled `WebAssembly.Module`. */
export function initSync(input: unknown): unknown;

// Only the declarations above marked `export` are the package's.
export {};
