// require("gist-wasm") for CommonJS, and require("gist-wasm/web") (require() cannot wait for web.js's top-level
// await): the main ES module's exports, the very values `import` gives, through require() of ES modules
// (Node >= 20.19). They are listed one by one, `default` and `__esModule` included, so that tools reading this
// file see what index.d.cts declares (mock.cjs and mock-server.cjs, with no default export, hand on the module).
// build.sh writes node.cjs, Node's require(), from this file: the same with node.js for index.js.
const gist = require("./index.js");

module.exports = {
  __esModule: true,
  default: gist.default,
  initSync: gist.initSync,
  GistError: gist.GistError,
  GistClient: gist.GistClient,
  handleWebhook: gist.handleWebhook,
  normalizeEventName: gist.normalizeEventName,
  parseWebhook: gist.parseWebhook,
  signWebhook: gist.signWebhook,
  verifyWebhook: gist.verifyWebhook,
};
