//! The package's mock Gist API (`pkg-template/mock-server.js`) in a child Node process on a free
//! loopback port, and the examples as child processes, for the examples' tests and the native bench.
//! Node must be on the PATH.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

/// The key the mock accepts.
pub const MOCK_KEY: &str = "mock-key";

/// A child process that serves HTTP and prints its base URL (`http://...`) on its first line of
/// output once it listens; dropping it stops the process.
pub struct Served {
    /// Its base URL, as it printed it.
    pub url: String,
    child: Child,
}

impl Served {
    /// Starts `command` and waits for the first line of its standard output.
    pub fn start(mut command: Command) -> std::io::Result<Served> {
        let mut child = command
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()?;
        let mut line = String::new();
        if let Some(stdout) = child.stdout.take() {
            let mut lines = BufReader::new(stdout);
            lines.read_line(&mut line)?;
            // The rest of its output, passed on: a closed pipe would fail its next print.
            std::thread::spawn(move || {
                lines
                    .lines()
                    .map_while(Result::ok)
                    .for_each(|line| eprintln!("{line}"))
            });
        }
        let url = line
            .split_whitespace()
            .find(|word| word.starts_with("http://"));
        match url {
            Some(url) => Ok(Served {
                url: url.to_owned(),
                child,
            }),
            None => {
                let _ = child.kill();
                let _ = child.wait();
                Err(std::io::Error::other(format!(
                    "{command:?} did not start: {line:?}"
                )))
            }
        }
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A running mock Gist API; dropping it stops it.
pub struct MockGist {
    /// Its base URL, `http://127.0.0.1:<port>`.
    pub url: String,
    _process: Served,
}

/// The repository's root (this crate is `examples/support`).
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

impl MockGist {
    /// Starts the mock on a free port and waits until it listens.
    pub fn start() -> std::io::Result<MockGist> {
        let mut command = Command::new("node");
        command
            .arg(repo_root().join("pkg-template/mock-server.js"))
            .args(["--port", "0"]);
        // It prints `mock Gist API on http://127.0.0.1:<port> (key: mock-key)` once it listens.
        let process = Served::start(command)?;
        Ok(MockGist {
            url: process.url.clone(),
            _process: process,
        })
    }

    /// The API requests it received since its start or last reset, oldest first
    /// (`{method, path, query, body}`; at most the latest 1000).
    pub async fn requests(&self) -> reqwest::Result<Vec<serde_json::Value>> {
        let log: serde_json::Value = self.control(reqwest::Method::GET, "requests", None).await?;
        Ok(log["requests"].as_array().cloned().unwrap_or_default())
    }

    /// Restores its seeded data set and forgets its request log and failure rules.
    pub async fn reset(&self) -> reqwest::Result<()> {
        self.control(reqwest::Method::POST, "reset", None)
            .await
            .map(drop)
    }

    /// Adds a failure rule (README's "Testing your integration with the mock"), such as
    /// `{"path": "/contacts", "delayMs": 20, "times": 1000}`.
    pub async fn fail(&self, rule: serde_json::Value) -> reqwest::Result<()> {
        self.control(reqwest::Method::POST, "fail", Some(rule))
            .await
            .map(drop)
    }

    async fn control(
        &self,
        method: reqwest::Method,
        route: &str,
        body: Option<serde_json::Value>,
    ) -> reqwest::Result<serde_json::Value> {
        let mut request =
            reqwest::Client::new().request(method, format!("{}/__mock/{route}", self.url));
        if let Some(body) = body {
            request = request
                .header("content-type", "application/json")
                .body(body.to_string());
        }
        let answer = request.send().await?.error_for_status()?;
        let bytes = answer.bytes().await?;
        Ok(serde_json::from_slice(&bytes).unwrap_or_default())
    }
}
