//! A loopback HTTP/1.1 server that answers every request with the same JSON page, as fast as it can
//! (a thread per connection, keep-alive), so that a list's row measures the client, not the mock.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};

/// A running fixed-answer server; its threads end with the process.
pub struct FixedServer {
    /// Its base URL.
    pub url: String,
    log: Arc<Mutex<Vec<String>>>,
}

impl FixedServer {
    /// Serves `body` on a free loopback port.
    pub fn start(body: String) -> std::io::Result<FixedServer> {
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let url = format!("http://{}", listener.local_addr()?);
        let log = Arc::new(Mutex::new(Vec::new()));
        let answer = Arc::new(
            [format!("HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n", body.len()).into_bytes(), body.into_bytes()].concat(),
        );
        let shared = Arc::clone(&log);
        std::thread::spawn(move || {
            for stream in listener.incoming().map_while(Result::ok) {
                let (answer, log) = (Arc::clone(&answer), Arc::clone(&shared));
                std::thread::spawn(move || serve(stream, &answer, &log));
            }
        });
        Ok(FixedServer { url, log })
    }

    /// The requests received since the last call (`GET/path?query`), oldest first.
    pub fn take_requests(&self) -> Vec<String> {
        self.log
            .lock()
            .map(|mut log| std::mem::take(&mut *log))
            .unwrap_or_default()
    }
}

/// Answers each request of one connection (GETs: no body to read) until the client closes it.
fn serve(stream: TcpStream, answer: &[u8], log: &Mutex<Vec<String>>) {
    let _ = stream.set_nodelay(true);
    let mut reader = BufReader::new(match stream.try_clone() {
        Ok(stream) => stream,
        Err(_) => return,
    });
    let mut writer = stream;
    let mut line = String::new();
    loop {
        line.clear();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        let target: String = line.split(' ').take(2).collect();
        loop {
            let mut header = String::new();
            if reader.read_line(&mut header).unwrap_or(0) == 0 {
                return;
            }
            if header == "\r\n" {
                break;
            }
        }
        if let Ok(mut log) = log.lock() {
            log.push(target);
        }
        if writer.write_all(answer).is_err() {
            return;
        }
    }
}
