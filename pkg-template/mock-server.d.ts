import type { MockGist, MockGistOptions } from "./mock.js";

/** Turns a Fetch-API handler into a Node `http` request listener. */
export function toNodeListener(
  handler: (request: Request) => Promise<Response>,
): (req: import("node:http").IncomingMessage, res: import("node:http").ServerResponse) => Promise<void>;

/** Starts a mock Gist API over HTTP on `host:port` (default 127.0.0.1:4010; port 0 picks a free one). */
export function serveMock(
  options?: MockGistOptions & { port?: number; host?: string },
): Promise<{ url: string; mock: MockGist; close(): Promise<void> }>;
