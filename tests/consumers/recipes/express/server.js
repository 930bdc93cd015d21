// server.js: GIST_API_KEY=... GIST_WEBHOOK_SECRET=... node server.js
import express from "express";
import { GistClient, GistError, parseWebhook, verifyWebhook } from "gist-wasm";

const gist = new GistClient({ apiKey: process.env.GIST_API_KEY, baseUrl: process.env.GIST_BASE_URL });
const verify = { secret: process.env.GIST_WEBHOOK_SECRET.split(","), scheme: "hmac-sha256" };
const app = express();

app.get("/api/users", async (req, res) => {
  res.json(await gist.listUsers({ limit: 5 })); // Express 5 hands a rejection (a GistError) to its error handler
});

// express.raw, on this route only: the signature is of the bytes Gist sent. express.json() would hand
// you an object, and no re-serialised JSON verifies.
app.post("/api/webhook", express.raw({ type: () => true, limit: "1mb" }), async (req, res) => {
  const body = req.body ?? ""; // a Buffer, whatever its Content-Type (none too); at most 1 MiB
  if (!(await verifyWebhook({ body, headers: req.headers }, verify))) return res.status(401).send("unverified");
  let event;
  try {
    event = parseWebhook(body.toString("utf8")); // no headers: after an HMAC check the topic is the body's
  } catch (error) {
    if (error instanceof GistError) return res.status(400).send(error.message); // not a JSON object
    throw error;
  }
  res.json({ received: event.kind }); // answer at once; do the work after
});

app.listen(Number(process.env.PORT ?? 3000));
