// Where the lib declares Symbol.dispose (esnext.disposable, @types/node), a GistClient is Disposable.
import { GistClient } from "gist-wasm";

export function disposeAtBlockEnd(): void {
  using gist = new GistClient({ apiKey: "mock-key" });
  const disposable: Disposable = gist;
  void disposable;
}
