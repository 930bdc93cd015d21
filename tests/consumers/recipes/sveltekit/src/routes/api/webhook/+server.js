// src/routes/api/webhook/+server.js
import { json } from "@sveltejs/kit";
import { GistError, handleWebhook } from "gist-wasm";
import { verify } from "#lib/server/gist.js";

export async function POST({ request }) {
  try {
    // handleWebhook reads the request's raw bytes once, verifies them, then parses: read nothing before it
    const event = await handleWebhook(request, { verify: verify() });
    return json({ received: event.kind });
  } catch (error) {
    if (error instanceof GistError && error.code === "invalid_webhook") return new Response(error.message, { status: error.status });
    throw error;
  }
}
