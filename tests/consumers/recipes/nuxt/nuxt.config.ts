// nuxt.config.ts
export default defineNuxtConfig({
  compatibilityDate: "2026-12-01",
  nitro: {
    // Node (Nitro's default preset): bundle gist-wasm into the server. Left external, Nitro copies into
    // .output only the files its tracer resolves, not Node's own entry, and the server fails to load it.
    externals: { inline: ["gist-wasm"] },
    // Cloudflare (NITRO_PRESET=cloudflare_module): Nitro's build reads the .wasm only with its wasm support.
    experimental: { wasm: true },
  },
  // Set at run time by NUXT_GIST_API_KEY, NUXT_GIST_BASE_URL and NUXT_GIST_WEBHOOK_SECRET (on Cloudflare: vars and secrets)
  runtimeConfig: { gistApiKey: "", gistBaseUrl: "", gistWebhookSecret: "" },
});
