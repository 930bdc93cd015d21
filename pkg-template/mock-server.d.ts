import type { MockGist, MockGistOptions } from "./mock.js";

/** Options of `toNodeListener`. */
export interface NodeListenerOptions {
  /** The largest request body read, in bytes; a bigger one is refused with 413 without reading it all. Default 1 MB. */
  maxBodyBytes?: number | undefined;
}

/**
 * Turns a Fetch-API handler into a Node `http` request listener; a handler that throws drops the connection,
 * a method the Fetch API cannot carry (`TRACE`) gets 405 (`CONNECT` never reaches a request listener:
 * `serveMock` answers it 405), and the request's `signal` aborts when the client goes away before its
 * answer is written.
 */
export function toNodeListener(
  handler: (request: Request) => Promise<Response>,
  options?: NodeListenerOptions,
): (req: import("node:http").IncomingMessage, res: import("node:http").ServerResponse) => Promise<void>;

/**
 * The Host header values a server listening on `host:port` should answer: `127.0.0.1`, `localhost`, `[::1]`
 * and `host`, each with `:port`, and each of `also` (with `:port` unless it names a port).
 */
export function allowedHosts(host: string, port: number, also?: readonly string[]): Set<string>;

/** A host as a URL writes it: an IPv6 address (`::1`) in brackets (`[::1]`), any other as it is. */
export function bracketed(host: string): string;

/**
 * Starts a mock Gist API over HTTP on `host:port` (default 127.0.0.1:4010; port 0 picks a free one).
 * Requests whose Host header is not one of `allowedHosts(host, port, allowHosts)` get 421 (`allowHosts`: a
 * container's service name, say); bodies over `maxBodyBytes` get 413. A handler that throws drops the
 * connection (as a `drop` failure rule does). Resolves `url`, the base URL to give a client (`basePath`
 * included), the mock, and `close()`; rejects with a `TypeError` for an option it cannot use, and with
 * the server's own error (`EADDRINUSE`, a host that does not resolve: `ENOTFOUND`) where it cannot listen.
 */
export function serveMock(
  options?: MockGistOptions & NodeListenerOptions & { port?: number | undefined; host?: string | undefined; allowHosts?: readonly string[] | undefined },
): Promise<{ url: string; mock: MockGist; close(): Promise<void> }>;
