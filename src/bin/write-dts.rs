//! Writes what is made from the Rust declarations (`./build.sh build` runs it): the models' TypeScript
//! and `GistClient`'s methods into `pkg-template/index.d.ts`, kept in the repository (its diff is the
//! review of a change to the public types), and, with `--declared <path>`, the runtime's `declared.js`
//! (the models' rules, the lists and the methods), which only the built package holds. `--check`
//! changes nothing, and fails when `index.d.ts` is not what it would write.

use std::process::ExitCode;

/// A host tool: the wasm build has no TypeScript to write.
#[cfg(target_arch = "wasm32")]
fn main() -> ExitCode {
    ExitCode::FAILURE
}

#[cfg(not(target_arch = "wasm32"))]
fn main() -> ExitCode {
    use getgist::internal::endpoints::typescript::{declared_js, rewrite_dts};
    use getgist::internal::models::typescript::rewrite;

    const DTS: &str = "pkg-template/index.d.ts";
    let args: Vec<String> = std::env::args().collect();
    let check = args.iter().any(|arg| arg == "--check");
    let declared = args
        .iter()
        .position(|arg| arg == "--declared")
        .and_then(|at| args.get(at + 1));
    let dts = std::fs::read_to_string(DTS)
        .map_err(|error| error.to_string())
        .and_then(|old| Ok((rewrite_dts(&rewrite(&old)?)?, old)))
        .and_then(|(new, old)| match (new == old, check) {
            (true, _) => Ok(()),
            (false, true) => Err("not what the Rust declarations make".into()),
            (false, false) => std::fs::write(DTS, new).map_err(|error| error.to_string()),
        })
        .map_err(|error| format!("{DTS}: {error}"));
    let js = declared.map_or(Ok(()), |path| {
        std::fs::write(path, declared_js()).map_err(|error| format!("{path}: {error}"))
    });
    match dts.and(js) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("write-dts: {error}");
            ExitCode::FAILURE
        }
    }
}
