//! An axum service on the getgist crate: `POST /signup` upserts the new user in Gist, and
//! `POST /webhooks/gist` receives Gist's webhooks, verified (401 when not), parsed (400 when not a
//! delivery), answered at once, and each contact event recorded back in Gist as a tracked event.
//!
//! Run: `GIST_API_KEY=... GIST_WEBHOOK_SECRET=... cargo run -p rust-axum -- [--addr 127.0.0.1:3000]`
//! from `examples/` (`GIST_BASE_URL` points it at another API, such as the mock; the secret may be a
//! comma-separated list, for rotation). It prints `listening on http://<addr>` once it listens.

use std::error::Error;
use std::sync::Arc;

use getgist::{Client, Encoding, Scheme, VerifyOptions};

mod routes;

/// What every request's handler shares.
pub struct App {
    /// The Gist client (`Clone + Send + Sync`: one for the whole service).
    pub gist: Client,
    /// How deliveries prove they come from Gist: the secret in Gist's webhook header.
    pub verify: VerifyOptions,
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    let env = |name: &str| std::env::var(name).map_err(|_| format!("{name} is not set"));
    let mut gist = Client::builder(&env("GIST_API_KEY")?);
    if let Ok(url) = std::env::var("GIST_BASE_URL") {
        gist = gist.base_url(url);
    }
    let secrets = env("GIST_WEBHOOK_SECRET")?
        .split(',')
        .map(str::to_owned)
        .collect();
    let app = App {
        gist: gist.build()?,
        verify: VerifyOptions::new(secrets, Scheme::Token, None, Encoding::Hex)?,
    };
    let args: Vec<String> = std::env::args().collect();
    let addr = match args.iter().position(|arg| arg == "--addr") {
        Some(i) => args.get(i + 1).cloned().ok_or("--addr needs an address")?,
        None => "127.0.0.1:3000".to_owned(),
    };
    let listener = tokio::net::TcpListener::bind(&addr).await?;
    println!("listening on http://{}", listener.local_addr()?);
    axum::serve(listener, routes::router(Arc::new(app))).await?;
    Ok(())
}
