//! `tenantree serve`: HTTP/1.1 in front of the transport-free dispatcher of `tenantree-api`.
//!
//! The server is a thin shell: axum accepts connections and reads whole request bodies, and
//! every request is answered by [`tenantree_api::Api::handle`] on a blocking thread (the
//! dispatcher runs redb transactions synchronously). It prints `listening on ADDR` once bound
//! (the real address, so `--listen 127.0.0.1:0` can be used to pick a free port) and then one
//! line per request on standard output: method, path, status and milliseconds.

use std::io::Write;
use std::net::SocketAddr;
use std::time::Instant;

use axum::body::{Body, to_bytes};
use axum::http::{HeaderName, HeaderValue, StatusCode};
use tenantree::{Error, Preset, Store};
use tenantree_api::{Api, Config, Request};

use crate::{Cli, Outcome};

/// The largest request body the server reads (bodies are small JSON documents).
const MAX_BODY: usize = 4 * 1024 * 1024;

/// `serve` arguments.
#[derive(clap::Args, Debug)]
pub(crate) struct ServeArgs {
    /// The address to listen on (port 0: any free port, printed at start).
    #[arg(long, default_value = "127.0.0.1:8887")]
    pub(crate) listen: String,
    /// A bearer token ensured at start as a store-wide system administrator's token
    /// (16 to 256 printable ASCII characters).
    #[arg(long, env = "TENANTREE_ADMIN_TOKEN")]
    pub(crate) admin_token: String,
    /// The instance name: 003's `{draas_instance}` and the name of the platform root.
    #[arg(long, default_value = "default")]
    pub(crate) instance: String,
    /// The username of the administrator account the admin token belongs to.
    #[arg(long, default_value = "tenantree-admin")]
    pub(crate) admin_user: String,
}

fn storage(what: &str, e: impl std::fmt::Display) -> Error {
    Error::Storage { message: format!("{what}: {e}") }
}

/// Opens (or creates, with the seeds schema) the store, sets the dispatcher up and serves
/// until interrupted (Ctrl-C or SIGTERM).
pub(crate) fn serve(cli: &Cli, args: &ServeArgs) -> Outcome<()> {
    let store = Store::builder().preset(Preset::Seeds).open(&cli.db)?;
    let config = Config { instance: args.instance.clone(), ..Config::default() };
    let api = Api::open(store, config)?;
    api.ensure_admin_token(&args.admin_user, &args.admin_token)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| storage("cannot start the runtime", e))?;
    runtime.block_on(run(api, &args.listen))?;
    Ok(())
}

async fn run(api: Api, listen: &str) -> Result<(), Error> {
    let listener =
        tokio::net::TcpListener::bind(listen).await.map_err(|e| storage(&format!("cannot listen on {listen}"), e))?;
    let local: SocketAddr = listener.local_addr().map_err(|e| storage("no local address", e))?;
    say(&format!("listening on http://{local} (instance {:?})", api.instance()));
    let app = axum::Router::new().fallback(move |req: axum::extract::Request| answer(api.clone(), req));
    axum::serve(listener, app).with_graceful_shutdown(stopped()).await.map_err(|e| storage("server failed", e))?;
    say("stopped");
    Ok(())
}

/// Resolves on Ctrl-C or SIGTERM.
async fn stopped() {
    #[cfg(unix)]
    {
        let term = async {
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(mut s) => {
                    s.recv().await;
                }
                Err(_) => std::future::pending::<()>().await,
            }
        };
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            () = term => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// One line on standard output, flushed at once (a log read through a pipe).
fn say(line: &str) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{line}");
    let _ = out.flush();
}

async fn answer(api: Api, req: axum::extract::Request) -> axum::response::Response {
    let started = Instant::now();
    let (parts, body) = req.into_parts();
    let method = parts.method.as_str().to_owned();
    let path = parts.uri.path_and_query().map_or_else(|| parts.uri.path().to_owned(), |p| p.as_str().to_owned());
    let headers = parts
        .headers
        .iter()
        .filter_map(|(n, v)| v.to_str().ok().map(|v| (n.as_str().to_owned(), v.to_owned())))
        .collect();
    let response = match to_bytes(body, MAX_BODY).await {
        Ok(bytes) => {
            let request = Request { method: method.clone(), path: path.clone(), headers, body: bytes.to_vec() };
            match tokio::task::spawn_blocking(move || api.handle(&request)).await {
                Ok(r) => r,
                Err(_) => failure(500, "INTERNAL", "the request handler failed"),
            }
        }
        Err(_) => failure(413, "INVALID_ARGUMENT", "the request body is too large or could not be read"),
    };
    say(&format!("{method} {path} {} {}ms", response.status, started.elapsed().as_millis()));
    to_http(&response)
}

fn failure(status: u16, code: &str, message: &str) -> tenantree_api::Response {
    tenantree_api::Response::json(status, serde_json::json!({"code": code, "message": message, "details": {}}))
}

fn to_http(r: &tenantree_api::Response) -> axum::response::Response {
    let mut out = axum::response::Response::new(Body::from(r.body_bytes()));
    *out.status_mut() = StatusCode::from_u16(r.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    for (name, value) in &r.headers {
        if let (Ok(n), Ok(v)) = (HeaderName::try_from(name.as_str()), HeaderValue::try_from(value.as_str())) {
            out.headers_mut().append(n, v);
        }
    }
    out
}
