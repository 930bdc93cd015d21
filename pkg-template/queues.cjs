// require("gist-wasm/queues") for CommonJS: the ES module itself, through Node's require() of ES modules (Node >= 20.19).
module.exports = require("./queues.js");
