// GistClient: the typed methods over the core. Each method turns its arguments into JSON, starts the
// core's call of the same name and drives it (runtime.js); `list*` is one `list` call, `iter*` one
// `page` call per page.
import { Core } from "./gist_wasm.js";
import { LISTS, MAX_ARGUMENT_BYTES, MAX_OPTIONS_BYTES, METHODS } from "./declared.js";
import { GistError, fromCore, invalidArgument } from "./errors.js";
import { abortedBy, isAborted } from "./signal.js";
import { assertLoaded } from "./load.js";
import { OBSERVER_OPTIONS, observer } from "./observe.js";
import { PACING_OPTIONS, pacer } from "./pace.js";
import { GistPromise } from "./promise.js";
import { callClock, checkOptionsObject, drive, headersAsRecord, readCallOptions, readResponse, restoreTargets, startCall, toJson, unsendableTargets, withoutKey } from "./runtime.js";

// A page, or a browser's worker (dedicated, shared or service), whose code reaches every visitor too: only a
// browser's workers have importScripts (Deno's, Bun's and workerd's have none).
const inBrowser = () => (typeof window !== "undefined" && typeof document !== "undefined") || typeof importScripts === "function";
// The runtime, for the User-Agent, where a client may set one (not in browsers).
function runtime() {
  const g = globalThis;
  if (g.Deno?.version?.deno) return `Deno/${g.Deno.version.deno}`;
  if (g.Bun?.version) return `Bun/${g.Bun.version}`;
  if (g.navigator?.userAgent === "Cloudflare-Workers") return "Cloudflare-Workers";
  if (g.process?.versions?.node) return `Node.js/${g.process.versions.node}`;
  return undefined;
}

// What a call's argument may hold (argsJson's cap).
const ARGUMENT_CAP = { maxBytes: MAX_ARGUMENT_BYTES, taker: "an argument" };

// The JSON array of a method's arguments, each within `cap`. An object that JSON would turn into a plain
// value (a Date, `new Number(1)`) is refused where it stands for a whole argument, such as an id or a
// name. apiCall's request may give its headers as a `Headers`, as a call's options may.
function argsJson(names, args, targets, { maxBytes, taker } = ARGUMENT_CAP) {
  const texts = names.map((name, i) => {
    if (name === "options") checkOptionsObject(args[i], name);
    const top = name === "request" ? headersAsRecord : undefined;
    // Written out, not spread: a spread object here cost a call 7% (fetchUser's bench).
    const text = toJson(args[i], name, { maxBytes, taker, options: name === "options", targets: i === 0 ? targets : undefined, top });
    if (typeof args[i] === "object" && args[i] !== null && !"[{".includes(text[0])) throw invalidArgument(`${name} must be a ${typeof JSON.parse(text)}, not an object`);
    return text;
  });
  return `[${texts.join(",")}]`;
}

let checker;
// A core with no client's key, for what sends nothing: the checks of `checkArgs`, and the cursor of a
// walk whose client was freed (a cursor names only its list, filters and position).
const keyless = () => (checker ??= new Core('{"apiKey":"check"}', false, undefined));
/**
 * Throws the GistError that `client[method](...args)` would reject with before sending anything, or
 * returns the JSON array of the arguments as the client sends them to the core (a Date as Unix seconds):
 * the core's own checks, with no client and no request (gist-wasm/queues checks operations with it
 * before enqueueing them, and enqueues that JSON). `cap`, where given: `{ maxBytes, taker }`, a tighter
 * bound on each argument's JSON than a call's, refused as it is written.
 */
export function checkArgs(method, args, cap) {
  assertLoaded();
  const text = argsJson(METHODS[method], args, undefined, cap);
  try {
    keyless().check(method, text, "null");
  } catch (error) {
    throw fromCore(error);
  }
  return text;
}

// The arguments of a `list` or `page` call: the list, its options' JSON text, and (`page`) where it stands.
const pageArgs = (list, optionsText, ...position) => `[${[JSON.stringify(list), optionsText, ...position.map((p) => JSON.stringify(p))].join(",")}]`;

/** A client of the Gist API. Every method returns a Promise that rejects only with a `GistError`. */
// A list's options with a `signal` among them (`iterUsers({ signal })`) moved to its request options,
// where the signal of every call goes; the same signal in both is one, two are refused.
function signalMoved(options, callOptions) {
  checkOptionsObject(callOptions, "request options");
  try {
    if (options === undefined || options === null || !Object.hasOwn(options, "signal")) return [options, callOptions];
    const { signal, ...rest } = options;
    if (signal === undefined || signal === null) return [rest, callOptions]; // `{ signal: opts.signal }` with none given
    if ((callOptions?.signal ?? undefined) !== undefined && callOptions.signal !== signal) {
      throw invalidArgument("signal is given twice, in the options and in the request options: give it once");
    }
    return [rest, { ...callOptions, signal }];
  } catch (error) {
    throw error instanceof GistError ? error : invalidArgument("options cannot be read (a getter or Proxy trap threw)");
  }
}

// The clients that were freed: gist-wasm/queues asks (isFreed), as a freed client's calls fail unsent.
const freedClients = new WeakSet();

/** Whether `client` is a GistClient that was freed: its calls fail `invalid_argument`, sending nothing. */
export const isFreed = (client) => freedClients.has(client);

// `error`, a refusal of the client's `options`, without their key (withoutKey: a field named by it), as
// a call's refusal is (#refusedWithoutKey).
function withoutKeyOf(options, error) {
  let key;
  try {
    key = options.apiKey;
  } catch {
    // Read once before and refused there if it threw.
  }
  if (!(error instanceof GistError) || error.code !== "invalid_argument") return error;
  const message = withoutKey(key, error.message);
  return message === error.message ? error : invalidArgument(message);
}

export class GistClient {
  #core;
  #freed = false;
  #asked = 0; // withResponse() asks whose call has not settled: they keep the core past free()
  #waiting = 0; // calls waiting for their first request's turn before they start (#runWhenAdmitted): they keep it too
  #fetch;
  #observe;
  #pace;
  #describe;

  constructor(options) {
    assertLoaded();
    if (options === undefined || options === null) throw invalidArgument("new GistClient(options) needs an options object with apiKey");
    checkOptionsObject(options, "new GistClient(options)'s options");
    try {
      this.#configure(options);
    } catch (error) {
      throw withoutKeyOf(options, error);
    }
  }

  // The constructor's work past its first checks: a refusal may name a field (an option, a hook) that is the key.
  #configure(options) {
    let fetchFn;
    const observed = {};
    try {
      // A field given as null counts as not given, as the core reads its own.
      fetchFn = options.fetch ?? undefined;
      for (const name of [...OBSERVER_OPTIONS, ...PACING_OPTIONS]) observed[name] = options[name] ?? undefined;
    } catch {
      throw invalidArgument("the options cannot be read (a getter threw)");
    }
    if (fetchFn !== undefined && typeof fetchFn !== "function") throw invalidArgument("fetch must be a function");
    this.#observe = observer(observed, (text) => this.#scrub(text));
    this.#pace = pacer(observed);
    const json = toJson(options, "options", { omit: ["fetch", ...OBSERVER_OPTIONS, ...PACING_OPTIONS], maxBytes: MAX_OPTIONS_BYTES, options: true });
    try {
      this.#core = new Core(json, inBrowser(), inBrowser() ? undefined : runtime());
    } catch (error) {
      throw fromCore(error);
    }
    this.#fetch = fetchFn;
    // The last answer's headers are read when `withResponse()` asks, and the client's key scrubbed from
    // them once the call has settled: one asked before free() keeps the core till then, one after rejects.
    this.#describe = () => {
      const core = this.#live();
      this.#asked++;
      return async (run) => {
        try {
          return readResponse(await run, (text) => core.scrub(text));
        } finally {
          this.#asked--;
          if (this.#freed) this.free();
        }
      };
    };
  }

  /**
   * Releases the client's wasm memory now rather than when it is garbage-collected (once the calls whose
   * `withResponse()` was asked for have settled, and the calls waiting for their turn have started);
   * later calls reject.
   */
  free() {
    if (typeof this !== "object" || this === null || !(#freed in this)) throw invalidArgument("free() needs its client: call it as gist.free()");
    this.#freed = true;
    freedClients.add(this);
    if (this.#asked > 0 || this.#waiting > 0) return;
    try {
      this.#core?.free();
    } catch {
      // A core whose wasm trapped (its memory exhausted) cannot be freed: the call that trapped said so.
    }
    this.#core = undefined;
  }

  // `text` without the key or emails; nothing of it once the client is freed.
  #scrub(text) {
    try {
      return this.#core.scrub(text);
    } catch {
      return "[not shown]";
    }
  }

  // For the package's own `gist-wasm check` and gist-wasm/queues' consume, not a public API: #scrub.
  [Symbol.for("gist-wasm.scrub")](text) {
    return this.#scrub(text);
  }

  // The live core, or the error of a freed client.
  #live() {
    if (this.#freed) throw invalidArgument("this GistClient was freed (free() or `using`): create a new one");
    return this.#core;
  }

  // Not `async`, nor is #run: a call is one Promise (drive's), not one for each layer; what they throw
  // before it starts is a rejection all the same.
  #call(method, names, args) {
    try {
      // One bad target of tagContacts (a NaN id, say) fails alone, as any the core refuses.
      const targets = method === "tagContacts" ? unsendableTargets(["users", "leads"]) : undefined;
      const run = this.#run(method, this.#refusedWithoutKey(() => argsJson(names, args, targets)), args[names.length]);
      if (!targets?.refused.length) return run;
      return run.then((done) => (restoreTargets(done.data, targets, (text) => this.#scrub(text)), done));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  // What `read()` gives (a caller's value as JSON, or the core's reading of it), its refusal a GistError
  // without the key: the name of a field it refuses may be the key.
  #refusedWithoutKey(read) {
    this.#live(); // a freed client says so first: it can no longer take its key out of a message
    try {
      return read();
    } catch (error) {
      const refusal = error instanceof GistError ? error : fromCore(error);
      refusal.message = this.#scrub(refusal.message);
      throw refusal;
    }
  }

  // Runs one call of the core (of the list `list`, for `list` and `page`); resolves `{ data, response }`,
  // the response with the call's elapsedMs. What it throws before the call starts, its callers (#call,
  // and the async #list and #pages) turn into a rejection.
  #run(method, argsText, options, list) {
    const core = this.#live();
    const { signal, json, sending } = this.#refusedWithoutKey(() => readCallOptions(options));
    const clock = callClock();
    if (!this.#pace.mayGoNow(signal)) return this.#runWhenAdmitted(core, method, argsText, json, signal, list, clock, sending);
    const call = this.#refusedWithoutKey(() => startCall(core, method, argsText, json, clock));
    return drive(call, this.#fetch, signal, this.#observe, this.#pace, list, clock, undefined, sending);
  }

  // A call whose first request would wait (behind `maxConcurrent`, for its start under
  // `requestsPerSecond`, or for a rate-limit pause): its input is checked at once, but the core's call
  // (its arguments and request, in wasm memory that never shrinks) is made only once the pacer lets that
  // request go, or refused it (it is then refused at once, as in a call started), so that a burst of
  // waiting calls holds none. Its deadline counts from its `clock`'s start all the same; a free() meanwhile waits
  // for it to start, as it would have had it started.
  async #runWhenAdmitted(core, method, argsText, json, signal, list, clock, sending) {
    this.#refusedWithoutKey(() => core.check(method, argsText, json));
    const budget = JSON.parse(json)?.timeoutMs ?? core.timeoutMs;
    this.#waiting++;
    let admitted;
    let call;
    try {
      admitted = await this.#pace.admit(budget - (clock() - clock.started), signal);
      try {
        call = startCall(core, method, argsText, json, clock);
      } catch (error) {
        admitted.release?.();
        throw fromCore(error);
      }
    } finally {
      this.#waiting--;
      if (this.#freed) this.free();
    }
    return drive(call, this.#fetch, signal, this.#observe, this.#pace, list, clock, admitted, sending);
  }

  // An iterator over a list's items: its options are checked at once (a GistError is thrown), pages
  // fetched lazily. It also has `pages()`, the same walk a page at a time, and `cursor`, where the walk
  // goes on (an opaque string for `options.cursor`): after the last item handed out, with the walk's
  // filters; before the first page, where the walk starts; once the list has ended, one that resumes to
  // nothing.
  #iterate(list, options, callOptions) {
    checkOptionsObject(options, "options");
    [options, callOptions] = signalMoved(options, callOptions);
    const optionsText = this.#refusedWithoutKey(() => toJson(options, "options", { maxBytes: MAX_OPTIONS_BYTES, options: true }));
    // `resume`: the token after the last page read; `at`, `size`, `page`, `handed`: where that page
    // started, how many items it had, those within the limit, and how many of them were handed out;
    // `ended`: the cursor once it ended.
    const walk = { at: null, size: 0, page: [], handed: 0 };
    const check = (core, position) => core.check("page", pageArgs(list, optionsText, position), readCallOptions(callOptions).json);
    const core = this.#live();
    walk.resume = this.#refusedWithoutKey(() => check(core, null));
    const given = JSON.parse(optionsText);
    const pages = this.#pages(list, optionsText, given?.limit ?? Infinity, callOptions, walk);
    const cursor = () => {
      if (walk.handed >= walk.size) return walk.resume;
      try {
        // A freed client's walk still has its cursor: a cursor names only its list, filters and position.
        return check(this.#core ?? keyless(), { ...walk.at, skip: (walk.at.skip ?? 0) + walk.handed });
      } catch (error) {
        throw fromCore(error);
      }
    };
    // Where an ended walk stopped, kept as it ends: its cursor stays readable after the client's free().
    walk.end = () => {
      try {
        walk.ended = cursor();
      } catch {
        walk.ended = undefined;
      }
    };
    const { signal } = readCallOptions(callOptions);
    // Items and pages() share the page in hand (`walk.page`, of which `walk.handed` were handed out), and
    // take from it one step at a time, whichever asks (`step`): the next item, or (`whole`) what is left
    // of the page in hand, else the next page. However either ends (done, `break`, an abort), the walk
    // is `over` for both, and `pages` ended, whose own `finally` keeps the cursor.
    let over = false;
    let last = Promise.resolve();
    const step = (whole) => {
      const taken = last.then(async () => {
        if (over) return undefined;
        if (walk.handed >= walk.page.length) {
          const next = await pages.next();
          if (next.done) return undefined;
          if (whole) return next.value.slice(); // handed out whole (#pages): a copy, the walk's own kept
          walk.handed = 0;
        }
        // An abort stops the walk at once, not after the page in hand: its cursor resumes there.
        if (isAborted(signal)) throw abortedBy(signal);
        const from = walk.handed;
        walk.handed = whole ? walk.page.length : from + 1;
        return whole ? walk.page.slice(from) : walk.page[from];
      });
      last = taken.catch(() => {});
      return taken;
    };
    // A step under way (the other iterator's) is let finish, so that the cursor counts what it handed out.
    const end = async () => {
      over = true;
      await last;
      await pages.return();
    };
    // Each iterator, `return()`ed or `throw()`n, ends the walk even before its first `next()` (its
    // `finally` does not run then).
    const ending = (iterator) => {
      for (const name of ["return", "throw"]) {
        const close = iterator[name].bind(iterator);
        iterator[name] = async (value) => {
          await end();
          return close(value);
        };
      }
      return iterator;
    };
    const items = ending((async function* () {
      try {
        for (let item; (item = await step(false)) !== undefined; ) yield item;
      } finally {
        await end();
      }
    })());
    items.pages = () => ending((async function* () {
      try {
        for (let taken; (taken = await step(true)) !== undefined; ) yield taken;
      } finally {
        await end();
      }
    })());
    Object.defineProperty(items, "cursor", { get: () => walk.ended ?? cursor(), enumerable: true });
    return items;
  }

  // A list* call: one call of the core, which reads pages until the limit (100 by default) within one
  // deadline and one maxResponseBytes. Resolves `{ data, response }`: the items, and the last page's
  // answer with every page's requests.
  async #list(list, options, callOptions) {
    checkOptionsObject(options, "options");
    [options, callOptions] = signalMoved(options, callOptions);
    const optionsText = this.#refusedWithoutKey(() => toJson(options, "options", { maxBytes: MAX_OPTIONS_BYTES, options: true }));
    return this.#run("list", pageArgs(list, optionsText), callOptions, list);
  }

  // The pages of a list, each cut to what is left of the limit; `walk` follows them (see #iterate): a
  // page is handed out whole when it is yielded.
  async *#pages(list, optionsText, limit, callOptions, walk) {
    let cursor = null;
    let left = limit;
    try {
      while (left > 0) {
        const { data: page } = await this.#run("page", pageArgs(list, optionsText, cursor), callOptions, list);
        cursor = page.cursor;
        const items = page.items.length > left ? page.items.slice(0, left) : page.items;
        Object.assign(walk, { resume: page.resume, at: page.at, size: page.items.length, page: items, handed: items.length });
        left -= items.length;
        if (items.length > 0) yield items;
        if (cursor.done) return;
      }
    } finally {
      walk.end();
    }
  }

  static {
    // A method called without its client (`const { fetchUser } = gist`) fails as any other bad input does.
    const isClient = (value) => value !== null && typeof value === "object" && #core in value;
    const unbound = (name) => invalidArgument(`${name} must be called on its GistClient (gist.${name}(...)), or bound to it`);
    const call = (name, run) =>
      function (...args) {
        if (!isClient(this)) return GistPromise.of(Promise.reject(unbound(name)), () => (run) => run);
        return GistPromise.of(run.apply(this, args), this.#describe);
      };
    for (const [method, names] of Object.entries(METHODS)) {
      this.prototype[method] = call(method, function (...args) {
        return this.#call(method, names, args);
      });
    }
    // Every list is read page by page (so that the wasm holds one page at a time) by its list* and iter*.
    for (const [list, [, , , name]] of Object.entries(LISTS)) {
      this.prototype[`list${name}`] = call(`list${name}`, function (options, callOptions) {
        return this.#list(list, options, callOptions);
      });
      this.prototype[`iter${name}`] = function (options, callOptions) {
        if (!isClient(this)) throw unbound(`iter${name}`);
        return this.#iterate(list, options, callOptions);
      };
    }
  }
}

// `using client = new GistClient(...)` frees it at the end of the block, where the runtime has `using`.
if (Symbol.dispose) GistClient.prototype[Symbol.dispose] = GistClient.prototype.free;
