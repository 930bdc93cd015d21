// The package's API, the same from every entry file; each entry loads the wasm its own way first.
export { default, initSync } from "./load.js";
export { GistError } from "./errors.js";
export { GistClient } from "./client.js";
export { handleWebhook, normalizeEventName, parseWebhook, signWebhook, verifyWebhook } from "./webhooks.js";
