//! The package's mock Gist API (`pkg-template/mock-server.js`), run by Node on a free loopback port
//! for the length of one test, and a listener that only counts who reaches it.

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

pub const KEY: &str = "mock-key";

/// The mock, stopped when dropped.
pub struct Mock {
    child: Child,
    pub url: String,
    http: reqwest::Client,
}

impl Mock {
    /// Starts the mock and waits until it answers.
    pub async fn start() -> Self {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .expect("a free port")
            .port();
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/pkg-template/mock-server.js");
        let child = Command::new("node")
            .args([script, "--port", &port.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("node runs the mock (pkg-template/mock-server.js)");
        let mock = Self {
            child,
            url: format!("http://127.0.0.1:{port}"),
            http: reqwest::Client::new(),
        };
        for _ in 0..100 {
            if mock.control("/__mock/reset", "{}").await.is_ok() {
                return mock;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("the mock did not start on {}", mock.url);
    }

    async fn control(&self, path: &str, body: &str) -> Result<(), reqwest::Error> {
        self.http
            .post(format!("{}{path}", self.url))
            .header("content-type", "application/json")
            .body(body.to_owned())
            .send()
            .await?
            .error_for_status()
            .map(drop)
    }

    /// Makes the next matching requests fail: a rule of `/__mock/fail` (JSON).
    pub async fn fail(&self, rule: &str) {
        self.control("/__mock/fail", rule).await.expect("rule set");
    }

    /// The API requests the mock received, as `METHOD /path`.
    pub async fn requests(&self) -> Vec<String> {
        let text = self
            .http
            .get(format!("{}/__mock/requests", self.url))
            .send()
            .await
            .expect("log")
            .text()
            .await
            .expect("text");
        let log: serde_json::Value = serde_json::from_str(&text).expect("JSON");
        log["requests"]
            .as_array()
            .expect("a list")
            .iter()
            .map(|r| {
                format!(
                    "{} {}",
                    r["method"].as_str().unwrap(),
                    r["path"].as_str().unwrap()
                )
            })
            .collect()
    }
}

impl Drop for Mock {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A loopback listener that accepts connections and counts them, answering nothing: "another host"
/// that the key must never reach.
pub struct Elsewhere {
    pub url: String,
    pub connections: Arc<AtomicUsize>,
}

impl Elsewhere {
    pub async fn start() -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let url = format!(
            "http://127.0.0.1:{}",
            listener.local_addr().expect("addr").port()
        );
        let connections = Arc::new(AtomicUsize::new(0));
        let counted = Arc::clone(&connections);
        tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                counted.fetch_add(1, Ordering::SeqCst);
                drop(socket);
            }
        });
        Self { url, connections }
    }

    pub fn reached(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }
}

/// A loopback server that reads each request's head, then hands its socket to `answer`; its URL.
async fn raw_server<F, Fut>(answer: F) -> String
where
    F: Fn(tokio::net::TcpStream) -> Fut + Copy + Send + 'static,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    use tokio::io::AsyncReadExt;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!(
        "http://127.0.0.1:{}",
        listener.local_addr().expect("addr").port()
    );
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut head = [0u8; 4096];
                let _ = socket.read(&mut head).await;
                answer(socket).await;
            });
        }
    });
    url
}

/// A loopback server whose every answer is a 200 with a JSON body that never ends (chunked).
pub async fn endless() -> String {
    raw_server(|mut socket| async move {
        use tokio::io::AsyncWriteExt;
        let start = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n";
        let chunk = format!("{:x}\r\n{}\r\n", 65_536, " ".repeat(65_536));
        let mut out = socket.write_all(start.as_bytes()).await;
        while out.is_ok() {
            out = socket.write_all(chunk.as_bytes()).await;
        }
    })
    .await
}

/// A loopback server whose every answer is `answer`, written as it is (a status line, headers, a body).
pub async fn answering<A: AsRef<[u8]> + Sync + ?Sized>(answer: &'static A) -> String {
    raw_server(move |mut socket| async move {
        use tokio::io::AsyncWriteExt;
        let _ = socket.write_all(answer.as_ref()).await;
    })
    .await
}

/// A loopback server whose every answer is `head` (a status line and headers, a body begun) and then
/// nothing more, its connection held open.
pub async fn stalling(head: &'static str) -> String {
    raw_server(move |mut socket| async move {
        use tokio::io::AsyncWriteExt;
        let _ = socket.write_all(head.as_bytes()).await;
        tokio::time::sleep(std::time::Duration::from_secs(30)).await;
    })
    .await
}
