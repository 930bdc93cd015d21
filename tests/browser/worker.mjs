// In a web worker: a client for Gist's own host is refused without the opt-in, as in a page.
import { GistClient, GistError } from "/pkg/index.js";

const codeOf = (options) => {
  try {
    new GistClient(options).free();
    return "made";
  } catch (error) {
    return error instanceof GistError ? error.code : String(error);
  }
};

postMessage({
  gist: codeOf({ apiKey: "sk_worker" }),
  optedIn: codeOf({ apiKey: "sk_worker", dangerouslyAllowBrowser: true }),
  proxy: codeOf({ apiKey: "sk_worker", baseUrl: `${location.origin}/api` }),
});
