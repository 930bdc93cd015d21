/** Options of `new GistClient(options)`. */
export interface GistClientOptions {
  /** Gist API key (Settings > API key) or an OAuth access token; sent as `Authorization: Bearer`, never logged. */
  apiKey: string;
  /**
   * Where requests go: default `https://api.getgist.com`; a proxy, or the mock server. No request ever
   * leaves its origin and path prefix; credentials in it are refused.
   */
  baseUrl?: string;
  /** The `fetch` to use; default the runtime's global `fetch`. */
  fetch?: (input: string, init: RequestInit) => Promise<Response>;
  /** Deadline of one whole call, retries and waits included, in ms (at most 2147483647); default 30000. */
  timeoutMs?: number;
  /** The most bytes one call may read in answers (a list: all its pages); default 33554432 (32 MiB). */
  maxResponseBytes?: number;
  /** How many times a failed call may be retried when that is safe; default 2. */
  maxRetries?: number;
  /** Page size of list calls; default 60. */
  perPage?: number;
  /** Allow calling Gist's own API (any `*.getgist.com` host) from a browser page, which exposes the key to its visitors. */
  dangerouslyAllowBrowser?: boolean;
}

/** Per-call options, the optional last argument of every method. */
export interface RequestOptions {
  /** Aborts the call (and any retry wait): it rejects with code `aborted`. */
  signal?: AbortSignal;
  /** This call's deadline in ms (at most 2147483647), instead of the client's `timeoutMs`. */
  timeoutMs?: number;
}

/** Custom property values: a date is sent as Unix seconds; numbers must be finite. */
export type CustomProperties = Record<string, string | number | boolean | null>;

/** Names a contact: Gist's internal id, your user id, or the email address. */
export type ContactRef = { id: number } | { user_id: number | string } | { email: string };

/** A user to create: `user_id` must be a whole number (a number or a string of digits). */
export type NewUser = ContactFields & { user_id: number | string };

/** Changes to a user: any field of `NewUser`, all optional. */
export type UserChanges = ContactFields & { user_id?: number | string };

/** The stable `code` of a `GistError`. */
export type GistErrorCode =
  | "unauthorized" | "forbidden" | "not_found" | "invalid_request" | "rate_limited" | "server_error"
  | "network_error" | "timeout" | "aborted" | "invalid_argument" | "invalid_response" | "invalid_webhook";

/** The one error every method rejects with; it never contains the API key or an email address. */
export declare class GistError extends Error {
  readonly name: "GistError";
  /** The stable category: switch on it, not on the message. */
  readonly code: GistErrorCode;
  /** The HTTP status, when an answer came; for `handleWebhook`'s `invalid_webhook`, the status to answer
   * the sender with (401: did not verify, 400: not a JSON object). */
  readonly status?: number;
  /** Gist's own error items. */
  readonly errors?: { code: string; message: string }[];
  /** The answer's request id header, when there was one. */
  readonly requestId?: string;
  /** Seconds to wait before retrying, from `Retry-After`. */
  readonly retryAfter?: number;
  /** The HTTP method of the failed request. */
  readonly method?: string;
  /** The path of the failed request, without its query string. */
  readonly path?: string;
}

/** Names a lead: Gist's internal id or the email address. */
export type LeadRef = { id: number } | { email: string };

/** A lead to create: it needs an email; it has no `user_id`. */
export type NewLead = ContactFields & { email: string };

/** Changes to a lead: any field of `NewLead`, all optional. */
export type LeadChanges = ContactFields;

/** A contact to tag, or to untag with `untag: true`. */
export type ContactTarget = ContactRef & { untag?: boolean };

/** What `tagContacts` should do: the tag (created when missing) and the users and leads to (un)tag. */
export interface TagRequest {
  tag: string;
  users?: ContactTarget[];
  leads?: (LeadRef & { untag?: boolean })[];
}

/** What `tagContacts` did; `failed` lists each target that could not be (un)tagged, and why. */
export interface TagResult {
  tag: Tag;
  tagged: number;
  untagged: number;
  failed: { target: ContactTarget; error: { code: GistErrorCode; message: string } }[];
}

/** `{ limit }` of a list call: default 100, at most 10000. */
export interface LimitOptions {
  limit?: number;
}

/** Options of `fetchSegment`. */
export interface SegmentOptions {
  /** Also return the number of contacts in the segment, as `count`. */
  include_count?: boolean;
}

/** Options of `listSegments` and `iterSegments`. */
export interface ListSegmentsOptions extends SegmentOptions, LimitOptions {}

/** A tracked event to record, for exactly one of a user or a lead. */
export type NewEvent = {
  /** Its name: every `.` and `$` becomes `-` before it is sent, as Gist stores it. */
  event_name: string;
  properties?: Record<string, unknown>;
  /** When it happened, Unix seconds. */
  occurred_at?: number;
} & ({ user: ContactRef; lead?: never } | { lead: LeadRef; user?: never });

/** An HTTP method of `apiCall`. */
export type HttpMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

/** A raw API call: `url` is a path relative to `baseUrl`, such as "/contacts". */
export interface ApiCallRequest {
  url: string;
  method?: HttpMethod;
  /** Extra headers; `Authorization` is the client's own and is refused here. */
  headers?: Record<string, string>;
  query?: Record<string, string | number | boolean>;
  body?: unknown;
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
  | { kind: "contact"; topic?: string; contact: Contact; payload: unknown }
  | { kind: "automation"; topic?: string; contact: Contact; payload: unknown }
  | { kind: "conversation"; topic?: string; conversation: unknown; payload: unknown }
  | { kind: "unknown"; topic?: string; payload: unknown };

/** How to check that a delivery comes from Gist. */
export interface VerifyOptions {
  /** The shared secret, or several during a rotation. */
  secret: string | string[];
  /** `"token"` (default): the secret itself in a header you add in Gist's webhook settings;
   * `"hmac-sha256"` / `"hmac-sha1"`: a signature of the raw body. */
  scheme?: "token" | "hmac-sha256" | "hmac-sha1";
  /** The header to read: default `x-gist-webhook-token` (token) or `x-gist-signature` (HMAC). */
  header?: string;
  /** How the signature is written: default `"hex"` (a `sha256=` prefix is accepted). */
  encoding?: "hex" | "base64";
}

/** A received delivery: the raw body (its text, or its bytes) and its headers. */
export interface WebhookRequest {
  body: string | Uint8Array;
  headers: Record<string, string> | Headers;
}

/** Options of `handleWebhook`: any other key is refused (`invalid_argument`), never ignored. */
export interface HandleWebhookOptions {
  /** Verify before parsing; an unverified delivery rejects with `invalid_webhook`. */
  verify?: VerifyOptions;
}
