// GistClient: the typed methods over the core. Each method turns its arguments into JSON, starts the
// core's operation of the same name and drives it (runtime.js); `iter*` walk pages the same way.
import { Core } from "./gist_wasm.js";
import { fromCore, invalidArgument } from "./errors.js";
import { assertLoaded } from "./load.js";
import { drive, readCallOptions, toJson } from "./runtime.js";

// Every Promise-returning method and the names of its arguments; one more argument is its RequestOptions.
const METHODS = {
  createUser: ["user"], updateUser: ["ref", "changes"], fetchUser: ["ref"], deleteUser: ["ref"],
  createLead: ["lead"], updateLead: ["ref", "changes"], fetchLead: ["ref"], deleteLead: ["ref"],
  createTag: ["name"], updateTag: ["id", "name"], tagContacts: ["request"], deleteTag: ["id"],
  fetchSegment: ["id", "options"], fetchCampaign: ["id"], recordEvent: ["event"], apiCall: ["request"],
};
// Every list, read page by page (so the wasm holds one page at a time), and its list* and iter* methods;
// `iterTags`, `iterCampaigns` and `iterEvents` take no options.
const LISTS = { users: "Users", leads: "Leads", tags: "Tags", segments: "Segments", campaigns: "Campaigns", events: "Events" };

const inBrowser = () => typeof window !== "undefined" && typeof document !== "undefined";
// The JSON array of a method's arguments. An object that JSON would turn into a plain value (a Date,
// `new Number(1)`) is refused where it stands for a whole argument, such as an id or a name.
function argsJson(names, args) {
  const texts = names.map((name, i) => {
    const text = toJson(args[i], name);
    if (typeof args[i] === "object" && args[i] !== null && !"[{".includes(text[0])) throw invalidArgument(`${name} must be a ${typeof JSON.parse(text)}, not an object`);
    return text;
  });
  return `[${texts.join(",")}]`;
}

// The arguments of a `page` or `listPage` operation: the list, its options' JSON text, and where it stands.
const pageArgs = (list, optionsText, ...position) => `[${[JSON.stringify(list), optionsText, ...position.map((p) => JSON.stringify(p))].join(",")}]`;

/** A client of the Gist API. Every method returns a Promise that rejects only with a `GistError`. */
export class GistClient {
  #core;
  #fetch;

  constructor(options) {
    assertLoaded();
    if (typeof options !== "object" || options === null) throw invalidArgument("new GistClient(options) needs an options object with apiKey");
    let fetchFn;
    try {
      fetchFn = options.fetch;
    } catch {
      throw invalidArgument("fetch cannot be read (its getter threw)");
    }
    if (fetchFn !== undefined && typeof fetchFn !== "function") throw invalidArgument("fetch must be a function");
    const json = toJson(options, "options", "fetch");
    try {
      this.#core = new Core(json, inBrowser());
    } catch (error) {
      throw fromCore(error);
    }
    this.#fetch = fetchFn;
  }

  /** Releases the client's wasm memory now rather than when it is garbage-collected; later calls reject. */
  free() {
    this.#core?.free();
    this.#core = undefined;
  }

  // The live core, or the error of a freed client.
  #live() {
    if (!this.#core) throw invalidArgument("this GistClient was freed (free() or `using`): create a new one");
    return this.#core;
  }

  async #call(method, names, args) {
    return this.#run(method, argsJson(names, args), args[names.length]);
  }

  async #run(method, argsText, options) {
    const core = this.#live();
    const { signal, timeoutMs } = readCallOptions(options);
    let op;
    try {
      op = core.start(method, argsText, timeoutMs);
    } catch (error) {
      throw fromCore(error);
    }
    return drive(op, this.#fetch, signal);
  }

  // An iterator over a list: its options are checked at once (a GistError is thrown), pages fetched lazily.
  #iterate(list, options) {
    const optionsText = toJson(options, "options");
    try {
      this.#live().check("page", pageArgs(list, optionsText, null));
    } catch (error) {
      throw fromCore(error);
    }
    const limit = JSON.parse(optionsText)?.limit ?? Infinity;
    return this.#walk(list, optionsText, limit);
  }

  // A list* call: pages until the limit the core sets (100 by default), within one deadline and one
  // maxResponseBytes, which each page's answer carries on to the next.
  async #list(list, options, callOptions) {
    const optionsText = toJson(options, "options");
    const items = [];
    let cursor = null;
    let progress = null;
    let limit = Infinity;
    while (items.length < limit) {
      const page = await this.#run("listPage", pageArgs(list, optionsText, cursor, progress), callOptions);
      items.push(...page.items);
      ({ cursor, progress, limit } = page);
      if (cursor.done) break;
    }
    items.length = Math.min(items.length, limit);
    return items;
  }

  async *#walk(list, optionsText, limit) {
    let cursor = null;
    let left = limit;
    while (left > 0) {
      const page = await this.#run("page", pageArgs(list, optionsText, cursor));
      for (const item of page.items) {
        yield item;
        if (--left === 0) return;
      }
      cursor = page.cursor;
      if (cursor.done) return;
    }
  }

  static {
    for (const [method, names] of Object.entries(METHODS)) {
      this.prototype[method] = function (...args) {
        return this.#call(method, names, args);
      };
    }
    for (const [list, name] of Object.entries(LISTS)) {
      this.prototype[`list${name}`] = function (options, callOptions) {
        return this.#list(list, options, callOptions);
      };
      this.prototype[`iter${name}`] = function (options) {
        return this.#iterate(list, options);
      };
    }
  }
}

// `using client = new GistClient(...)` frees it at the end of the block, where the runtime has `using`.
if (Symbol.dispose) GistClient.prototype[Symbol.dispose] = GistClient.prototype.free;
