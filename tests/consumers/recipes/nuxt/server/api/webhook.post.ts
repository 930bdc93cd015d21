// server/api/webhook.post.ts
import { GistError, parseWebhook, verifyWebhook } from "gist-wasm";

export default defineEventHandler(async (event) => {
  // readRawBody(event, false): the bytes Gist signed. readBody() would parse them, and no re-serialised
  // JSON verifies.
  const body = (await readRawBody(event, false)) ?? new Uint8Array();
  if (!(await verifyWebhook({ body, headers: event.headers }, webhookVerify(event)))) {
    throw createError({ statusCode: 401, statusMessage: "unverified" });
  }
  try {
    return { received: parseWebhook(new TextDecoder().decode(body)).kind }; // the topic is the signed body's
  } catch (error) {
    if (error instanceof GistError) throw createError({ statusCode: 400, statusMessage: "not a JSON object" });
    throw error;
  }
});
