// gist.js: every request of the client through an HTTP proxy (HTTPS_PROXY), with undici's ProxyAgent
import { GistClient } from "gist-wasm";
import { fetch, ProxyAgent } from "undici";

const dispatcher = new ProxyAgent(process.env.HTTPS_PROXY);

export const gist = new GistClient({
  apiKey: process.env.GIST_API_KEY,
  baseUrl: process.env.GIST_BASE_URL,
  fetch: (url, init) => fetch(url, { ...init, dispatcher }),
});
