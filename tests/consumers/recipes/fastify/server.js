// server.js: GIST_API_KEY=... GIST_WEBHOOK_SECRET=... node server.js
import Fastify from "fastify";
import { GistClient, GistError, parseWebhook, verifyWebhook } from "gist-wasm";

const gist = new GistClient({ apiKey: process.env.GIST_API_KEY, baseUrl: process.env.GIST_BASE_URL });
const verify = { secret: process.env.GIST_WEBHOOK_SECRET.split(","), scheme: "hmac-sha256" };
const app = Fastify();

app.get("/api/users", () => gist.listUsers({ limit: 5 }));

// The webhook in a plugin of its own, whose only body parser keeps every body as its raw bytes: the
// signature is of the bytes Gist sent, and Fastify's JSON parser would hand you an object instead.
app.register(async (webhooks) => {
  webhooks.removeAllContentTypeParsers();
  webhooks.addContentTypeParser("*", { parseAs: "buffer" }, (request, body, done) => done(null, body));
  webhooks.post("/api/webhook", async (request, reply) => {
    const body = request.body ?? ""; // a Buffer; nothing when the request had no body
    if (!(await verifyWebhook({ body, headers: request.headers }, verify))) return reply.code(401).send("unverified");
    try {
      return { received: parseWebhook(body.toString("utf8")).kind }; // the topic is the signed body's
    } catch (error) {
      if (error instanceof GistError) return reply.code(400).send(error.message); // not a JSON object
      throw error;
    }
  });
});

await app.listen({ port: Number(process.env.PORT ?? 3000) });
