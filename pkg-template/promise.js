// What every method returns: a real Promise of the data, which can also give the call's metadata.
import { invalidArgument } from "./errors.js";

/** A method's Promise: it resolves with the data; `withResponse()` resolves `{ data, response }`. */
export class GistPromise extends Promise {
  #run;
  #describe;
  #withResponse;

  // `then`, `catch` and `finally` give plain Promises.
  static get [Symbol.species]() {
    return Promise;
  }

  /**
   * The Promise of `run`'s data, where `run` resolves `{ data, ... }`. `describe()`, called when
   * `withResponse()` is first asked for (it may throw), gives the function that makes of `run` what
   * `withResponse()` resolves, `{ data, response }`.
   */
  static of(run, describe) {
    let settle;
    const promise = new GistPromise((resolve, reject) => { settle = { resolve, reject }; });
    run.then((result) => settle.resolve(result.data), settle.reject);
    promise.#run = run;
    promise.#describe = describe;
    return promise;
  }

  /** Resolves `{ data, response }`: the data, and what the call's last answer said. */
  withResponse() {
    // Not `instanceof` (a Proxy's trap may throw); `GistPromise.resolve()` makes one with no call.
    if (!(typeof this === "object" && this !== null && #run in this && this.#run)) {
      return Promise.reject(invalidArgument("withResponse() must be called on a call's promise (gist.fetchUser(...).withResponse())"));
    }
    // A failure reaches the caller through the Promise returned here, not as an unhandled rejection.
    this.catch(() => {});
    this.#withResponse ??= (async () => this.#describe()(this.#run))();
    return this.#withResponse;
  }
}
