/** A rule that makes the next matching request(s) fail. */
export interface MockFailure {
  /** Answer with this status (and `body`, `headers`). */
  status?: number | undefined;
  /** The answer's body: a string as is, anything else as JSON. */
  body?: unknown;
  /**
   * Extra answer headers, a plain object such as `{ "retry-after": "1" }` (not a `Headers`): a `content-type` is one type, JSON or
   * `text/plain` (no comma), no name is given twice in any case, and none changes what a browser does
   * (cookies, CORS, a service worker's scope, security policies, a request for credentials).
   */
  headers?: Record<string, string> | undefined;
  /** Wait this long before answering. */
  delayMs?: number | undefined;
  /** Fail like a dropped connection instead of answering. */
  drop?: boolean | undefined;
  /** How many requests the rule applies to; default 1. */
  times?: number | undefined;
  /** Only requests with this method. */
  method?: string | undefined;
  /** Only requests whose path starts with this. */
  path?: string | undefined;
  /** Only requests whose body contains this text. */
  bodyIncludes?: string | undefined;
  /** Only this share (0 to 1) of the matching requests, drawn from the mock's seeded random (`seed`). */
  fraction?: number | undefined;
}

/** Options of `createMockGist`: a key it does not take, or a value of the wrong kind, is a `TypeError`. */
export interface MockGistOptions {
  /** The only API key the mock accepts; default "mock-key". */
  apiKey?: string | undefined;
  /** How many contacts to seed, users and leads mixed; default 240. */
  contacts?: number | undefined;
  /** The largest `per_page` it serves; default 60. */
  maxPerPage?: number | undefined;
  /** Store event names with `.` and `$` turned into `-`, as Gist's docs say; default true. */
  normalizeEventNames?: boolean | undefined;
  /** How many of the latest requests `requests` (and `GET /__mock/requests`) keeps; default 1000. */
  maxLoggedRequests?: number | undefined;
  /** Seeds which requests a failure rule with a `fraction` hits, so that a run can be replayed; default 1. */
  seed?: number | undefined;
  /**
   * The path it is served under, such as "/api" (`/api/contacts`, `/api/__mock/reset`; other paths are
   * 404): its pages links keep it, and failure rules and the request log see paths without it. Default "".
   */
  basePath?: string | undefined;
}

/** A logged request. */
export interface MockRequest {
  method: string;
  /** The path (at most 4096 characters). */
  path: string;
  /** The query string, `?` included (at most 4096 characters). */
  query: string;
  /** The body text (at most 4096 characters); empty for GET. */
  body: string;
}

/** An in-memory Gist API. */
export interface MockGist {
    /**
     * POSTs a webhook delivery to `url`: `event` is a topic ("user.created"), whose body is a realistic
     * delivery about the mock's newest matching contact (a `conversation.*` topic: a conversation with that
     * contact), or a body object; `options` sign it as
     * `verifyWebhook(…, options)` expects (the package must be loaded: import gist-wasm first). Resolves the
     * receiver's Response; rejects with `invalid_argument` for an event that is neither a topic nor an
     * object JSON can write, and with `network_error` when the receiver cannot be reached.
     */
    deliverWebhook(url: string, event: string | Record<string, unknown>, options?: MockDeliveryOptions): Promise<Response>;
  /** Answers one Fetch-API request; every answer has `X-Content-Type-Options: nosniff` and a sandbox CSP. */
  handle(request: Request): Promise<Response>;
  /** A `fetch` replacement served by this mock, with no network: it rejects as `fetch` does (a relative URL, an aborted `signal`). */
  fetch(input: string | URL | Request, init?: RequestInit): Promise<Response>;
  /**
   * Makes the next matching request(s) fail; throws a `TypeError` for a rule it could not answer with (a
   * key it does not know, a `status` outside 200-599, `headers` HTTP cannot carry, that frame the answer
   * (`content-length`, `transfer-encoding`, ...) or that change what a browser does, `times` below 1, a
   * `fraction` outside 0-1), and a `RangeError` while 1000 rules, or 10 MB of their JSON, wait to be
   * spent (`reset()` forgets them).
   */
  fail(rule: MockFailure): void;
  /**
   * Limits the API key to `perSecond` requests a second, a token bucket of `burst` tokens (default
   * perSecond / 10, at least 1): a request past it is answered 429 with `Retry-After: 1`, before any
   * failure rule; a request with another key is not limited (it is answered 401). `limit(null)` lifts
   * it; a new limit applies at once. A `perSecond` that is not a positive number, or a `burst` under 1,
   * is a `TypeError`.
   */
  limit(settings: { perSecond: number; burst?: number | undefined } | null): void;
  /** The requests the rate limit let through (`admitted`) and answered 429 (`refused`) since the last reset. */
  readonly limited: { admitted: number; refused: number };
  /** Restores the seeded data and forgets failures, the rate limit and the request log. */
  reset(): void;
  /** The latest API requests received (at most `maxLoggedRequests`), oldest first. */
  readonly requests: MockRequest[];
  /**
   * The mock's data, for assertions. Change it through the API: a contact or tag pushed here or taken out
   * is seen, but a field changed in place may not be (a listing keeps its order between its pages, and
   * lookups by email, user_id and tag name are indexed).
   */
  readonly state: {
    contacts: Record<string, unknown>[];
    tags: { id: number; name: string }[];
    segments: Record<string, unknown>[];
    campaigns: Record<string, unknown>[];
    events: Record<string, unknown>[];
  };
}

/** How `deliverWebhook` signs: `verifyWebhook`'s options (the first secret signs). */
export interface MockDeliveryOptions {
    /** The shared secret, or several (the first signs). */
    secret: string | readonly string[];
    /** `"token"` (default), `"hmac-sha256"` or `"hmac-sha1"`. */
    scheme?: "token" | "hmac-sha256" | "hmac-sha1" | undefined;
    /** The header; default `x-gist-webhook-token` for a token, `x-gist-signature` for an HMAC. */
    header?: string | undefined;
    /** How an HMAC is written: `"hex"` (default) or `"base64"`. */
    encoding?: "hex" | "base64" | undefined;
}

/** Creates an in-memory Gist API. */
export function createMockGist(options?: MockGistOptions): MockGist;
