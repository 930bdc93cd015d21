//! Writes the models' TypeScript declarations, made from their Rust declarations, into
//! `pkg-template/index.d.ts` (`./build.sh build` runs it first). `--check` changes nothing, and fails
//! when the file is not what it would write.

use std::process::ExitCode;

/// A host tool: the wasm build has no TypeScript to write.
#[cfg(target_arch = "wasm32")]
fn main() -> ExitCode {
    ExitCode::FAILURE
}

#[cfg(not(target_arch = "wasm32"))]
fn main() -> ExitCode {
    const DTS: &str = "pkg-template/index.d.ts";
    let check = std::env::args().any(|arg| arg == "--check");
    let result = std::fs::read_to_string(DTS)
        .map_err(|error| error.to_string())
        .and_then(|old| Ok((getgist::models::typescript::rewrite(&old)?, old)))
        .and_then(|(new, old)| match (new == old, check) {
            (true, _) => Ok(()),
            (false, true) => Err("the models' declarations are not the generated ones".into()),
            (false, false) => std::fs::write(DTS, new).map_err(|error| error.to_string()),
        });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("write-dts: {DTS}: {error}");
            ExitCode::FAILURE
        }
    }
}
