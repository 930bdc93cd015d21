//! The package's mock Gist API (`pkg-template/mock-server.js`) in a child Node process on a free
//! loopback port, for the examples' tests and the native bench. Node must be on the PATH.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

/// The key the mock accepts.
pub const MOCK_KEY: &str = "mock-key";

/// A running mock Gist API; dropping it stops the process.
pub struct MockGist {
    /// Its base URL, `http://127.0.0.1:<port>`.
    pub url: String,
    child: Child,
}

/// The repository's root (this crate is `examples/support`).
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

impl MockGist {
    /// Starts the mock on a free port and waits until it listens.
    pub fn start() -> std::io::Result<MockGist> {
        let script = repo_root().join("pkg-template/mock-server.js");
        let mut child = Command::new("node")
            .arg(script)
            .args(["--port", "0"])
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()?;
        // It prints `mock Gist API on http://127.0.0.1:<port> (key: mock-key)` once it listens.
        let mut line = String::new();
        if let Some(stdout) = child.stdout.take() {
            BufReader::new(stdout).read_line(&mut line)?;
        }
        let url = line
            .split_whitespace()
            .find(|word| word.starts_with("http://"))
            .map(str::to_owned);
        match url {
            Some(url) => Ok(MockGist { url, child }),
            None => {
                let _ = child.kill();
                Err(std::io::Error::other(format!(
                    "the mock did not start: {line:?}"
                )))
            }
        }
    }

    /// The API requests it received since its start or last reset, oldest first
    /// (`{method, path, query, body}`; at most the latest 1000).
    pub async fn requests(&self) -> reqwest::Result<Vec<serde_json::Value>> {
        let log: serde_json::Value = self.control(reqwest::Method::GET, "requests").await?;
        Ok(log["requests"].as_array().cloned().unwrap_or_default())
    }

    /// Restores its seeded data set and forgets its request log.
    pub async fn reset(&self) -> reqwest::Result<()> {
        self.control(reqwest::Method::POST, "reset").await.map(drop)
    }

    async fn control(
        &self,
        method: reqwest::Method,
        route: &str,
    ) -> reqwest::Result<serde_json::Value> {
        let answer = reqwest::Client::new()
            .request(method, format!("{}/__mock/{route}", self.url))
            .send()
            .await?
            .error_for_status()?;
        let bytes = answer.bytes().await?;
        Ok(serde_json::from_slice(&bytes).unwrap_or_default())
    }
}

impl Drop for MockGist {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
