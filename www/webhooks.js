// The webhook side of the demo: an inspector for pasted or sample payloads, and a live receiver that
// shows deliveries POSTed to this server's /webhooks as they arrive, parsed by the wasm in this page.
import { el, scrollable } from "./fields.js";

const contact = { id: 1001, type: "user", user_id: "5001", email: "ada@example.com", name: "Ada Lovelace", unsubscribed_from_emails: "false", created_at: 1700003600, tags: [{ id: 3, name: "VIP" }] };
export const SAMPLES = {
  "user created": { topic: "user.created", contact },
  "contact tagged": { topic: "contact.tagged", contact, tag: { id: 3, name: "VIP" } },
  "automation (contact under message)": { message: { ...contact }, workflow: { id: 77, name: "Trial ending" } },
  "conversation opened": { topic: "conversation.opened", conversation: { id: 5501, state: "open", contacts: [{ id: 1001 }] } },
  "garbage (not JSON)": "<html>502 Bad Gateway</html>",
};

const text = (sample) => (typeof sample === "string" ? sample : JSON.stringify(sample, null, 2));

/**
 * Wires the inspector and the receiver of `section`; `sdk` is the package's module (a promise).
 * Returns `listen()`, which connects the live receiver (once) when the panel is first shown.
 */
export function setupWebhooks(section, { sdk, showResult, showError }) {
  const form = section.querySelector("#inspector");
  const { sample, body, secret, scheme, header, signature } = form.elements;
  for (const name of Object.keys(SAMPLES)) sample.append(el("option", { value: name, textContent: name }));
  body.value = text(SAMPLES["user created"]);
  sample.addEventListener("change", () => { body.value = text(SAMPLES[sample.value]); });
  const parsed = section.querySelector("#inspector-result");
  const verdict = section.querySelector("#inspector-verdict");

  const verifyOptions = () => ({ secret: secret.value, scheme: scheme.value, ...(header.value.trim() ? { header: header.value.trim() } : {}) });

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const { normalizeEventName, parseWebhook, verifyWebhook } = await sdk;
    const headers = signature.value ? { [header.value.trim() || (scheme.value === "token" ? "x-gist-webhook-token" : "x-gist-signature")]: signature.value } : {};
    try {
      const parsedEvent = parseWebhook(body.value, headers);
      showResult(parsed, { kind: parsedEvent.kind, topic: parsedEvent.topic ?? null, event_name: parsedEvent.topic ? normalizeEventName(parsedEvent.topic) : null, contact: parsedEvent.contact ?? null, conversation: parsedEvent.conversation ?? null }, { name: "Inspected event" });
    } catch (error) {
      showError(parsed, error);
    }
    if (!secret.value) {
      verdict.textContent = "No secret given: not verified.";
      verdict.className = "muted";
      return;
    }
    try {
      const ok = await verifyWebhook({ body: body.value, headers }, verifyOptions());
      verdict.textContent = ok ? "✔ Verified with the secret." : "✘ Not verified: wrong or missing token or signature.";
      verdict.className = ok ? "ok" : "error";
    } catch (error) {
      showError(verdict, error);
    }
  });

  // The live receiver.
  const receiverUrl = `${location.origin}/webhooks`;
  section.querySelector("#receiver-url").textContent = receiverUrl;
  section.querySelector("#receiver-curl").textContent = `curl -X POST ${receiverUrl} -H 'content-type: application/json' -H 'x-gist-webhook-token: s3cret' -d '{"topic":"user.created","contact":{"id":1001,"email":"ada@example.com"}}'`;
  const list = section.querySelector("#deliveries");
  const status = section.querySelector("#receiver-status");
  const show = async (message) => {
    const { normalizeEventName, parseWebhook, verifyWebhook } = await sdk;
    const delivery = JSON.parse(message.data);
    const item = el("li", { className: "delivery" });
    let summary;
    try {
      const event = parseWebhook(delivery.body, delivery.headers);
      summary = `${event.kind}${event.topic ? ` · ${event.topic} → ${normalizeEventName(event.topic)}` : ""}${event.contact ? ` · contact ${event.contact.id}` : ""}`;
      item.dataset.kind = event.kind;
    } catch (error) {
      summary = `${error.code}: ${error.message}`;
      item.dataset.kind = "invalid";
    }
    let verified = "";
    if (secret.value) {
      // The raw bytes, never their text: a signature covers the bytes as sent (a byte order mark, a byte
      // that is not UTF-8), which decoding changes.
      const bytes = Uint8Array.from(atob(delivery.bodyBase64), (c) => c.charCodeAt(0));
      // A refused secret (one with white space about it) is told as the inspector tells it, not as a
      // delivery that failed its check.
      verified = await verifyWebhook({ body: bytes, headers: delivery.headers }, verifyOptions())
        .then((ok) => (ok ? " · ✔ verified" : " · ✘ not verified"), (error) => ` · ✘ ${error.code}: ${error.message}`);
    }
    item.append(el("strong", { textContent: new Date(delivery.receivedAt).toLocaleTimeString() }), ` ${summary}${verified}`,
      el("details", {}, el("summary", { textContent: "Raw body" }), scrollable(el("pre", { textContent: delivery.body }), "Raw body")));
    list.prepend(item);
    // The last 50, as the server keeps.
    while (list.children.length > 50) list.lastElementChild.remove();
  };
  let source;
  let wait = 1000;
  // An EventSource refused (a 503 when 20 pages watch) stays closed: a new one is made after a wait that
  // doubles to 30 s, and starts over at 1 s once one connects.
  const connect = () => {
    source = new EventSource("/webhooks/stream");
    source.addEventListener("open", () => { status.textContent = "Listening."; wait = 1000; });
    source.addEventListener("error", () => {
      status.textContent = "Reconnecting…";
      source.close();
      setTimeout(connect, wait);
      wait = Math.min(wait * 2, 30_000);
    });
    source.addEventListener("message", show);
  };
  const listen = () => {
    if (!source) connect();
  };
  return { listen };
}
