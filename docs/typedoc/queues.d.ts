/**
 * Gist writes at scale through Cloudflare Queues, and webhooks processed durably:
 * `import { enqueue, consume, receiveWebhook, consumeWebhooks } from "gist-wasm/queues"`.
 *
 * @module gist-wasm/queues
 */
export * from "../../pkg-template/queues.js";
