#!/usr/bin/env node
// `npx gist-wasm check`: checks what docs/gist-api.md says of Gist's API against your account, with the key
// in GIST_API_KEY. Node only, and no part of what `import "gist-wasm"` loads. README: "Checking against
// your account".
import { createInterface } from "node:readline/promises";
import { accessSync, closeSync, constants, mkdirSync, openSync, readFileSync, writeFileSync } from "node:fs";
import { GistError } from "gist-wasm";
import { READS, WRITES, reportHeaders } from "./check-facts.js";
import { MAX_REQUESTS, cleanUp, cleanUpEarlierRuns, client, createContext, report, runSteps, scrub, scrubValues } from "./check-run.js";

const USAGE = `usage: GIST_API_KEY=... npx gist-wasm check [--yes] [--cleanup] [--out FILE] [--record DIR] [--rate N] [--base-url URL]
  --yes        do not ask before writing
  --cleanup    delete what earlier runs left behind (found by their tag), then stop
  --out FILE   where the JSON report goes (default gist-wasm-check.json)
  --record DIR keep the shapes of the answers (no values) as fixtures in DIR
  --rate N     requests per second (default 2; at most 10, but for a loopback --base-url)
  --base-url   another API origin, such as a proxy or the mock (default GIST_BASE_URL, else https://api.getgist.com)
exit status:
  0    every fact confirmed or not shown, and nothing of the run left on the account (--cleanup: done)
  1    a fact contradicted, the run stopped early, something it created left behind, or the report
       not written: the output says which (--cleanup: stopped)
  2    a wrong argument or base URL, no GIST_API_KEY, or --out or --record not writable: nothing was sent
  130  interrupted (Ctrl-C)`;

/** The command line as options; throws a message for a wrong one. */
function parseArgs(argv) {
  const options = { yes: false, cleanup: false, out: "gist-wasm-check.json", rate: 2, baseUrl: process.env.GIST_BASE_URL || undefined };
  if (argv[0] !== "check") {
    if (argv.includes("--help")) return { help: true };
    throw new Error(argv.length ? `unknown command ${argv[0]}` : "name the command: check");
  }
  const args = argv.slice(1);
  for (let i = 0; i < args.length; i++) {
    const value = () => {
      if (i + 1 >= args.length) throw new Error(`${args[i]} needs a value`);
      return args[++i];
    };
    switch (args[i]) {
      case "--help": options.help = true; return options;
      case "--yes": options.yes = true; break;
      case "--cleanup": options.cleanup = true; break;
      case "--out": options.out = value(); break;
      case "--record": options.record = value(); break;
      case "--base-url": options.baseUrl = value(); break;
      case "--rate": options.rate = Number(value()); break;
      default: throw new Error(`unknown argument ${args[i]}`);
    }
  }
  // Loopback servers (the mock, the tests' fakes) may be called faster than an account.
  const loopback = /^http:\/\/(127\.0\.0\.1|localhost|\[::1\])(:\d+)?\//.test(`${options.baseUrl}/`);
  if (!(options.rate > 0 && (options.rate <= 10 || loopback))) throw new Error("--rate must be above 0 and at most 10");
  options.apiKey = process.env.GIST_API_KEY;
  if (!options.apiKey) throw new Error("set GIST_API_KEY to your Gist API key (Settings > API key)");
  return options;
}

async function confirm(question, signal) {
  if (!process.stdin.isTTY) return false;
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  // Ctrl-C at the question, which the terminal hands to readline, is the process's SIGINT: a run's handler
  // (it aborts `signal`, so the question ends), else an exit with 130, as Node's own handler would.
  rl.on("SIGINT", () => (process.listenerCount("SIGINT") > 0 ? process.emit("SIGINT") : process.exit(130)));
  try {
    return /^y(es)?$/i.test((await rl.question(question, { signal })).trim());
  } catch {
    return false;
  } finally {
    rl.close();
  }
}

// A server's text as the terminal shows it: its control characters (an escape sequence that would move
// the cursor or rewrite a line) as `\u` escapes.
const printable = (text) => String(text ?? "").replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);

/** Why a run stopped, in one line that never holds the key or an email, nor a control character. */
function reason(error, apiKey) {
  if (error instanceof GistError && (error.code === "unauthorized" || error.code === "forbidden")) {
    return `Gist refused the key (${error.status}): check GIST_API_KEY`;
  }
  return printable(scrub(error instanceof Error ? error.message : String(error), apiKey));
}

/** Throws when the report (--out) or the recordings (--record) cannot be written: found before the first request. */
function assertWritable({ out, record }) {
  closeSync(openSync(out, "a"));
  if (record) {
    mkdirSync(record, { recursive: true });
    accessSync(record, constants.W_OK);
  }
}

function printReport(result) {
  const width = Math.max(...result.facts.map((f) => f.id.length));
  for (const fact of result.facts) {
    console.log(`  ${fact.outcome.padEnd(12)} ${fact.id.padEnd(width)}  ${fact.outcome === "confirmed" ? "" : printable(fact.seen)}`);
    if (fact.advice) console.log(`  ${"".padEnd(12)} ${"".padEnd(width)}  -> ${fact.advice}`);
  }
  const count = (outcome) => result.facts.filter((f) => f.outcome === outcome).length;
  console.log(`\n${count("confirmed")} confirmed, ${count("contradicted")} contradicted, ${count("not shown")} not shown; ${result.requests} requests.`);
}

async function check(options) {
  const controller = new AbortController();
  let ctx;
  try {
    ctx = createContext({ ...options, signal: controller.signal });
  } catch (error) {
    console.error(`nothing sent: ${reason(error, options.apiKey)}`);
    return 2;
  }
  let interrupted = false;
  let cleaning = false;
  const onSigint = () => {
    if (interrupted || cleaning) {
      console.error(`\nStopped: run \`npx gist-wasm check --cleanup\` to remove what is left (${ctx.prefix}).`);
      process.exit(130);
    }
    interrupted = true;
    console.error("\nInterrupted: deleting what this run created, after the request under way (Ctrl-C again to stop at once)...");
    controller.abort();
  };
  process.on("SIGINT", onSigint);
  const seconds = Math.ceil((MAX_REQUESTS.reads + MAX_REQUESTS.writes) / options.rate);
  console.log(`gist-wasm check of ${scrub(options.baseUrl ?? "https://api.getgist.com", options.apiKey)}: at most ${MAX_REQUESTS.reads} reads, then at most ${MAX_REQUESTS.writes} requests`);
  console.log(`that write and clean up (2 more for each 60 tags the account has past 60; a listing of tags stops at 1,000 pages), ${options.rate} a second: about ${seconds} s. Run prefix ${ctx.prefix}.`);
  let failure;
  try {
    await runSteps(ctx, READS);
    if (!options.yes && !(await confirm(`Create 2 contacts (${ctx.prefix}-*@example.com), the tag ${ctx.tagName} and events named ${ctx.prefix}*, then delete them? [y/N] `, controller.signal))) {
      throw new Error("nothing written: run with --yes to allow the writes (or answer y in a terminal)");
    }
    console.log("writing...");
    await runSteps(ctx, WRITES);
  } catch (error) {
    failure = error;
  }
  cleaning = true;
  let left = [];
  try {
    left = await cleanUp(ctx);
  } catch (error) {
    left = [`(the clean-up failed: ${reason(error, options.apiKey)})`];
  }
  reportHeaders(ctx);
  const stop = interrupted ? "interrupted" : failure ? reason(failure, options.apiKey) : null;
  const { version } = JSON.parse(readFileSync(new URL("./package.json", import.meta.url), "utf8"));
  const result = report(ctx, { version, stopped: stop, left: left.length });
  // Its values scrubbed once more, not its JSON text: a key that is a word of that text ("id", `"`) leaves it whole.
  const text = JSON.stringify(scrubValues(result, options.apiKey), null, 2);
  ctx.free();
  if (!interrupted) printReport(result);
  let written = true;
  try {
    writeFileSync(options.out, `${text}\n`);
    console.log(`Report written to ${options.out} (no key, no email in it): please attach it to an issue on gist-wasm's repository.`);
  } catch (error) {
    written = false;
    console.error(`Could not write the report to ${options.out}: ${error.message}`);
  }
  if (left.length) console.error(`Left behind: ${left.join(", ")}: run \`npx gist-wasm check --cleanup\`.`);
  else console.log("Nothing of this run is left on the account.");
  if (stop) console.error(`Stopped: ${stop}`);
  const contradicted = result.facts.some((fact) => fact.outcome === "contradicted");
  return interrupted ? 130 : stop || left.length || !written || contradicted ? 1 : 0;
}

async function main() {
  let options;
  try {
    options = parseArgs(process.argv.slice(2));
  } catch (error) {
    console.error(`${error.message}\n${USAGE}`);
    return 2;
  }
  if (options.help) {
    console.log(USAGE);
    return 0;
  }
  if (!options.cleanup) {
    try {
      assertWritable(options);
    } catch (error) {
      console.error(`nothing sent: --out or --record cannot be written (${error.message})`);
      return 2;
    }
    return check(options);
  }
  let gist;
  try {
    gist = client(options, options.apiKey);
  } catch (error) {
    console.error(`nothing sent: ${reason(error, options.apiKey)}`);
    return 2;
  }
  if (!options.yes && !(await confirm("Delete the contacts and tags that earlier runs of gist-wasm check left? [y/N] "))) {
    gist.free();
    console.error("nothing deleted: run with --yes to allow it");
    return 1;
  }
  try {
    const { runs, left, complete } = await cleanUpEarlierRuns(gist, (line) => console.log(line));
    if (left > 0) console.error(`Stopped: ${left} of ${runs} earlier run(s) not cleaned up (a contact or a tag could not be deleted: see above).`);
    else console.log(`${runs} earlier run(s) cleaned up.`);
    if (!complete) {
      console.error("Stopped: not every tag was read (a listing stops at 1,000 pages of 60, and at a page that brings no tag not seen before): an earlier run's tag may be among the rest.");
    }
    return left === 0 && complete ? 0 : 1;
  } catch (error) {
    console.error(`Stopped: ${reason(error, options.apiKey)}`);
    return 1;
  }
}

process.exitCode = await main();
