// A route handler: the runtime smoke test against the mock Gist API in GIST_MOCK_URL, as JSON.
import * as gistWasm from "gist-wasm";
import { runtimeSmoke } from "../../../../../js/runtime-smoke.mjs";

export const dynamic = "force-dynamic";

export async function GET() {
  return Response.json(await runtimeSmoke(gistWasm, process.env.GIST_MOCK_URL));
}
