// A Gist webhook receiver on Node's http module: 401 for an unverified delivery, 400 for a malformed
// one, 200 at once for the rest, then each contact event is recorded back in Gist as a tracked event.
// Run: GIST_API_KEY=... GIST_WEBHOOK_SECRET=... node examples/node/receiver.mjs [--port 3000]
import { createServer } from "node:http";
import { pathToFileURL } from "node:url";
import { GistClient, GistError, normalizeEventName, parseWebhook, verifyWebhook } from "gist-wasm";

const MAX_BODY_BYTES = 1 << 20; // as handleWebhook's default: a delivery is a few KB

/**
 * The request's raw bytes (verified as the bytes Gist signed), read to their end; null past
 * MAX_BODY_BYTES, or when the sender went away before the end (a stream that fails, not a crash).
 */
async function bodyOf(req) {
  if (Number(req.headers["content-length"]) > MAX_BODY_BYTES) return null;
  const chunks = [];
  let size = 0;
  try {
    for await (const chunk of req) {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) return null;
      chunks.push(chunk);
    }
  } catch {
    return null;
  }
  return Buffer.concat(chunks);
}

/**
 * The request listener; `env` holds GIST_API_KEY, GIST_WEBHOOK_SECRET (one secret, or several while you
 * rotate them: `old,new`) and optionally GIST_BASE_URL. It never rejects, which would make Node exit:
 * what it did not foresee (a secret `verifyWebhook` refuses, say) answers 500 and logs why.
 */
export function createReceiver(env) {
  const gist = new GistClient({ apiKey: env.GIST_API_KEY, baseUrl: env.GIST_BASE_URL });
  const verify = { secret: env.GIST_WEBHOOK_SECRET.split(",") };
  const receive = async (req, res) => {
    const bytes = await bodyOf(req);
    if (bytes === null) return res.writeHead(413, { connection: "close" }).end("too large, or cut short\n");
    if (!(await verifyWebhook({ body: bytes, headers: req.headers }, verify))) return res.writeHead(401).end("unverified\n");
    let event;
    try {
      event = parseWebhook(bytes.toString("utf8"), req.headers);
    } catch (error) {
      if (error instanceof GistError) return res.writeHead(400).end(`${error.message}\n`);
      throw error;
    }
    res.writeHead(200).end("ok\n");
    if (event.contact) {
      const who = event.contact.type === "user" ? { user: { id: event.contact.id } } : { lead: { id: event.contact.id } };
      const event_name = normalizeEventName(`webhook.${event.topic ?? event.kind}`);
      await gist.recordEvent({ event_name, ...who }).catch((error) => console.error(`recordEvent: ${error.code}`));
    }
  };
  return (req, res) =>
    receive(req, res).catch((error) => {
      console.error(error instanceof GistError ? `webhook receiver: ${error.code}: ${error.message}` : error);
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const i = process.argv.indexOf("--port");
  const port = i > 0 ? Number(process.argv[i + 1]) : 3000;
  createServer(createReceiver(process.env)).listen(port, () => console.log(`Gist webhooks: POST http://localhost:${port}/`));
}
