// src/routes/api/users/+server.js
import { json } from "@sveltejs/kit";
import { gist } from "#lib/server/gist.js";

export async function GET() {
  return json(await gist().listUsers({ limit: 5 }));
}
