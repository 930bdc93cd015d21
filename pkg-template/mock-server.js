// Serves a mock Gist API (or any Fetch-API handler) over HTTP with Node's http module.
// As a command: `node mock-server.js [--port 4010] [--host 127.0.0.1] [--key mock-key] [--allow-host name]`
// (`--help` says more). Request bodies are capped (`maxBodyBytes`, 1 MB: 413 past it), and a request whose
// Host header is not a name the server is bound to (or one allowed) gets 421, so a DNS-rebinding web page
// cannot reach it.
import { createServer } from "node:http";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { createMockGist } from "./mock.js";

const MAX_BODY_BYTES = 1024 * 1024;

/**
 * Ends `res` with a Gist-style JSON error, closing the connection. A socket closed with bytes of the
 * request unread is reset, and a client still sending may lose the answer: what is left is read and
 * dropped for at most a second after it, then the socket is destroyed.
 */
function refuse(req, res, status, code, message) {
  res.on("finish", () => {
    req.resume();
    req.socket.end();
    setTimeout(() => req.socket.destroy(), 1000).unref();
  });
  res.writeHead(status, { "content-type": "application/json", connection: "close" });
  res.end(JSON.stringify({ errors: [{ code, message }] }));
}

/** Reads a request body; resolves null, and stops reading, as soon as it is over `limit` bytes. */
function readBody(req, limit) {
  return new Promise((resolve, reject) => {
    if (Number(req.headers["content-length"]) > limit) return resolve(null);
    const chunks = [];
    let size = 0;
    const onData = (chunk) => {
      size += chunk.length;
      if (size <= limit) {
        chunks.push(chunk);
      } else {
        req.off("data", onData).pause();
        resolve(null);
      }
    };
    req.on("data", onData);
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

/** Turns a Fetch-API handler into a Node `http` request listener; a body over `maxBodyBytes` gets 413. */
export function toNodeListener(handler, { maxBodyBytes = MAX_BODY_BYTES } = {}) {
  return async (req, res) => {
    try {
      const bytes = await readBody(req, maxBodyBytes);
      if (bytes === null) return refuse(req, res, 413, "payload_too_large", `The body is over ${maxBodyBytes} bytes`);
      const body = ["GET", "HEAD"].includes(req.method) ? undefined : bytes;
      // An origin-form target (`/contacts`) or an absolute-form one (`http://host/contacts`, as a proxy
      // sends): its path and query, on the Host header's origin (which the control routes compare pages with).
      const base = `http://${req.headers.host || "127.0.0.1"}`;
      const target = new URL(req.url, base);
      const url = new URL(`${target.pathname}${target.search}`, base);
      // The request's signal aborts when the client goes away before its answer is written.
      const gone = new AbortController();
      res.on("close", () => res.writableFinished || gone.abort());
      let request;
      try {
        request = new Request(url, { method: req.method, headers: req.headers, body, signal: gone.signal });
      } catch {
        return refuse(req, res, 405, "method_not_allowed", "This server does not serve that method");
      }
      const response = await handler(request);
      res.writeHead(response.status, Object.fromEntries(response.headers));
      res.end(Buffer.from(await response.arrayBuffer()));
    } catch {
      // A handler that throws drops the connection: that is how the mock's `drop` rules fail.
      req.socket.destroy();
    }
  };
}

/** A host as a URL writes it: an IPv6 address in brackets. */
export const bracketed = (name) => (name.includes(":") && !name.startsWith("[") ? `[${name}]` : name);

/**
 * The Host header values a server listening on `host:port` answers: loopback names, `host` and each of
 * `also` (a container's service name, say), with the port unless one is given.
 */
export function allowedHosts(host, port, also = []) {
  const names = ["127.0.0.1", "localhost", "[::1]", bracketed(host)].map((name) => `${name}:${port}`);
  const others = also.map((name) => (/^\[.*\]:\d+$|^[^:]+:\d+$/.test(name) ? name : `${bracketed(name)}:${port}`));
  return new Set([...names, ...others].map((name) => name.toLowerCase()));
}

// Why serveMock's own options cannot be used, or undefined.
function refusedServerOption({ port, host, maxBodyBytes, allowHosts }) {
  if (!(Number.isInteger(port) && port >= 0 && port <= 65535)) return "port must be a whole number from 0 to 65535";
  if (typeof host !== "string" || host === "") return "host must be a host name or address";
  if (maxBodyBytes !== undefined && !(Number.isInteger(maxBodyBytes) && maxBodyBytes >= 1)) return "maxBodyBytes must be a whole number of bytes";
  if (!Array.isArray(allowHosts) || !allowHosts.every((name) => typeof name === "string" && name !== "")) return "allowHosts must be an array of host names";
  return undefined;
}

/**
 * Starts a mock Gist API over HTTP; resolves `{ url, mock, close() }`, `url` the base URL a client is
 * given; rejects with a TypeError for options it cannot use, as createMockGist names them.
 */
export function serveMock(given) {
  if (given !== undefined && (given === null || typeof given !== "object")) return Promise.reject(new TypeError("mock gist: serveMock's options must be an object"));
  const { port = 4010, host = "127.0.0.1", maxBodyBytes, allowHosts = [], ...options } = given ?? {};
  const refused = refusedServerOption({ port, host, maxBodyBytes, allowHosts });
  let mock;
  try {
    if (refused) throw new TypeError(`mock gist: serveMock's ${refused}`);
    mock = createMockGist(options);
  } catch (error) {
    return Promise.reject(error);
  }
  const listener = toNodeListener(mock.handle, { maxBodyBytes });
  let hosts;
  // A request has 30 s to arrive whole (Node's default is 300 s): a connection that stalls its body
  // holds what it sent so far for no longer. Node looks every connectionsCheckingInterval (30 s by
  // default, which let a request run to 60 s): every second, it holds within one.
  const server = createServer({ requestTimeout: 30_000, connectionsCheckingInterval: 1000 }, (req, res) => {
    if (hosts.has(String(req.headers.host).toLowerCase())) return listener(req, res);
    refuse(req, res, 421, "misdirected_request", `This server answers only for ${[...hosts].join(", ")}`);
  });
  // CONNECT never reaches a request listener: Node closes its connection unanswered unless told otherwise.
  server.on("connect", (req, socket) => socket.end("HTTP/1.1 405 Method Not Allowed\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"));
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      const address = server.address();
      hosts = allowedHosts(host, address.port, allowHosts);
      resolve({ url: `http://${bracketed(host)}:${address.port}${options.basePath ?? ""}`, mock, close: () => new Promise((r) => server.close(() => r())) });
    });
  });
}

const USAGE = `Serves a mock Gist API over HTTP (gist-wasm/mock).

  node mock-server.js [--port 4010] [--host 127.0.0.1] [--key mock-key] [--allow-host NAME ...]

  --port        the port to listen on (0: any free one); default 4010
  --host        the address to listen on; default 127.0.0.1 (loopback only)
  --key         the only API key it accepts; default mock-key
  --allow-host  another Host header to answer (a container's service name: mock, or mock:4010); repeatable.
                Others get 421, so that no web page can reach the mock through DNS rebinding.
  --help        this text`;

// Why the command's option values cannot be used (a port that is not one, an empty or blank key, host or
// allowed host, a key that is not visible ASCII, as a header holds it and the client sends it), or undefined.
function commandOptionProblem(values) {
  if (!/^[0-9]{1,5}$/.test(values.port ?? "4010") || Number(values.port ?? 4010) > 65535) return `--port must be a whole number from 0 to 65535, not ${JSON.stringify(values.port)}`;
  const blank = ["key", "host", "allow-host"].find((name) => [values[name]].flat().some((value) => value?.trim() === ""));
  if (blank !== undefined) return `--${blank} must not be empty or blank`;
  if (values.key !== undefined && !/^[\x21-\x7e]+$/.test(values.key)) return "--key must be visible ASCII: no space, control or non-ASCII character";
  return undefined;
}

// The command: its options (`--port=4010` too), or a one-line error and exit code 2 for anything else.
function runCommand() {
  let values;
  try {
    ({ values } = parseArgs({
      options: { port: { type: "string" }, host: { type: "string" }, key: { type: "string" }, "allow-host": { type: "string", multiple: true }, help: { type: "boolean" } },
    }));
  } catch (error) {
    console.error(`mock-server: ${error.message} (--help lists the options)`);
    process.exit(2);
  }
  if (values.help) return console.log(USAGE);
  const problem = commandOptionProblem(values);
  if (problem) {
    console.error(`mock-server: ${problem}`);
    process.exit(2);
  }
  const port = Number(values.port ?? 4010);
  const apiKey = values.key ?? "mock-key";
  // No top-level await, so that require() can load this module.
  serveMock({ port, host: values.host ?? "127.0.0.1", apiKey, allowHosts: values["allow-host"] ?? [] }).then(
    // The key named only where it is the default: a real one given by --key stays out of CI logs.
    ({ url }) => console.log(`mock Gist API on ${url} (key: ${values.key === undefined ? apiKey : "the one --key gave"})`),
    (error) => {
      console.error(`mock-server: cannot listen on ${values.host ?? "127.0.0.1"}:${port}: ${error.code ?? error.message}`);
      process.exit(1);
    },
  );
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) runCommand();
