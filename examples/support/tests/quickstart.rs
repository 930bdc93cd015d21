//! The README's Rust quickstart as a user meets it: a fresh Cargo project (`target/quickstart/`) with
//! the README's `[dependencies]`, the crate by path, and the quickstart as its `src/main.rs`, built
//! and run against the mock on a loopback port.

use std::path::Path;
use std::process::Command;

use gist_examples_support::{repo_root, MockGist, MOCK_KEY};

/// The body of the first fenced block of `lang` in the README's section `heading` (its text up to the
/// next heading of its level).
fn block(readme: &str, heading: &str, lang: &str) -> String {
    let start = readme
        .find(&format!("\n{heading}\n"))
        .unwrap_or_else(|| panic!("the README has no {heading:?}"));
    let level = heading.split(' ').next().unwrap_or("##");
    let section = &readme[start + heading.len() + 2..];
    let section = &section[..section
        .find(&format!("\n{level} "))
        .unwrap_or(section.len())];
    let open = format!("```{lang}\n");
    let body = &section[section
        .find(&open)
        .unwrap_or_else(|| panic!("no ```{lang} block under {heading:?}"))
        + open.len()..];
    body[..body.find("```").expect("the block closes")].to_owned()
}

/// The README's dependency lines, with the crate taken from this repository.
fn dependencies(install: &str, root: &Path) -> String {
    let path = format!("path = {:?}", root.display().to_string());
    install
        .lines()
        .map(|line| match line.split_once('=') {
            Some((name, spec)) if name.trim() == "getgist" => match spec.trim().strip_prefix('{') {
                Some(table) => format!("getgist = {{ {path},{table}"),
                None => format!("getgist = {{ {path}, version = {} }}", spec.trim()),
            },
            _ => line.to_owned(),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The quickstart pointed at the mock, as the JS README's test points `fetch` at it: unless it reads
/// `GIST_BASE_URL` itself, its `Client::new(key)` becomes a builder with the mock's base URL. The
/// one change.
fn at_mock(code: &str) -> String {
    if code.contains("GIST_BASE_URL") {
        return code.to_owned();
    }
    let start = code
        .find("Client::new(")
        .expect("the quickstart makes a Client::new")
        + "Client::new(".len();
    let mut depth = 1;
    let end = start
        + code[start..]
            .find(|c| {
                depth += match c {
                    '(' => 1,
                    ')' => -1,
                    _ => 0,
                };
                depth == 0
            })
            .expect("Client::new( closes");
    let key = &code[start..end];
    let builder = format!("Client::builder({key}).base_url(std::env::var(\"GIST_BASE_URL\").expect(\"GIST_BASE_URL\")).build()");
    format!(
        "{}{builder}{}",
        &code[..start - "Client::new(".len()],
        &code[end + 1..]
    )
}

#[tokio::test]
async fn a_fresh_cargo_project_runs_the_readme_quickstart_against_the_mock() {
    let root = repo_root().canonicalize().expect("the repository");
    let readme = std::fs::read_to_string(root.join("README.md")).expect("the README");
    let install = block(&readme, "## Rust", "toml");
    let quickstart = block(&readme, "## Rust", "rust");

    let project = root.join("target/quickstart");
    let _ = std::fs::remove_dir_all(&project);
    std::fs::create_dir_all(project.join("src")).expect("the project");
    // Its own workspace, so that it stands alone whatever the repository's Cargo.toml says.
    let manifest = format!(
        "[package]\nname = \"quickstart\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[workspace]\n\n{}\n",
        dependencies(&install, &root)
    );
    std::fs::write(project.join("Cargo.toml"), manifest).expect("Cargo.toml");
    std::fs::write(project.join("src/main.rs"), at_mock(&quickstart)).expect("main.rs");

    let mock = MockGist::start().expect("the mock starts");
    let out = Command::new(env!("CARGO"))
        .args(["run", "--quiet"])
        .current_dir(&project)
        // Its builds beside the examples' (dependencies built with the same features are reused).
        .env("CARGO_TARGET_DIR", root.join("target"))
        .env("GIST_API_KEY", MOCK_KEY)
        .env("GIST_BASE_URL", &mock.url)
        .output()
        .expect("cargo runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let requests = mock.requests().await.expect("the mock's log");
    assert!(
        !requests.is_empty(),
        "the quickstart called the mock: {stdout}"
    );
}
