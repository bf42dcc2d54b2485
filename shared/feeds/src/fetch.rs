//! Fetching a feed from a URL a user typed, safely: http or https only, every
//! address the host resolves to checked by [`crate::address`] when the
//! connection is made (so the address checked is the address used, at the
//! first request and after each redirect), at most [`Limits::redirects`]
//! redirects, [`Limits::bytes`] of body and [`Limits::time`] in all.

use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use http::{Request, StatusCode, Uri, header};
use http_body_util::{BodyExt, Empty, Limited};
use hyper::body::Bytes;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::connect::dns::Name;
use hyper_util::rt::TokioExecutor;

use crate::address::{self, Refused};

/// How far a fetch may go.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub bytes: usize,
    pub time: Duration,
    pub redirects: u8,
    /// Which addresses may be connected to: [`address::check`], or for a
    /// local platform whose test feeds are served on loopback,
    /// [`Limits::local`]'s rule, never in a deployment.
    pub permit: fn(IpAddr) -> Result<(), Refused>,
}

impl Limits {
    /// The limits with the address check lifted (`berth serve
    /// --allow-private-feeds`).
    pub fn local() -> Self {
        Self {
            permit: |_| Ok(()),
            ..Self::default()
        }
    }
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            bytes: 1024 * 1024,
            time: Duration::from_secs(10),
            redirects: 3,
            permit: address::check,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FetchError {
    #[error("{0:?} is not an http or https URL")]
    NotHttp(String),
    #[error("{host} resolves to {address}, which a feed may not be fetched from: {reason}")]
    Refused {
        host: String,
        address: IpAddr,
        reason: Refused,
    },
    #[error("{0} does not resolve to any address")]
    NoAddress(String),
    #[error("the feed answered HTTP {0}")]
    Status(u16),
    #[error("the feed is larger than {0} bytes")]
    TooLarge(usize),
    #[error("the feed did not arrive within {0:?}")]
    TimedOut(Duration),
    #[error("the feed redirected more than {0} times")]
    TooManyRedirects(u8),
    #[error("the feed is not UTF-8 text")]
    NotText,
    #[error("the feed could not be fetched: {0}")]
    Transport(String),
}

/// Checks that `url` could be fetched: its form, and every address its host
/// resolves to now. For registration; [`fetch`] checks again each time.
pub async fn check_url(url: &str, limits: Limits) -> Result<Uri, FetchError> {
    let uri = parse(url)?;
    let host = uri.host().unwrap_or_default().to_owned();
    let port = uri.port_u16().unwrap_or(443);
    resolve(&host, port, limits.permit).await?;
    Ok(uri)
}

/// The feed at `url`, as text.
pub async fn fetch(url: &str, limits: Limits) -> Result<String, FetchError> {
    tokio::time::timeout(limits.time, fetch_following(url, limits))
        .await
        .map_err(|_| FetchError::TimedOut(limits.time))?
}

async fn fetch_following(url: &str, limits: Limits) -> Result<String, FetchError> {
    let client = client(limits.permit)?;
    let mut uri = parse(url)?;
    for _ in 0..=limits.redirects {
        check_literal(&uri, limits.permit)?;
        let request = Request::get(uri.clone())
            .header(header::USER_AGENT, "Berth calendar sync")
            .header(header::ACCEPT, "text/calendar, */*;q=0.5")
            .body(Empty::<Bytes>::new())
            .map_err(|error| FetchError::Transport(error.to_string()))?;
        let response = client.request(request).await.map_err(explain)?;
        let status = response.status();
        if status.is_redirection() {
            uri = redirect_target(&uri, response.headers())?;
            continue;
        }
        if status != StatusCode::OK {
            return Err(FetchError::Status(status.as_u16()));
        }
        let body = Limited::new(response.into_body(), limits.bytes)
            .collect()
            .await
            .map_err(|error| {
                if error.is::<http_body_util::LengthLimitError>() {
                    FetchError::TooLarge(limits.bytes)
                } else {
                    FetchError::Transport(error.to_string())
                }
            })?
            .to_bytes();
        return String::from_utf8(body.to_vec()).map_err(|_| FetchError::NotText);
    }
    Err(FetchError::TooManyRedirects(limits.redirects))
}

fn parse(url: &str) -> Result<Uri, FetchError> {
    let uri: Uri = url
        .trim()
        .parse()
        .map_err(|_| FetchError::NotHttp(url.to_owned()))?;
    let http = matches!(uri.scheme_str(), Some("http" | "https"));
    if !http || uri.host().is_none_or(str::is_empty) {
        return Err(FetchError::NotHttp(url.to_owned()));
    }
    Ok(uri)
}

/// The connector resolves names through [`CheckedResolver`] but connects to
/// an address literal directly: check those here.
fn check_literal(uri: &Uri, permit: fn(IpAddr) -> Result<(), Refused>) -> Result<(), FetchError> {
    let host = uri.host().unwrap_or_default();
    let literal = host.trim_start_matches('[').trim_end_matches(']');
    match literal.parse::<IpAddr>() {
        Ok(address) => permit(address).map_err(|reason| FetchError::Refused {
            host: host.to_owned(),
            address,
            reason,
        }),
        Err(_) => Ok(()),
    }
}

fn redirect_target(from: &Uri, headers: &http::HeaderMap) -> Result<Uri, FetchError> {
    let location = headers
        .get(header::LOCATION)
        .and_then(|value| value.to_str().ok())
        .ok_or_else(|| FetchError::Transport("a redirect without a Location".into()))?;
    if location.starts_with('/') && !location.starts_with("//") {
        let scheme = from.scheme_str().unwrap_or("https");
        let authority = from.authority().map(|a| a.as_str()).unwrap_or_default();
        return parse(&format!("{scheme}://{authority}{location}"));
    }
    parse(location)
}

type Https = hyper_rustls::HttpsConnector<HttpConnector<CheckedResolver>>;

fn client(
    permit: fn(IpAddr) -> Result<(), Refused>,
) -> Result<Client<Https, Empty<Bytes>>, FetchError> {
    let mut http = HttpConnector::new_with_resolver(CheckedResolver { permit });
    http.enforce_http(false);
    http.set_connect_timeout(Some(Duration::from_secs(5)));
    let https = hyper_rustls::HttpsConnectorBuilder::new()
        .with_provider_and_native_roots(rustls::crypto::ring::default_provider())
        .map_err(|error| FetchError::Transport(error.to_string()))?
        .https_or_http()
        .enable_http1()
        .wrap_connector(http);
    Ok(Client::builder(TokioExecutor::new()).build(https))
}

/// The error a refused resolution carries through hyper, found again by
/// [`explain`].
#[derive(Debug)]
struct Unreachable(FetchError);

impl std::fmt::Display for Unreachable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl std::error::Error for Unreachable {}

fn explain(error: hyper_util::client::legacy::Error) -> FetchError {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(&error);
    while let Some(current) = source {
        // An io::Error hides what it wraps from source(): ask it directly.
        let wrapped = current
            .downcast_ref::<std::io::Error>()
            .and_then(std::io::Error::get_ref)
            .and_then(|inner| inner.downcast_ref::<Unreachable>());
        if let Some(Unreachable(cause)) = wrapped.or_else(|| current.downcast_ref()) {
            return cause.clone();
        }
        source = current.source();
    }
    FetchError::Transport(error.to_string())
}

/// Resolves a host, refusing it when any address it resolves to is refused
/// (a host that resolves to a public and a private address is refused: which
/// one a connection would use is not ours to choose).
async fn resolve(
    host: &str,
    port: u16,
    permit: fn(IpAddr) -> Result<(), Refused>,
) -> Result<Vec<SocketAddr>, FetchError> {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let addresses: Vec<SocketAddr> = tokio::net::lookup_host((host, port))
        .await
        .map_err(|_| FetchError::NoAddress(host.to_owned()))?
        .collect();
    if addresses.is_empty() {
        return Err(FetchError::NoAddress(host.to_owned()));
    }
    for address in &addresses {
        permit(address.ip()).map_err(|reason| FetchError::Refused {
            host: host.to_owned(),
            address: address.ip(),
            reason,
        })?;
    }
    Ok(addresses)
}

#[derive(Debug, Clone, Copy)]
struct CheckedResolver {
    permit: fn(IpAddr) -> Result<(), Refused>,
}

impl tower_service::Service<Name> for CheckedResolver {
    type Response = std::vec::IntoIter<SocketAddr>;
    type Error = std::io::Error;
    type Future =
        Pin<Box<dyn Future<Output = Result<Self::Response, Self::Error>> + Send + 'static>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, name: Name) -> Self::Future {
        let permit = self.permit;
        Box::pin(async move {
            // The connector sets the port; 0 here is replaced by it.
            resolve(name.as_str(), 0, permit)
                .await
                .map(Vec::into_iter)
                .map_err(|error| std::io::Error::other(Unreachable(error)))
        })
    }
}

#[cfg(test)]
mod tests {
    use std::net::Ipv4Addr;

    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::TcpListener;

    use super::*;

    /// A server on 127.0.0.1 answering every request with `answer(path)`.
    async fn serve(answer: fn(&str, u16) -> String) -> u16 {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
            .await
            .expect("bind");
        let port = listener.local_addr().expect("address").port();
        tokio::spawn(async move {
            while let Ok((mut socket, _)) = listener.accept().await {
                tokio::spawn(async move {
                    let mut head = Vec::new();
                    let mut buffer = [0u8; 1024];
                    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                        match socket.read(&mut buffer).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => head.extend_from_slice(&buffer[..n]),
                        }
                    }
                    let head = String::from_utf8_lossy(&head);
                    let path = head.split_whitespace().nth(1).unwrap_or("/").to_owned();
                    let reply = answer(&path, port);
                    if !reply.is_empty() {
                        let _ = socket.write_all(reply.as_bytes()).await;
                    } else {
                        // Hang: hold the connection open without answering.
                        let _ = socket.read(&mut buffer).await;
                    }
                });
            }
        });
        port
    }

    fn ok(body: &str) -> String {
        format!(
            "HTTP/1.1 200 OK\r\ncontent-type: text/calendar\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
            body.len()
        )
    }

    fn redirect(to: &str) -> String {
        format!("HTTP/1.1 302 Found\r\nlocation: {to}\r\ncontent-length: 0\r\n\r\n")
    }

    fn local() -> Limits {
        Limits::local()
    }

    fn feed_server(path: &str, _: u16) -> String {
        match path {
            "/feed.ics" => ok("BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n"),
            "/moved" => redirect("/feed.ics"),
            "/loop" => redirect("/loop"),
            "/big" => ok(&"X".repeat(4096)),
            "/hang" => String::new(),
            _ => "HTTP/1.1 503 Service Unavailable\r\ncontent-length: 0\r\n\r\n".into(),
        }
    }

    #[tokio::test]
    async fn loopback_is_refused_unless_the_local_flag_allows_it() {
        let port = serve(feed_server).await;
        for url in [
            format!("http://127.0.0.1:{port}/feed.ics"),
            format!("http://localhost:{port}/feed.ics"),
        ] {
            let refused = fetch(&url, Limits::default()).await;
            assert!(
                matches!(
                    refused,
                    Err(FetchError::Refused {
                        reason: Refused::Loopback,
                        ..
                    })
                ),
                "{url}: {refused:?}"
            );
            assert!(matches!(
                check_url(&url, Limits::default()).await,
                Err(FetchError::Refused { .. })
            ));
            assert_eq!(
                fetch(&url, local()).await.as_deref(),
                Ok("BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n")
            );
        }
    }

    #[tokio::test]
    async fn every_hop_of_a_redirect_is_checked() {
        fn to_another_loopback(_: &str, port: u16) -> String {
            redirect(&format!("http://127.0.0.2:{port}/feed.ics"))
        }
        // Only 127.0.0.1 may be reached: the first hop passes, the hop it
        // redirects to (also on this machine, never contacted) is refused.
        fn only_first_hop(address: IpAddr) -> Result<(), Refused> {
            if address == IpAddr::V4(Ipv4Addr::LOCALHOST) {
                Ok(())
            } else {
                address::check(address)
            }
        }
        let port = serve(to_another_loopback).await;
        let limits = Limits {
            permit: only_first_hop,
            ..Limits::default()
        };
        let refused = fetch(&format!("http://127.0.0.1:{port}/start"), limits).await;
        assert!(
            matches!(&refused, Err(FetchError::Refused { host, reason: Refused::Loopback, .. }) if host == "127.0.0.2"),
            "{refused:?}"
        );
    }

    #[tokio::test]
    async fn redirects_are_followed_up_to_the_limit() {
        let port = serve(feed_server).await;
        let moved = fetch(&format!("http://127.0.0.1:{port}/moved"), local()).await;
        assert!(moved.is_ok(), "{moved:?}");
        let looped = fetch(&format!("http://127.0.0.1:{port}/loop"), local()).await;
        assert_eq!(looped, Err(FetchError::TooManyRedirects(3)));
    }

    #[tokio::test]
    async fn size_status_and_scheme_are_enforced() {
        let port = serve(feed_server).await;
        let small = Limits {
            bytes: 1024,
            ..local()
        };
        assert_eq!(
            fetch(&format!("http://127.0.0.1:{port}/big"), small).await,
            Err(FetchError::TooLarge(1024))
        );
        assert_eq!(
            fetch(&format!("http://127.0.0.1:{port}/gone"), local()).await,
            Err(FetchError::Status(503))
        );
        for url in [
            "ftp://example.com/feed.ics",
            "file:///etc/passwd",
            "/relative",
            "https://",
        ] {
            assert!(
                matches!(fetch(url, local()).await, Err(FetchError::NotHttp(_))),
                "{url}"
            );
        }
    }

    #[tokio::test]
    async fn a_feed_that_never_answers_times_out() {
        let port = serve(feed_server).await;
        let quick = Limits {
            time: Duration::from_millis(300),
            ..local()
        };
        assert_eq!(
            fetch(&format!("http://127.0.0.1:{port}/hang"), quick).await,
            Err(FetchError::TimedOut(Duration::from_millis(300)))
        );
    }
}
