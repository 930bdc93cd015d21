// src/pages/api/users.js
import { gist } from "../../lib/gist.js";

export async function GET() {
  return Response.json(await gist().listUsers({ limit: 5 }));
}
