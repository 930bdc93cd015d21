// The bench's one Markdown table, and the notes under it, from run.mjs's results.
const DASH = "–";

const number = (x, digits) => x.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
const kb = (bytes) => `${number(bytes / 1024, 1)} KB`;
const mb = (bytes) => `${number(bytes / 2 ** 20, 1)} MB`;
const ms = (x) => `${number(x, Math.abs(x) < 100 ? 1 : 0)} ms`;
const us = (x) => `${number(x, x < 100 ? 1 : 0)} µs`;

/** The table's rows ({ title, values: a number or null per client, cells }) and its text with notes. */
export function report({ date, machine, runSeconds, clients, download, browser, workerd, nodeLoad, perCallMicros, perCallMicros22, memory }) {
  const names = clients.map((client) => client.name);
  const pick = (f) => Object.fromEntries(names.map((name) => [name, f(name) ?? null]));
  const row = (title, values, show) => ({
    title, values, cells: names.map((name) => (values[name] === null ? DASH : show(values[name], name))),
  });

  const total = (scheme) => pick((name) => download[name][scheme].js + download[name][scheme].wasm);
  const size = (scheme) => (bytes, name) => {
    const { js, wasm } = download[name][scheme];
    return wasm ? `**${kb(bytes)}** (wasm ${kb(wasm)} + JS ${kb(js)})` : `**${kb(bytes)}**`;
  };
  const calls = perCallMicros;
  const ratio = (op, micros = calls) => pick((name) => (micros[op][name] === undefined ? null : micros[op][name] / micros[op].floor));
  const times = (op, micros = calls) => (x, name) => `${number(x, 1)}× (${us(micros[op][name])})`;
  const node22 = perCallMicros22.node;
  const memoryOf = (key) => pick((name) => memory[name]?.[key]);

  const rows = [
    row("download: JS minified + .wasm, gzip -9", total("gzip"), size("gzip")),
    row("download: JS minified + .wasm, brotli -q 11", total("brotli"), size("brotli")),
    row("Chromium slow 4G (1.6 Mbit/s, 150 ms RTT): page start to a ready client, median of 5",
      pick((name) => browser.slow4g[name]), ms),
    row("Chromium loopback: page start to a ready client, median of 5", pick((name) => browser.loopback[name]), ms),
    row("workerd via Miniflare (`new Miniflare` with the bundle's modules, as `wrangler dev` gives them, to the first answer): start-up added over an empty worker, median of 15",
      pick((name) => workerd.added[name]), ms),
    row("workerd alone (a `workerd test` process): start-up added over an empty worker, median of 21",
      pick((name) => workerd.alone[name]), ms),
    row("`listUsers({limit: 60})`, in-memory fetch: × raw fetch + JSON.parse", ratio("listUsers"), times("listUsers")),
    row("`fetchUser` (the peers: one object by id, see CONTRIBUTING.md), in-memory fetch: × raw fetch + JSON.parse",
      ratio("fetchUser"), times("fetchUser")),
    row("`fetchUser`, the same answer with a dozen headers (as behind Cloudflare): × the same floor",
      ratio("fetchUserHeaders"), times("fetchUserHeaders")),
    row("`parseWebhook`, 1 KB: × JSON.parse", ratio("parseWebhook"), times("parseWebhook")),
    row(`\`listUsers({limit: 60})\` in Node ${node22}: × its own floor`, ratio("listUsers", perCallMicros22),
      times("listUsers", perCallMicros22)),
    row(`\`fetchUser\` in Node ${node22}: × its own floor`, ratio("fetchUser", perCallMicros22),
      times("fetchUser", perCallMicros22)),
    row(`\`parseWebhook\`, 1 KB, in Node ${node22}: × its own JSON.parse`, ratio("parseWebhook", perCallMicros22),
      times("parseWebhook", perCallMicros22)),
    row("`listUsers({limit: 10000})`: wasm memory after (before)", memoryOf("wasmAfter"),
      (after, name) => `${mb(after)} (${mb(memory[name].wasmBefore)})`),
    row("`listUsers({limit: 10000})`: wall time, peak RSS", memoryOf("wallMs"),
      (wall, name) => `${ms(wall)}, ${mb(memory[name].peakRss)}`),
    row("Node: import + new client, fresh process, median of 15", pick((name) => nodeLoad[name]), ms),
  ];

  const header = ["", ...clients.map((client) => client.label)];
  const floor = memory.floor;
  const text = [
    `gist-wasm bench, ${date}, ${machine}`,
    "",
    `| ${header.join(" | ")} |`,
    `|${header.map(() => "---").join("|")}|`,
    ...rows.map(({ title, cells }) => `| ${title} | ${cells.join(" | ")} |`),
    "",
    `Floors per call (median of ${calls.calls}): raw fetch + JSON.parse ${us(calls.listUsers.floor)} ` +
      `(listUsers page, ${kb(calls.bytes.listUsers)}), ` +
      `${us(calls.fetchUser.floor)} (fetchUser, ${calls.bytes.fetchUser} bytes); ` +
      `JSON.parse ${us(calls.parseWebhook.floor)} (webhook, ${calls.bytes.parseWebhook} bytes); in Node ${node22} ` +
      `${us(perCallMicros22.listUsers.floor)}, ${us(perCallMicros22.fetchUser.floor)} and ${us(perCallMicros22.parseWebhook.floor)}.`,
    `Chromium, empty page (HTML + one tiny module): ${ms(browser.loopback.empty)} loopback, ${ms(browser.slow4g.empty)} ` +
      `slow 4G; files served as ${browser.encodings.join(", ")}. workerd, empty worker: ${ms(workerd.emptyMs)} to its ` +
      `first answer (${ms(workerd.emptyRange[0])} to ${ms(workerd.emptyRange[1])}: the noise); gist-wasm's start-up over the ` +
      `minimal client's: ${ms(workerd.added["gist-wasm"] - workerd.added.minimal)} via Miniflare, ` +
      `${ms(workerd.alone["gist-wasm"] - workerd.alone.minimal)} in workerd alone.`,
    `listUsers({limit: 10000}), floor (fetch + JSON.parse of the same 167 pages): ${ms(floor.wallMs)}, ` +
      `${mb(floor.peakRss)} peak RSS; RSS before the call: gist-wasm ${mb(memory["gist-wasm"].rssBefore)}, ` +
      `minimal ${mb(memory.minimal.rssBefore)}.` +
      (memory["gist-wasm"].wasmAfter === null ? " gist-wasm's init() does not return its wasm exports: no wasm memory." : ""),
    `KB and MB are 1,024 and 1,048,576 bytes. Run time: ${number(runSeconds, 0)} s.`,
  ].join("\n");
  return { text, rows: rows.map(({ title, values }) => ({ title, values })) };
}

/** The growth table: each size's µs per call and its ratio to the floor (a flat ratio is linear growth). */
export function growthTable({ listUsers, parseWebhook, recordEvent }) {
  const cell = ({ gist, ratio }) => `${gist.toFixed(gist < 100 ? 1 : 0)} µs (${ratio.toFixed(1)}×)`;
  const lines = ["| growth: µs per call (× the floor) | small | medium | large |", "|---|---|---|---|"];
  lines.push(`| listUsers, 10 / 60 / 500 contacts a page (× fetch + JSON.parse) | ${Object.values(listUsers).map(cell).join(" | ")} |`);
  for (const [shape, sizes] of Object.entries(parseWebhook)) {
    lines.push(`| parseWebhook, ${shape} body, 1 KB / 100 KB / 1 MB (× JSON.parse) | ${Object.values(sizes).map(cell).join(" | ")} |`);
  }
  lines.push(`| recordEvent, properties of small objects, 1 KB / 100 KB / 1 MB (× JSON.stringify) | ${Object.values(recordEvent).map(cell).join(" | ")} |`);
  return lines.join("\n");
}
