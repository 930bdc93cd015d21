#!/usr/bin/env bash
# gist-wasm's one entry point.
#   ./build.sh demo    set up, build the package and the API reference, serve both with the built-in mock Gist API
#   ./build.sh test    set up, build, run every test (host, then the package in Node, Chromium, workerd, ...)
#   ./build.sh build   set up and build the npm package into pkg/
#   ./build.sh setup   install what is missing (idempotent): wasm32 target, wasm-bindgen CLI, npm tools, consumer projects, Chromium
#   ./build.sh bench   build, then measure size, load and per-call speed beside the JS SDKs (tests/bench/)
#   ./build.sh docs    the API reference (TypeDoc) from the public .d.ts into target/api/; any warning fails it
#   ./build.sh conformance [args]  build, then `gist-wasm check` against your account (GIST_API_KEY; README)
set -euo pipefail
cd "$(dirname "$0")"
ROOT=$PWD
MOCK_PORT=${GIST_MOCK_PORT:-4010}
DEMO_PORT=${GIST_DEMO_PORT:-8080}
# The shipped .wasm may not grow past this many gzip -9 bytes: the last measure, with a few bytes to spare.
# Raise it only with a feature, and say so in the commit.
SIZE_BUDGET_GZIP=59300
export GIST_MOCK_URL="http://127.0.0.1:$MOCK_PORT"

say() { printf '\n== %s\n' "$*"; }
die() { printf 'build.sh: %s\n' "$*" >&2; exit 1; }

# The wasm-bindgen version pinned in Cargo.lock; the CLI must match it exactly.
bindgen_version() {
  awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock
}

setup_rust() {
  rustup target list --installed | grep -qx wasm32-unknown-unknown || rustup target add wasm32-unknown-unknown
  # The standard library's source: the shipped .wasm builds its own std (see build).
  rustup component list --installed | grep -q '^rust-src' || rustup component add rust-src
  local want have
  want=$(bindgen_version)
  [ -n "$want" ] || die "no wasm-bindgen in Cargo.lock"
  have=$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)
  if [ "$have" != "$want" ]; then
    say "installing wasm-bindgen-cli $want (about 3 minutes; found '${have:-none}')"
    # No --locked: the CLI's own lockfile wants a crate version the registry does not serve.
    cargo install wasm-bindgen-cli --version "$want" --force
  fi
}

# `npm ci` in a folder, unless its node_modules is newer than its package-lock.json.
npm_ci() {
  local stamp=$1/node_modules/.package-lock.json
  if [ ! -f "$stamp" ] || [ "$1/package-lock.json" -nt "$stamp" ]; then
    say "installing npm packages in $1"
    (cd "$1" && npm ci --no-audit --no-fund)
  fi
}

setup_npm() {
  npm_ci .
}

# The consumer projects of the tests (tests/consumers/*: Next.js, esbuild, Rollup, Parcel, the recipes), each with its own lock.
setup_consumers() {
  local dir
  for dir in tests/consumers/*/; do npm_ci "${dir%/}"; done
}

setup_chromium() {
  if ! command -v chromium >/dev/null; then
    say "installing Chromium (Debian package)"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  fi
}

check_bindgen() {
  local want have
  want=$(bindgen_version)
  have=$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)
  [ "$have" = "$want" ] || die "wasm-bindgen CLI is '${have:-missing}' but Cargo.lock pins $want: run ./build.sh setup"
}

# pkg/gist_wasm_inline.js, for the entries that carry the .wasm inside their JS: the .wasm as printable
# ASCII (pkg-template/wasm-text.js says how), which bundlers emit as it is and gzip compresses about as
# well as the .wasm itself.
inline_wasm() {
  node --input-type=module - <<'EOF'
import { readFileSync, writeFileSync } from "node:fs";
import { ALPHABET, SINGLES, wasmBytes } from "./pkg/wasm-text.js";
const bytes = readFileSync("pkg/gist_wasm_bg.wasm");
const counts = new Array(256).fill(0);
for (const byte of bytes) counts[byte]++;
// The byte values, most frequent first: values[k] gets the k-th code.
const values = [...counts.keys()].sort((a, b) => counts[b] - counts[a] || a - b);
const codes = [];
values.forEach((value, k) => {
  const rest = k - SINGLES;
  codes[value] = rest < 0 ? ALPHABET[k] : ALPHABET[SINGLES + Math.floor(rest / ALPHABET.length)] + ALPHABET[rest % ALPHABET.length];
});
const head = values.map((value) => value.toString(16).padStart(2, "0")).join("");
const text = head + Array.from(bytes, (byte) => codes[byte]).join("");
if (!Buffer.from(wasmBytes(text)).equals(bytes)) throw new Error("inline_wasm: the text does not decode to the .wasm");
writeFileSync("pkg/gist_wasm_inline.js", `// gist_wasm_bg.wasm as printable ASCII (build.sh, wasm-text.js).\nexport default "${text}";\n`);
EOF
}

# What Node and Bun load from node_modules (the `node-addons` condition): each entry of the package
# (pkg/node.js, node-queues.js, node-mock.js, node-mock-server.js) bundled over chunks they share
# (node-chunk-*.js), 2 modules to load where the sources are a dozen (Node's loader spends about half a
# millisecond on each), and its require() (pkg/node*.cjs). Every entry is in it: a module loaded apart
# would be a second copy of the runtime, whose wasm nothing loaded.
# The mock's import() of webhooks.js (for signWebhook) is the package's entry, node.js: else that import
# would be an entry of its own, and the runtime it shares with node.js a chunk apart from the client's
# (node.js would load 3 modules, not 2: 4 M more instructions of import).
bundle_node() {
  rm -rf target/node-bundle
  node --input-type=module - <<'EOF'
import { build } from "esbuild";
const entry = {
  name: "the mock's import() of webhooks.js is node.js",
  setup(b) {
    b.onResolve({ filter: /^\.\/webhooks\.js$/ }, (args) =>
      (args.kind === "dynamic-import" && args.importer.endsWith("/mock.js") ? { path: "./node.js", external: true } : undefined));
  },
};
await build({
  entryPoints: { node: "pkg/node.js", "node-queues": "pkg/queues.js", "node-mock": "pkg/mock.js", "node-mock-server": "pkg/mock-server.js" },
  bundle: true, splitting: true, format: "esm", platform: "node", external: ["gist-wasm"], plugins: [entry],
  chunkNames: "node-chunk-[hash]", outdir: "target/node-bundle", logLevel: "warning",
});
EOF
  cp target/node-bundle/*.js pkg/
  local cjs
  for cjs in index queues mock mock-server; do
    local node=node-$cjs
    [ "$cjs" = index ] && node=node
    sed "s#require(\"\./$cjs\.js\")#require(\"./$node.js\")#" "pkg/$cjs.cjs" > "pkg/$node.cjs"
    grep -q "require(\"./$node.js\")" "pkg/$node.cjs" || die "pkg/$cjs.cjs does not require ./$cjs.js"
  done
  # Bun's main entry (the `bun` condition), bun.js: node.js with the .wasm imported as a file, which `bun
  # build` (--target=bun, --compile) copies beside the bundle (or into the executable), handing over its
  # path; node.js's URL beside itself would not be there. Made from node.js, it shares node.js's chunks.
  sed -e 's#^// pkg/node\.js$#&\nimport wasmFile from "./gist_wasm_node.wasm" with { type: "file" };#' \
    -e 's#new URL("\./gist_wasm_node\.wasm", import\.meta\.url)#new URL(wasmFile, import.meta.url)#' pkg/node.js > pkg/bun.js
  grep -q "new URL(wasmFile, import.meta.url)" pkg/bun.js && grep -q '^import wasmFile from' pkg/bun.js ||
    die "pkg/node.js no longer reads gist_wasm_node.wasm as bun.js expects"
}

# Builds the crate's .wasm with Cargo profile $1 and writes what wasm-bindgen and wasm-opt make of it
# into the folder $2 (gist_wasm.js, its glue, and gist_wasm_bg.wasm).
wasm_build() {
  local profile=$1 out=$2 linked=target/wasm32-unknown-unknown/$1/getgist.wasm
  say "building the wasm (profile $profile)"
  # The cdylib is asked for here, not in Cargo.toml: a Rust project that depends on the crate builds
  # only its rlib (not a shared library of it and all its dependencies).
  # The standard library is built with the crate (-Zbuild-std, allowed on the stable compiler by
  # RUSTC_BOOTSTRAP=1), optimised for size, with panics that abort at once: no panic message, location or
  # formatting machinery is linked (7.1 KB gzip less; Cargo.toml's lints deny the crate's own panic paths).
  # Without the multivalue feature, wasm-bindgen returns through memory, not multi-value: V8 11
  # (Node 20's) compiles a JS-to-wasm wrapper for every export whose signature returns more than one value,
  # eagerly, in `new WebAssembly.Module` (13 such signatures: 15 M of the 55 M instructions of
  # import + new GistClient); one value or none goes through V8's generic wrapper, compiled for nothing.
  RUSTC_BOOTSTRAP=1 RUSTFLAGS="-Zunstable-options -Cpanic=immediate-abort -Ctarget-feature=-multivalue" \
    cargo rustc --profile "$profile" --target wasm32-unknown-unknown --lib --crate-type cdylib \
    -Zbuild-std=std,panic_abort -Zbuild-std-features=optimize_for_size
  # No core::fmt in the .wasm (2.4 KB): messages and paths are filled in with text! (src/text.rs). Its
  # functions' mangled names (…4core3fmt…) are in the name section of what rustc links.
  if grep -q 4core3fmt "$linked"; then
    die "the .wasm links core::fmt: a format!, write!, to_string() or {:?} in code the wasm runs (text! instead; twiggy paths on a build with names finds it)"
  fi
  # No default .wasm URL in gist_wasm.js: only index.js names the file, so that bundlers given another
  # entry do not emit a .wasm that nothing fetches.
  # No .d.ts either: the package's types are pkg-template's, and the wasm core's are internal.
  wasm-bindgen --target web --omit-default-module-path --no-typescript --remove-name-section --remove-producers-section \
    --out-name gist_wasm --out-dir "$out" "$linked"
  # --low-memory-unused: rustc puts the stack first (from 1 MiB down) and the data above it, so nothing
  # lives in the low 1 KiB and wasm-opt may fold added constants into load offsets (330 bytes gzip less,
  # with --converge, which runs -Oz until it gains nothing more).
  node_modules/.bin/wasm-opt -Oz --converge --low-memory-unused --strip-debug --strip-producers \
    --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext --enable-mutable-globals \
    --enable-reference-types --enable-multivalue \
    "$out/gist_wasm_bg.wasm" -o "$out/gist_wasm_bg.wasm"
  # No function of the shipped .wasm returns more than one value (see -multivalue above): a dependency or
  # a wasm-bindgen update that brought them back would bring back Node's eager wrapper compiles.
  # (grep -c reads all of wasm-dis's text: with pipefail, grep -q could end the pipe early and fail it.)
  if [ "$(node_modules/.bin/wasm-dis "$out/gist_wasm_bg.wasm" | grep -cE '\(result [a-z0-9]+ [a-z0-9]+')" != 0 ]; then
    die "the .wasm has functions that return more than one value (multi-value): build it with -Ctarget-feature=-multivalue"
  fi
}

build() {
  check_bindgen
  rm -rf pkg target/wasm-speed && mkdir -p pkg
  wasm_build release pkg
  # Node's and Bun's entry (node.js) loads the same code built for speed (Cargo.toml's wasm-speed
  # profile): on a server a call's CPU counts and the bytes are read from disk once. Browsers, Deno and
  # workerd, which download or start it often, load the build for size. One glue serves both.
  wasm_build wasm-speed target/wasm-speed
  cmp -s target/wasm-speed/gist_wasm.js pkg/gist_wasm.js || die "the two builds' wasm-bindgen glue differs"
  cp target/wasm-speed/gist_wasm_bg.wasm pkg/gist_wasm_node.wasm
  say "writing what the Rust declarations make: pkg-template/index.d.ts, pkg/declared.js (src/bin/write-dts.rs)"
  cargo run --quiet --bin write-dts -- --declared pkg/declared.js
  cp pkg-template/*.js pkg-template/*.cjs pkg-template/*.d.ts pkg-template/package.json README.md pkg/
  # What the README links to ships beside it (package.json "files" lists it): the licences, the security
  # policy, the changelog, the docs and the examples.
  cp LICENSE-MIT LICENSE-APACHE SECURITY.md CHANGELOG.md pkg/
  mkdir -p pkg/docs && cp docs/*.md pkg/docs/
  cp -r examples pkg/
  # The types of require(): each entry's .d.ts read as CommonJS (a .d.cts), importing the other .d.cts.
  local dts
  for dts in pkg/index.d.ts pkg/mock.d.ts pkg/mock-server.d.ts pkg/queues.d.ts; do
    sed 's#from "\./\(mock\|index\)\.js"#from "./\1.cjs"#' "$dts" > "${dts%.ts}.cts"
  done
  rm -f pkg/.gitignore
  inline_wasm
  bundle_node
  local raw gz
  raw=$(stat -c%s pkg/gist_wasm_bg.wasm)
  gz=$(gzip -9c pkg/gist_wasm_bg.wasm | wc -c)
  say "pkg/gist_wasm_bg.wasm: $raw bytes raw, $gz bytes gzip -9 (budget $SIZE_BUDGET_GZIP); inline: $(gzip -9c pkg/gist_wasm_inline.js | wc -c) bytes gzip -9; gist_wasm_node.wasm: $(stat -c%s pkg/gist_wasm_node.wasm) bytes raw"
  [ "$gz" -le "$SIZE_BUDGET_GZIP" ] || die "the .wasm is over its size budget: $gz > $SIZE_BUDGET_GZIP bytes gzipped"
}

# Installs the packed package into node_modules, and into each consumer project's, as a user's `npm install` would.
install_pkg() {
  local tarball dir
  tarball=$(cd pkg && npm pack --silent --pack-destination "$ROOT/target")
  for dir in . tests/consumers/*; do
    [ -d "$dir/node_modules" ] || continue
    rm -rf "$dir/node_modules/gist-wasm" && mkdir -p "$dir/node_modules/gist-wasm"
    tar -xzf "target/$tarball" -C "$dir/node_modules/gist-wasm" --strip-components=1
  done
}

start_mock() {
  if curl -fs -o /dev/null "$GIST_MOCK_URL/__mock/requests"; then
    die "something already answers on $GIST_MOCK_URL: stop it, or pick another port with GIST_MOCK_PORT"
  fi
  node pkg-template/mock-server.js --port "$MOCK_PORT" >target/mock-server.log 2>&1 &
  MOCK_PID=$!
  trap 'kill $MOCK_PID 2>/dev/null || true' EXIT
  for _ in $(seq 50); do
    curl -fs -o /dev/null -X POST "$GIST_MOCK_URL/__mock/reset" && return 0
    sleep 0.1
  done
  die "the mock Gist API did not start on $GIST_MOCK_URL (see target/mock-server.log)"
}

# The Rust examples' workspace (examples/Cargo.toml: the axum service, the bulk import, the native bench)
# checked and tested; the tests start their own mock on a free port, and one runs the README's Rust
# quickstart in a fresh Cargo project. They build into target/ (examples/.cargo/config.toml), beside the
# crate's own builds: what both build with the same features compiles once.
rust_examples() {
  say "Rust examples: format, lints, tests (examples/)"
  (cd examples && cargo fmt --all -- --check && cargo clippy --all-targets -- -D warnings && cargo test)
}

run_tests() {
  local t0=$SECONDS log=target/test-output.log
  mkdir -p target && : > "$log"
  say "format, lints, docs"
  cargo fmt --all -- --check
  cargo clippy --all-targets --features serde -- -D warnings
  cargo clippy --all-targets --no-default-features -- -D warnings
  cargo clippy --target wasm32-unknown-unknown --all-targets -- -D warnings
  RUSTDOCFLAGS="-D warnings" cargo doc --no-deps --quiet
  # The crate as crates.io would take it: its manifest, its readme and what `include` ships.
  cargo package --no-verify --allow-dirty --quiet
  say "host tests"
  # The native tests (tests/native) start the package's mock with Node themselves.
  cargo test --features serde 2>&1 | tee -a "$log"
  rust_examples 2>&1 | tee -a "$log"
  start_mock
  say "package tests (Node 20, 22, Deno, Bun, workerd, Chromium, Vite, webpack, TypeScript, examples, demo)"
  install_pkg
  node --test --test-reporter=spec tests/js/ 2>&1 | tee -a "$log"
  say "all tests passed in $((SECONDS - t0)) s"
  # One closing line for every runner above: cargo's "N passed; N failed" and node's "pass N", "fail N".
  awk '/^test result:/ { p += $4; f += $6 } /^ℹ pass / { p += $3 } /^ℹ fail / { f += $3 }
       END { printf "all: %d passed, %d failed\n", p, f }' "$log"
}

# The side-by-side benchmark (tests/bench/run.mjs): one Markdown table, and target/bench/results.json.
bench() {
  mkdir -p target/bench
  cp tests/bench/package.json tests/bench/*.mjs tests/bench/*.ts target/bench/
  (cd target/bench && npm install --no-audit --no-fund --silent)
  node target/bench/run.mjs
  bench_native
}

# The native rows (tests/bench/native): the Rust crate beside reqwest + serde_json by hand, over loopback
# HTTP to the mock and to a server answering a fixed page; one Markdown table, and target/bench/native.json.
bench_native() {
  say "native bench: building (release)"
  (cd examples && cargo build --release --quiet -p gist-native-bench)
  target/release/gist-native-bench --json target/bench/native.json
}

# The API reference: TypeDoc over pkg-template's public .d.ts (docs/typedoc/), HTML into target/api/.
# docs/typedoc/typedoc.json treats every warning as an error, so a broken link or type fails here.
docs() {
  node_modules/.bin/typedoc --options docs/typedoc/typedoc.json --logLevel Warn
  say "API reference: target/api/index.html"
}

case "${1:-}" in
  setup) setup_rust; setup_npm; setup_consumers; setup_chromium ;;
  build) setup_rust; setup_npm; build ;;
  test) setup_rust; setup_npm; setup_consumers; setup_chromium; build; run_tests ;;
  demo) setup_rust; setup_npm; build; install_pkg; docs; exec node www/server.mjs --port "$DEMO_PORT" ;;
  bench) setup_rust; setup_npm; setup_chromium; build; install_pkg; bench ;;
  docs) setup_npm; docs ;;
  conformance) setup_rust; setup_npm; build; exec node pkg/check.js check "${@:2}" ;;
  *) sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
