// The webhook side ("Watch Events"): reading deliveries is the runtime's; what they mean, and whether
// they verify, the core's. `payload` is always the runtime's own JSON.parse of the body.
import { checkDelivery, handleOptions, redactEmails, signingPlan, webhookEvent } from "./gist_wasm.js";
import { GistError, fromCore, invalidArgument } from "./errors.js";
import { assertLoaded } from "./load.js";
import { MAX_OPTIONS_BYTES } from "./declared.js";
import { checkOptionsObject, describe, headerLines, readBody, stopper, toJson, withoutKey } from "./runtime.js";
import { REFUSED, UNSURE, normalized, shallowEnough, trimmed } from "./normalize.js";

// For the mock's deliverWebhook, which imports this module (or, bundled, the package's entry) only when used.
export { GistError };

const utf8 = new TextEncoder();

function invalidWebhook(message, status) {
  return new GistError("invalid_webhook", message, { status });
}

// A body past what the runtime holds as one string, or parses in one go: 413 where a delivery is answered.
const tooLargeToRead = (error, status) => invalidWebhook(`the webhook body is too large to read (${describe(error)})`, status && 413);

// Where a delivery's topic may be, in the body and in the headers, and what makes a message a contact.
const TOPIC_KEYS = ["topic", "event", "event_name", "event_type"];
const TOPIC_HEADERS = ["x-gist-topic", "x-gist-event", "x-gist-webhook-event"];
const CONTACT_HINTS = ["email", "user_id", "type"];

// The topic: the first of the body's topic fields, then of the topic headers (in header lines, names in
// lower case; each name's lines joined with ", ", as a Fetch Headers joins them), that is a string not
// blank, trimmed; UNSURE where only the core can tell (see normalize.js).
function topicOf(payload, lines) {
  for (const key of TOPIC_KEYS) {
    const topic = trimmed(payload[key]);
    if (topic !== undefined) return topic;
  }
  const flat = lines === "" ? [] : lines.split("\n");
  for (const name of TOPIC_HEADERS) {
    const values = flat.filter((line, i) => i % 2 === 1 && flat[i - 1] === name);
    const topic = values.length === 0 ? undefined : trimmed(values.join(", "));
    if (topic !== undefined) return topic;
  }
  return undefined;
}

// The contact of an automation's `message`: its `contact`, else the message itself when it looks like one.
function messageContact(message, context) {
  if (message === null || typeof message !== "object" || Array.isArray(message)) return REFUSED;
  const contact = normalized(message.contact, "contact", context);
  if (contact !== REFUSED) return contact;
  return CONTACT_HINTS.some((key) => Object.hasOwn(message, key)) ? normalized(message, "contact", context) : REFUSED;
}

// `{ kind, topic?, contact?, payload: null }` of a parsed body, as the core's webhook summary reads it
// from the text (src/webhook/event.rs); undefined where only the core can tell (see normalize.js).
function summary(payload, body, lines) {
  if (!shallowEnough(body)) return undefined;
  const context = { body };
  let kind = "unknown";
  let contact = normalized(payload.contact, "contact", context);
  if (contact !== REFUSED) kind = "contact";
  else if ((contact = messageContact(payload.message, context)) !== REFUSED) kind = "automation";
  else if (typeof payload.conversation === "object" && payload.conversation !== null && !Array.isArray(payload.conversation)) kind = "conversation";
  if (contact === UNSURE) return undefined;
  const topic = topicOf(payload, lines);
  if (topic === UNSURE) return undefined;
  const event = { kind };
  if (topic) event.topic = topic;
  if (kind === "contact" || kind === "automation") event.contact = contact;
  event.payload = null;
  return event;
}

// A body without its byte order mark, as TextDecoder drops it.
const withoutMark = (body) => (body.charCodeAt(0) === 0xfeff ? body.slice(1) : body);

// The most characters of header lines a delivery's reading hands the core: far past what any HTTP
// server takes (tens of KB), short of what would fill the wasm's memory.
const MAX_HEADER_TEXT = 32 * 2 ** 20;

// A delivery's header lines (see headerLines); `invalid_argument` past MAX_HEADER_TEXT.
function deliveryLines(headers) {
  const lines = headerLines(headers);
  if (lines.length > MAX_HEADER_TEXT) throw invalidArgument(`the headers are more than ${MAX_HEADER_TEXT} characters, far more than an HTTP server takes`);
  return lines;
}

// The longest body the core reads (UTF-16 units): what it reads costs its memory some times the body's
// size, which it never gives back, and one past 4 GiB would leave the wasm unusable.
const MAX_CORE_BODY = 32 * 2 ** 20;

// The core's WebhookEvent of a body (it never refuses one): what fails here is a body too large for the
// wasm's memory, or a result longer than a JS string may be. One that it cannot read in full (nested
// past 128 levels) is `unknown`, without the body's topic: the core reads that from the parsed body's
// topic fields alone.
function coreEvent(body, payload, lines, status) {
  if (body.length > MAX_CORE_BODY) throw invalidWebhook(`the webhook body is too large to read: one that only the core reads exactly (nested past 127 levels, or a contact JS cannot read exactly: a number past 2^53, a user_id or phone given as a number, a __proto__ key) is read to ${MAX_CORE_BODY} characters`, 413);
  try {
    const event = JSON.parse(webhookEvent(body, lines));
    if (event.kind !== "unknown") return event;
    const topics = {};
    for (const key of TOPIC_KEYS) if (typeof payload[key] === "string") topics[key] = payload[key];
    return JSON.parse(webhookEvent(JSON.stringify(topics), lines));
  } catch (error) {
    throw tooLargeToRead(error, status);
  }
}

// The WebhookEvent of a body (a string, its byte order mark dropped) and its header lines: parsed once,
// read here, or by the core where only it can tell.
function eventOf(body, lines, status) {
  let payload;
  try {
    payload = JSON.parse(body);
  } catch (error) {
    if (!(error instanceof SyntaxError)) throw tooLargeToRead(error, status); // a RangeError: out of memory
    payload = undefined;
  }
  if (payload === null || typeof payload !== "object" || Array.isArray(payload)) throw invalidWebhook("the webhook body is not a JSON object", status);
  const event = summary(payload, body, lines) ?? coreEvent(body, payload, lines, status);
  if (event.kind === "conversation") event.conversation = payload.conversation;
  event.payload = payload;
  return event;
}

/**
 * Parses a webhook body (any JSON object) into a `WebhookEvent` whose `payload` is `JSON.parse(body)`;
 * throws `GistError`: `invalid_webhook` when the body is not a JSON object, `invalid_argument` when the
 * body is not a string or the headers cannot be read.
 */
export function parseWebhook(body, headers) {
  assertLoaded();
  const lines = deliveryLines(headers);
  if (typeof body !== "string") throw invalidArgument("the webhook body must be the raw body as a string");
  return eventOf(withoutMark(body), lines, undefined);
}

// The typed arrays' own accessors, which read a view's internal slots whatever its realm, and never an
// accessor the view itself defines.
const VIEW = Object.getPrototypeOf(Uint8Array.prototype);
const viewSlot = (name) => Object.getOwnPropertyDescriptor(VIEW, name).get;
const [kindOf, bufferOf, offsetOf, lengthOf] = [Symbol.toStringTag, "buffer", "byteOffset", "byteLength"].map(viewSlot);

// Whether an ArrayBuffer is resizable (undefined where the runtime has none).
const resizableOf = Object.getOwnPropertyDescriptor(ArrayBuffer.prototype, "resizable")?.get;

// The raw bytes of a body given as a string (its UTF-8) or a Uint8Array of any realm (a Node Buffer is
// one; a Proxy of one is not), as a view of this realm, copied when it views a SharedArrayBuffer or a
// resizable ArrayBuffer, which Web Crypto refuses (Bun's, the latter).
function bodyBytes(body) {
  if (typeof body === "string") return utf8.encode(body);
  if (kindOf.call(body) !== "Uint8Array") throw invalidArgument("the webhook body must be the raw body, as a string or a Uint8Array");
  try {
    const buffer = bufferOf.call(body);
    const view = new Uint8Array(buffer, offsetOf.call(body), lengthOf.call(body));
    const plain = Object.prototype.toString.call(buffer) === "[object ArrayBuffer]" && !resizableOf?.call(buffer);
    return plain ? view : new Uint8Array(view);
  } catch {
    throw invalidArgument("the webhook body's bytes cannot be read (its buffer was detached)");
  }
}

// Whether verification options (checked JSON text) ask for an HMAC.
const hmacScheme = (optionsText) => /^hmac-/.test(JSON.parse(optionsText).scheme);

// Web Crypto, or the GistError that says why an HMAC needs it.
function webCrypto() {
  const subtle = globalThis.crypto && globalThis.crypto.subtle;
  if (!subtle) throw invalidArgument("an HMAC needs Web Crypto (crypto.subtle), which a browser gives only to secure pages (https:// or localhost)");
  return subtle;
}

// `each(subtle, key)` for an HMAC key (by `hash`, for `use`: "sign" or "verify") of each of `secrets` in
// turn, and what each gave; a failure of Web Crypto itself is a GistError.
async function withHmacKeys(secrets, hash, use, each) {
  const subtle = webCrypto();
  try {
    const results = [];
    for (const secret of secrets) {
      const key = await subtle.importKey("raw", utf8.encode(secret), { name: "HMAC", hash }, false, [use]);
      results.push(await each(subtle, key));
    }
    return results;
  } catch (error) {
    throw invalidArgument(`Web Crypto could not compute the HMAC (${describe(error)})`);
  }
}

/** Bytes as lower-case hex (gist-wasm/queues uses it too). */
export const toHex = (bytes) => Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
const toBase64 = (bytes) => btoa(String.fromCharCode(...bytes));

/**
 * The headers that make `verifyWebhook(…, options)` accept `body` (a string or `Uint8Array`): the first
 * secret as a token, or the HMAC of the raw body (hex or base64). For testing a webhook receiver.
 */
export async function signWebhook(body, options) {
  assertLoaded();
  const bytes = bodyBytes(body);
  checkWebhookOptions(options, "signWebhook's options");
  let plan;
  try {
    plan = JSON.parse(signingPlan(optionsJson(options, () => options)));
  } catch (error) {
    throw error instanceof GistError ? error : fromCore(error);
  }
  if (plan.token !== undefined) return { [plan.header]: plan.token };
  const { hash, secret, encoding } = plan.hmac;
  const [mac] = await withHmacKeys([secret], hash, "sign", async (subtle, key) => new Uint8Array(await subtle.sign("HMAC", key, bytes)));
  return { [plan.header]: encoding === "hex" ? toHex(mac) : toBase64(mac) };
}

// Webhook options' JSON (toJson), refused without the secrets of the verify options `verifyOf()` gives
// (they or those in them): a field a refusal names may be named by one, as the core's refusals hide them.
function optionsJson(options, verifyOf, how = { options: true }) {
  try {
    return toJson(options, "options", { maxBytes: MAX_OPTIONS_BYTES, ...how });
  } catch (error) {
    if (!(error instanceof GistError)) throw error;
    let message = error.message;
    for (const secret of secretsOf(verifyOf)) for (const text of textsOf(secret)) message = withoutKey(text, message);
    throw message === error.message ? error : invalidArgument(message);
  }
}

// The texts a secret given as anything (refused, but perhaps after another field named by it) stands for:
// itself, a String object's string, what JSON writes of it (a wrapper's toJSON).
function textsOf(secret) {
  try {
    return [secret, typeof secret === "object" && secret !== null ? String(secret) : undefined, JSON.parse(JSON.stringify(secret) ?? "null")];
  } catch {
    return [secret];
  }
}

// The secrets of the verify options `verifyOf()` gives (`secret`: one or a list), as far as they can be read.
function secretsOf(verifyOf) {
  try {
    const secret = verifyOf()?.secret;
    // As many as options of MAX_OPTIONS_BYTES can hold: a Proxy's length may be anything.
    return Array.isArray(secret) ? Array.from({ length: Math.min(secret.length, MAX_OPTIONS_BYTES) }, (_, i) => secret[i]) : [secret];
  } catch {
    return [];
  }
}

// checkOptionsObject, and no key that JSON would leave out (a Symbol, one not enumerable, one inherited):
// a check not understood is never skipped.
function checkWebhookOptions(options, what) {
  checkOptionsObject(options, what);
  if (options === undefined || options === null) return;
  let unseen;
  try {
    unseen = Object.getOwnPropertySymbols(options).length > 0 ? "a Symbol key, which names no option"
      : Object.getOwnPropertyNames(options).length > Object.keys(options).length ? "a key that is not enumerable"
      : inheritsKeys(options) ? "a key it inherits" : undefined;
  } catch {
    throw invalidArgument(`${what} cannot be read (a Proxy trap threw)`);
  }
  if (unseen) throw invalidArgument(`${what} has ${unseen}: JSON would not read it, so it is refused, so that no check is skipped`);
}

// The keys of a realm's Object.prototype, which name no option.
const OBJECT_KEYS = new Set(Reflect.ownKeys(Object.prototype));
// Whether an object inherits what could be an option: a key of its parent's (isPlainObject has checked
// that it has no parent) other than a realm's Object.prototype's, that holds no function (a polyfill's
// method, which another realm's Object.prototype may have).
function inheritsKeys(object) {
  const parent = Object.getPrototypeOf(object);
  if (parent === null || parent === Object.prototype) return false;
  return Reflect.ownKeys(parent).some((key) => !OBJECT_KEYS.has(key) && typeof Object.getOwnPropertyDescriptor(parent, key)?.value !== "function");
}

// How a delivery verifies: `false` when it does not, else "signature" (an HMAC of its body) or "token".
// The core reads the token or signature; an HMAC is checked here with Web Crypto (constant-time),
// against each secret in turn. `inHandle`: the options are handleWebhook's `verify` (so errors name them).
async function verification(bytes, lines, optionsText, inHandle) {
  let plan;
  try {
    plan = JSON.parse(checkDelivery(lines, optionsText, inHandle));
  } catch (error) {
    throw fromCore(error);
  }
  if (!plan.hmac) {
    // Without Web Crypto an HMAC check refuses whatever the delivery holds, not only a well-formed signature.
    if (!globalThis.crypto?.subtle && hmacScheme(optionsText)) webCrypto();
    return plan.settled && "token";
  }
  const { hash, signature, secrets } = plan.hmac;
  const signed = new Uint8Array(signature);
  const results = await withHmacKeys(secrets, hash, "verify", (subtle, key) => subtle.verify("HMAC", key, signed, bytes));
  return results.includes(true) && "signature";
}

/**
 * Checks a delivery's token or HMAC signature (of the raw body: a string's UTF-8 bytes, or a
 * `Uint8Array`) against one or more secrets, in constant time. Resolves `false` for a wrong or
 * missing one; rejects (`invalid_argument`) for bad options or a request that cannot be read.
 */
export async function verifyWebhook(request, options) {
  assertLoaded();
  checkWebhookOptions(options, "verifyWebhook's options");
  const optionsText = optionsJson(options, () => options);
  if (typeof request !== "object" || request === null) throw invalidArgument("verifyWebhook needs { body, headers }");
  let bytes, headers;
  try {
    ({ headers } = request);
    bytes = bodyBytes(request.body);
  } catch (error) {
    throw error instanceof GistError ? error : invalidArgument("request.body or request.headers cannot be read");
  }
  return (await verification(bytes, deliveryLines(headers), optionsText, false)) !== false;
}

// handleWebhook's options: `{ verify, maxBodyBytes }`, the `verify` options' JSON text (null for none) and
// the most body bytes to read. Anything that is not a plain object, or a `verify` key with anything but
// plain options, is refused: it never skips verifying.
function handleOptionsOf(options) {
  checkWebhookOptions(options, "handleWebhook's options");
  let named = false;
  try {
    named = options !== undefined && options !== null && "verify" in options;
  } catch {
    throw invalidArgument("handleWebhook's options cannot be read (a getter or Proxy trap threw)");
  }
  let given;
  const verify = (key, value) => {
    if (key === "verify") {
      checkWebhookOptions(value, "options.verify");
      given = value;
    }
    return value;
  };
  // A key refused before `verify` was read: read now.
  const text = optionsJson(options, () => given ?? options.verify, { top: verify, options: ["verify"] });
  try {
    return JSON.parse(handleOptions(text, named));
  } catch (error) {
    throw fromCore(error);
  }
}

// `{ race, stop }`: a stopper's race (see stopper), which rejects (`aborted`) once a request's signal says
// its sender went away, until `stop()`; else it settles as what it races does (a sender that stalls with
// its connection open is ended by the server's own request timeout).
function senderGone(signal) {
  const ends = stopper();
  const gone = () => ends.stop(new GistError("aborted", "the sender went away before the webhook's body ended"));
  if (!(signal instanceof AbortSignal)) return { race: ends.race, stop: () => {} };
  if (signal.aborted) gone();
  else signal.addEventListener("abort", gone, { once: true });
  return { race: ends.race, stop: () => signal.removeEventListener("abort", gone) };
}

// A Fetch-API Request's raw bytes and header lines, read once, and at most `maxBytes` of the body: a body
// declared or found larger is `invalid_webhook` with status 413, and is not read further.
async function readRequest(request, maxBytes) {
  const tooLarge = () => invalidWebhook(`the webhook's body is larger than maxBodyBytes (${maxBytes} bytes)`, 413);
  let bytes, lines;
  try {
    if (!request || typeof request.arrayBuffer !== "function") throw invalidArgument("handleWebhook needs a Fetch-API Request");
    if (request.bodyUsed === true || request.body?.locked === true) throw invalidArgument("the request's body was already read (or is being read): pass the request to handleWebhook before reading anything of it");
    lines = deliveryLines(request.headers);
    if (typeof request.body?.getReader === "function") {
      const gone = senderGone(request.signal);
      try {
        // A chunk on a SharedArrayBuffer or a resizable one is copied, as Web Crypto takes neither.
        bytes = await readBody(request, maxBytes, gone.race);
        if (bytes) bytes = bodyBytes(bytes);
      } catch (error) {
        // A body that fails before its end is one whose sender went away (Deno's server says BadResource).
        throw error instanceof GistError ? error : new GistError("aborted", `the sender went away before the webhook's body ended (${redactEmails(describe(error))})`);
      } finally {
        gone.stop();
      }
    } else {
      const buffer = await request.arrayBuffer();
      if (Object.prototype.toString.call(buffer) !== "[object ArrayBuffer]") throw invalidArgument("request.arrayBuffer() did not give an ArrayBuffer");
      bytes = buffer.byteLength > maxBytes ? null : bodyBytes(new Uint8Array(buffer));
    }
  } catch (error) {
    throw error instanceof GistError ? error : invalidArgument(`the request cannot be read (${redactEmails(describe(error))})`);
  }
  if (bytes === null) throw tooLarge();
  return { bytes, lines };
}

// The UTF-8 text of a delivery's bytes. Each UTF-16 unit of it takes at most 3 of them (and one byte order
// mark is dropped): a decoder that gave less read past the runtime's longest string and kept quiet (Bun's
// gives ""), as Node's and Deno's throw.
function decoded(bytes) {
  let body;
  try {
    body = new TextDecoder().decode(bytes);
  } catch (error) {
    throw tooLargeToRead(error, 413);
  }
  if (body.length * 3 < bytes.length - 3) throw tooLargeToRead(new RangeError("its text was cut short"), 413);
  return body;
}

/**
 * For Workers and any Fetch-API server: reads the request's raw bytes once (at most
 * `options.maxBodyBytes`, 1 MiB by default), verifies them when `options.verify` is given, and parses the
 * body. Rejects with `invalid_webhook` and the `status` to answer the sender with: 401 when the delivery
 * did not verify, 400 when its body is not a JSON object, 413 when it is larger than `maxBodyBytes`; with
 * `invalid_argument` for options it does not understand (it never skips verifying); with `aborted` when
 * the request's `signal` aborts or its body fails (its sender went away) before the body ended. Under an
 * HMAC scheme the topic comes from the body only: a signature does not cover a topic header.
 */
export async function handleWebhook(request, options) {
  return (await receiveDelivery(request, options)).event;
}

/** `handleWebhook`, which also gives the body as it came (as text, without a byte order mark). */
export async function receiveDelivery(request, options) {
  assertLoaded();
  const { verify, maxBodyBytes } = handleOptionsOf(options);
  const { bytes, lines } = await readRequest(request, maxBodyBytes);
  const verified = verify === null || (await verification(bytes, lines, verify, true));
  if (!verified) throw invalidWebhook("the webhook's token or signature did not verify", 401);
  // TextDecoder drops one byte order mark, as parseWebhook does. A signature covers the body alone:
  // a topic header beside it could be changed on a replay, so the topic then comes from the body only.
  const body = decoded(bytes);
  return { event: eventOf(body, verified === "signature" ? "" : lines, 400), body };
}

/**
 * Gist's storage form of an event name: every `.` and `$` becomes `-` ("completed.order" ->
 * "completed-order"); nothing else changes. Throws `GistError` (`invalid_argument`) for a non-string.
 */
export function normalizeEventName(name) {
  assertLoaded();
  if (typeof name !== "string") throw invalidArgument("the event name must be a string");
  return name.replace(/[.$]/g, "-");
}
