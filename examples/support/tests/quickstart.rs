//! The README's Rust quickstart as a user meets it: a fresh Cargo project (`target/quickstart/`, made
//! by `cargo new`), the README's `cargo add` commands run in it (the crate taken from this repository
//! by path), the quickstart as its `src/main.rs`, built and run against the mock on a loopback port.
//! Cargo runs `--offline`: the crates come from the local registry cache, which the examples' own build
//! filled, so that the test reaches nothing but loopback.

use std::path::Path;
use std::process::{Command, Output};

use gist_examples_support::{repo_root, MockGist, MOCK_KEY};

/// The README's section `heading`: its text up to the next heading of its level.
fn section<'r>(readme: &'r str, heading: &str) -> &'r str {
    let start = readme
        .find(&format!("\n{heading}\n"))
        .unwrap_or_else(|| panic!("the README has no {heading:?}"));
    let level = heading.split(' ').next().unwrap_or("##");
    let rest = &readme[start + heading.len() + 2..];
    &rest[..rest.find(&format!("\n{level} ")).unwrap_or(rest.len())]
}

/// The body of the first fenced block of `lang` in `text`.
fn block(text: &str, lang: &str) -> String {
    let open = format!("```{lang}\n");
    let body = &text[text
        .find(&open)
        .unwrap_or_else(|| panic!("no ```{lang} block"))
        + open.len()..];
    body[..body.find("```").expect("the block closes")].to_owned()
}

/// The arguments of every `cargo add` in `text`, as a command or in a `// cargo add ...` comment.
fn cargo_adds(text: &str) -> Vec<Vec<String>> {
    text.lines()
        .filter_map(|line| line.split_once("cargo add ").map(|(_, args)| args))
        .map(|args| args.split_whitespace().map(str::to_owned).collect())
        .collect()
}

/// Runs `cargo` with `args` in `dir`; fails the test unless it succeeds.
/// It runs without the variables cargo set for this test (`CARGO_MANIFEST_DIR`, `CARGO_PKG_*`, ...),
/// as from a shell: build scripts that watch them (ring's) would otherwise rebuild, here and in the
/// next build of the examples, every time.
fn cargo(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO"));
    let set_by_cargo = [
        "CARGO_MANIFEST_",
        "CARGO_PKG_",
        "CARGO_CRATE_",
        "CARGO_PRIMARY_",
        "CARGO_BIN_",
        "CARGO_TARGET_TMPDIR",
        "CARGO_RUSTC_",
    ];
    for (name, _) in std::env::vars_os() {
        if set_by_cargo
            .iter()
            .any(|prefix| name.to_string_lossy().starts_with(prefix))
        {
            command.env_remove(name);
        }
    }
    let out = command
        .args(args)
        .current_dir(dir)
        .envs(env.iter().copied())
        .output()
        .expect("cargo runs");
    let show = |bytes: &[u8]| String::from_utf8_lossy(bytes).into_owned();
    assert!(
        out.status.success(),
        "cargo {args:?}:\n{}\n{}",
        show(&out.stdout),
        show(&out.stderr)
    );
    out
}

#[tokio::test]
async fn a_fresh_cargo_project_runs_the_readme_quickstart_against_the_mock() {
    let root = repo_root().canonicalize().expect("the repository");
    let readme = std::fs::read_to_string(root.join("README.md")).expect("the README");
    let rust = section(&readme, "## Rust");
    let quickstart = block(rust, "rust");

    let target = root.join("target");
    let project = target.join("quickstart");
    let _ = std::fs::remove_dir_all(&project);
    cargo(
        &target,
        &["new", "--quiet", "--name", "quickstart", "quickstart"],
        &[],
    );
    // Its own workspace, so that it stands alone whatever the repository's Cargo.toml says.
    let manifest = std::fs::read_to_string(project.join("Cargo.toml")).expect("Cargo.toml");
    std::fs::write(
        project.join("Cargo.toml"),
        format!("{manifest}\n[workspace]\n"),
    )
    .expect("Cargo.toml");
    let adds = cargo_adds(&format!("{}{quickstart}", block(rust, "sh")));
    assert!(
        adds.iter().flatten().any(|arg| arg == "getgist"),
        "the README installs getgist: {adds:?}"
    );
    for args in adds {
        // getgist from this repository: the same command, with the crate by path.
        let others: Vec<&str> = args
            .iter()
            .map(String::as_str)
            .filter(|&arg| arg != "getgist")
            .collect();
        if others.len() < args.len() {
            cargo(
                &project,
                &[
                    "add",
                    "--quiet",
                    "--offline",
                    "getgist",
                    "--path",
                    &root.display().to_string(),
                ],
                &[],
            );
        }
        if others.iter().any(|arg| !arg.starts_with('-')) {
            cargo(
                &project,
                &[["add", "--quiet", "--offline"].as_slice(), &others].concat(),
                &[],
            );
        }
    }
    std::fs::write(project.join("src/main.rs"), &quickstart).expect("main.rs");

    let mock = MockGist::start().expect("the mock starts");
    // Built beside the examples and the crate (in CARGO_TARGET_DIR when set, as theirs): what has the
    // same features is reused.
    let target_dir =
        std::env::var("CARGO_TARGET_DIR").unwrap_or_else(|_| target.display().to_string());
    let env = [
        ("CARGO_TARGET_DIR", target_dir.as_str()),
        ("GIST_API_KEY", MOCK_KEY),
        ("GIST_BASE_URL", &mock.url),
    ];
    let out = cargo(&project, &["run", "--quiet", "--offline"], &env);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout
            .lines()
            .next()
            .is_some_and(|line| line.ends_with(" Some(\"42\")")),
        "the user created: {stdout}"
    );
    assert!(
        stdout.contains("Some(\"ada@example.com\")"),
        "the walk lists her: {stdout}"
    );
    assert!(
        stdout
            .lines()
            .filter(|line| line.ends_with("@example.com\")"))
            .count()
            > 100,
        "a walk of many pages: {stdout}"
    );
    assert!(stdout.trim_end().ends_with("no such user"), "{stdout}");
    let created = mock.requests().await.expect("the mock's log");
    assert!(
        created
            .iter()
            .any(|r| r["method"] == "POST" && r["path"] == "/contacts"),
        "it called the mock"
    );
}
