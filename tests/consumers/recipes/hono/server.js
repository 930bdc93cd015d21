// server.js: GIST_API_KEY=... GIST_WEBHOOK_SECRET=... node server.js
import { serve } from "@hono/node-server";
import { Hono } from "hono";
import { GistClient, GistError, handleWebhook } from "gist-wasm";

const gist = new GistClient({ apiKey: process.env.GIST_API_KEY, baseUrl: process.env.GIST_BASE_URL });
const verify = { secret: process.env.GIST_WEBHOOK_SECRET.split(","), scheme: "hmac-sha256" };
const app = new Hono();

app.get("/api/users", async (c) => c.json(await gist.listUsers({ limit: 5 })));

app.post("/api/webhook", async (c) => {
  try {
    // c.req.raw is the untouched Fetch Request: handleWebhook reads its bytes once, verifies, parses.
    // Read nothing before it (no c.req.json(), no validator on this route).
    const event = await handleWebhook(c.req.raw, { verify });
    return c.json({ received: event.kind });
  } catch (error) {
    if (error instanceof GistError && error.code === "invalid_webhook") return c.text(error.message, error.status);
    throw error;
  }
});

serve({ fetch: app.fetch, port: Number(process.env.PORT ?? 3000) });
