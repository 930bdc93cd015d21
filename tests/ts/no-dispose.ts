// Where the lib has no Symbol.dispose, GistClient's type has no symbol-keyed member to name it by.
import type { GistClient } from "gist-wasm";

export const noSymbolKeys: [Extract<keyof GistClient, symbol>] extends [never] ? true : false = true;
