/**
 * The mock Gist API over HTTP, in Node, for loopback only: `import { serveMock } from "gist-wasm/mock/server"`.
 *
 * @module gist-wasm/mock/server
 */
export * from "../../pkg-template/mock-server.js";
