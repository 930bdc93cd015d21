//! Writes the models' TypeScript declarations, made from their Rust declarations, into
//! `pkg-template/index.d.ts`, and their rules into `pkg-template/rules.js` (`./build.sh build` runs
//! it first). `--check` changes nothing, and fails when a file is not what it would write.

use std::process::ExitCode;

/// A host tool: the wasm build has no TypeScript to write.
#[cfg(target_arch = "wasm32")]
fn main() -> ExitCode {
    ExitCode::FAILURE
}

#[cfg(not(target_arch = "wasm32"))]
fn main() -> ExitCode {
    use gist_wasm::models::typescript::{rewrite, rules_js};
    let check = std::env::args().any(|arg| arg == "--check");
    let written = [
        write("pkg-template/index.d.ts", rewrite, check),
        write("pkg-template/rules.js", |_| Ok(rules_js()), check),
    ];
    match written.iter().all(|ok| *ok) {
        true => ExitCode::SUCCESS,
        false => ExitCode::FAILURE,
    }
}

/// Makes the file at `path` anew from its text (`make`), and writes it when it changed, or with
/// `check` only says whether it did; false (and why, on stderr) when it fails.
#[cfg(not(target_arch = "wasm32"))]
fn write(path: &str, make: impl Fn(&str) -> Result<String, String>, check: bool) -> bool {
    let result = std::fs::read_to_string(path)
        .or_else(|_| Ok(String::new()))
        .and_then(|old| Ok((make(&old)?, old)))
        .and_then(|(new, old)| match (new == old, check) {
            (true, _) => Ok(()),
            (false, true) => Err("not the generated one: run ./build.sh build".to_owned()),
            (false, false) => std::fs::write(path, new).map_err(|error| error.to_string()),
        });
    result
        .map_err(|error: String| eprintln!("write-dts: {path}: {error}"))
        .is_ok()
}
