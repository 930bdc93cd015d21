// The bench's payloads: Gist contacts in the wire shape of the mock (pkg-template/mock.js) and of Gist's
// answers (user_id and phone strings, unsubscribed_from_emails "true"/"false", tags as objects).

const FIRST = ["Ada", "Grace", "Alan", "Edsger", "Barbara", "Donald", "Radia", "Ken", "Frances", "Linus"];
const LAST = ["Lovelace", "Hopper", "Turing", "Dijkstra", "Liskov", "Knuth", "Perlman", "Thompson", "Allen"];
const BASE = "https://api.getgist.com";

/** The i-th contact (a user), about 520 bytes of JSON. */
export function wireContact(i) {
  const first = FIRST[i % FIRST.length];
  const last = LAST[i % LAST.length];
  const created = 1_700_000_000 + i * 3600;
  return {
    id: 1000 + i, type: "user", user_id: String(5000 + i), email: `${first}.${last}.${i}@example.com`.toLowerCase(),
    name: `${first} ${last}`, full_name: `${first} ${last}`, phone: i % 2 ? `+1555${1000000 + i}` : null,
    unsubscribed_from_emails: i % 10 ? "false" : "true", created_at: created, updated_at: created + 60,
    signed_up_at: created, last_seen_at: i % 3 ? created + 600 : null,
    last_seen_ip: "203.0.113.7", last_seen_user_agent: "Mozilla/5.0",
    custom_properties: { plan: i % 2 ? "pro" : "free", seats: 1 + (i % 20) },
    tags: [{ id: 1, name: "customer" }, ...(i % 4 ? [] : [{ id: 3, name: "VIP" }])],
    location_data: { city_name: "Chennai", country_code: "IN", time_zone: "Asia/Kolkata" },
  };
}

/** Page `page` of `pages` of GET /contacts: 60 users and Gist's `pages` links. */
export function pageText(page, pages) {
  const link = (n) => `${BASE}/contacts?page=${n}&per_page=60`;
  const contacts = Array.from({ length: 60 }, (_, i) => wireContact((page - 1) * 60 + i + 1));
  const next = page < pages ? link(page + 1) : null;
  return JSON.stringify({ contacts, pages: { first: link(1), last: link(pages), next } });
}

/** GET /contacts?page=1 of a long list (31.6 KB). */
export const listText = pageText(1, 167);

/** GET /contacts/{id}: one contact. */
export const contactText = JSON.stringify({ contact: wireContact(1) });

/** A contact webhook delivery of about 1 KB (936 bytes). */
export const webhookText = JSON.stringify({
  topic: "user.created",
  contact: {
    ...wireContact(7), avatar: "https://example.com/avatars/7.png", landing_url: "https://example.com/pricing",
    original_referrer: "https://www.google.com/", session_count: 12, last_contacted_at: null,
    custom_properties: { plan: "pro", seats: 8, company: "Example Inc.", referral: "partner-42" },
    location_data: {
      city_name: "Chennai", region_name: "Tamil Nadu", country_name: "India", country_code: "IN", continent_code: "AS",
      latitude: 13.08, longitude: 80.27, time_zone: "Asia/Kolkata",
    },
  },
  workspace: { id: 9539, name: "Example Inc." },
});

/**
 * The headers of an answer as an API behind Cloudflare sends them (a request id, a rate limit, caching,
 * the CDN's own), for the per-call row with a realistic answer.
 */
export const gistHeaders = {
  "content-type": "application/json; charset=utf-8", date: "Wed, 02 Dec 2026 15:49:19 GMT", server: "cloudflare",
  "cache-control": "no-cache, private", "x-request-id": "req_8f3a2b1c9d", "x-ratelimit-limit": "100",
  "x-ratelimit-remaining": "97", "x-ratelimit-reset": "1764690600", vary: "Accept-Encoding",
  "strict-transport-security": "max-age=31536000", "cf-ray": "8e1f2a3b4c5d6e7f-FRA", "x-content-type-options": "nosniff",
};

/** An injected fetch that answers every request with a fresh JSON Response of `text` (with `headers`). */
export function fixedFetch(text, headers = { "content-type": "application/json" }) {
  return async () => new Response(text, { headers });
}
