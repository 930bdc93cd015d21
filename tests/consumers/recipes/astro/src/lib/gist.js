// src/lib/gist.js
import { GistClient } from "gist-wasm";

let client;

/** The app's GistClient, made at its first use: the key is read when the server runs, not at build time. */
export function gist() {
  client ??= new GistClient({ apiKey: process.env.GIST_API_KEY, baseUrl: process.env.GIST_BASE_URL });
  return client;
}

/** How webhook deliveries are verified. */
export const verify = () => ({ secret: process.env.GIST_WEBHOOK_SECRET.split(","), scheme: "hmac-sha256" });
