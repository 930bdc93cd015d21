// src/lib/server/gist.js
import { GIST_API_KEY, GIST_BASE_URL, GIST_WEBHOOK_SECRET } from "$app/env/private";
import { GistClient } from "gist-wasm";

let client;

/** The app's GistClient, made at its first use (`vite build` runs the app without the key). */
export function gist() {
  client ??= new GistClient({ apiKey: GIST_API_KEY, baseUrl: GIST_BASE_URL });
  return client;
}

/** How webhook deliveries are verified. */
export const verify = () => ({ secret: GIST_WEBHOOK_SECRET.split(","), scheme: "hmac-sha256" });
