// app/api/webhook/route.js
import { GistError, handleWebhook } from "gist-wasm";

export async function POST(request) {
  const verify = { secret: process.env.GIST_WEBHOOK_SECRET.split(","), scheme: "hmac-sha256" };
  try {
    // handleWebhook reads the request's raw bytes once, verifies them, then parses: read nothing before it
    const event = await handleWebhook(request, { verify });
    return Response.json({ received: event.kind });
  } catch (error) {
    if (error instanceof GistError && error.code === "invalid_webhook") return new Response(error.message, { status: error.status });
    throw error;
  }
}
