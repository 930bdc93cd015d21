// server/utils/gist.ts: auto-imported by every server route
import { GistClient, type VerifyOptions } from "gist-wasm";
import type { H3Event } from "h3";

/** A GistClient with the key of this request's runtime config (on Cloudflare, its env). */
export function useGist(event: H3Event): GistClient {
  const { gistApiKey, gistBaseUrl } = useRuntimeConfig(event);
  return new GistClient({ apiKey: gistApiKey, baseUrl: gistBaseUrl || undefined });
}

/** How webhook deliveries are verified. */
export function webhookVerify(event: H3Event): VerifyOptions {
  return { secret: useRuntimeConfig(event).gistWebhookSecret.split(","), scheme: "hmac-sha256" };
}
