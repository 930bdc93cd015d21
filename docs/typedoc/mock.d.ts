/**
 * An in-memory Gist API for tests: `import { createMockGist } from "gist-wasm/mock"`, then give its
 * `fetch` to a `GistClient`.
 *
 * @module gist-wasm/mock
 */
export * from "../../pkg-template/mock.js";
