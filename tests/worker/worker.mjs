import init, { GistClient, GistError } from "gist-wasm";
import { smoke } from "../js/smoke.mjs";

export default {
  async fetch(request, env) {
    await init();
    const gist = new GistClient({ apiKey: env.GIST_API_KEY, baseUrl: env.GIST_BASE_URL });
    try {
      if (new URL(request.url).pathname === "/smoke") return Response.json(await smoke(gist, GistError));
      const users = await gist.listUsers({ limit: 65 });
      return Response.json({ count: users.length, types: [...new Set(users.map((u) => u.type))] });
    } catch (error) {
      return Response.json({ code: error.code, message: error.message, isGistError: error instanceof GistError }, { status: 502 });
    }
  },
};
