// Browsers and bundlers: call `await init()` once before using the client (Node, Deno, Bun and
// Workers initialise on import: node.js, workerd.js).
export { default, initSync } from "./gist_wasm.js";
export { GistError } from "./errors.js";
export { GistClient } from "./client.js";
export { handleWebhook, normalizeEventName, parseWebhook, verifyWebhook } from "./webhooks.js";
