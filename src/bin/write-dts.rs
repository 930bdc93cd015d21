//! Writes what is made from the Rust declarations into the package's sources (`./build.sh build` runs
//! it first): the models' TypeScript and `GistClient`'s methods into `pkg-template/index.d.ts`, the
//! table of methods and lists into `pkg-template/client.js`, and the models' rules and the lists' keys
//! into `pkg-template/rules.js`. `--check` changes nothing, and fails when a file is not what it would
//! write.

use std::process::ExitCode;

/// A host tool: the wasm build has no TypeScript to write.
#[cfg(target_arch = "wasm32")]
fn main() -> ExitCode {
    ExitCode::FAILURE
}

#[cfg(not(target_arch = "wasm32"))]
fn main() -> ExitCode {
    use getgist::endpoints::typescript::{rewrite_dts, rewrite_js};
    use getgist::models::typescript::{rewrite, rules_js};

    type Rewrite = fn(&str) -> Result<String, String>;
    let files: [(&str, Rewrite); 3] = [
        ("pkg-template/index.d.ts", |dts| rewrite_dts(&rewrite(dts)?)),
        ("pkg-template/client.js", rewrite_js),
        ("pkg-template/rules.js", |_| Ok(rules_js())),
    ];
    let check = std::env::args().any(|arg| arg == "--check");
    let mut code = ExitCode::SUCCESS;
    for (path, rewrite) in files {
        let result = std::fs::read_to_string(path)
            .map_err(|error| error.to_string())
            .and_then(|old| Ok((rewrite(&old)?, old)))
            .and_then(|(new, old)| match (new == old, check) {
                (true, _) => Ok(()),
                (false, true) => Err("not what the Rust declarations make".into()),
                (false, false) => std::fs::write(path, new).map_err(|error| error.to_string()),
            });
        if let Err(error) = result {
            eprintln!("write-dts: {path}: {error}");
            code = ExitCode::FAILURE;
        }
    }
    code
}
