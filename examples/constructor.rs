//! Every constructor example of the API reference: an anonymous client, a
//! client with access and secret keys, one with a region, and one with a
//! custom HTTP client going through a proxy.
//!
//! ```text
//! cargo run --example constructor
//! ```
//! The reference's endpoints (play.min.io, s3.amazonaws.com, …) are only
//! constructed, never contacted; each kind of client is then also built for
//! `NEWTERA_ENDPOINT` when set, else an embedded S3 server, and used.
//!
//! The Python client takes a `urllib3.ProxyManager` as `http_client`. In Rust
//! the HTTP stack is tower: `NewteraBuilder::layer(..)` adds a tower layer
//! that sees every attempt (already signed) just above the HTTP client, and
//! `NewteraBuilder::http_client(..)` replaces the HTTP client itself with any
//! `tower::Service<http::Request<Body>>`. Signing, retries and timeouts stay
//! in place above either. Here both route every request through a small
//! TCP-forwarding proxy started in this process.

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use newtera::transport::{
    HttpRequest, HttpResponse, HttpService, RetryConfig, Transport, TransportError,
};
use newtera::Newtera;

/// A tower layer that sends every request to `proxy` (`host:port`) instead
/// of the endpoint, keeping the endpoint's `Host` header (which the request
/// was signed with). It stands in for a forward proxy.
#[derive(Clone)]
struct ViaProxy {
    proxy: http::uri::Authority,
    seen: Arc<AtomicUsize>,
}

impl<S> tower::Layer<S> for ViaProxy {
    type Service = ViaProxyService<S>;
    fn layer(&self, inner: S) -> Self::Service {
        ViaProxyService {
            inner,
            layer: self.clone(),
        }
    }
}

#[derive(Clone)]
struct ViaProxyService<S> {
    inner: S,
    layer: ViaProxy,
}

impl<S> tower::Service<HttpRequest> for ViaProxyService<S>
where
    S: tower::Service<HttpRequest, Response = HttpResponse, Error = TransportError>,
{
    type Response = HttpResponse;
    type Error = TransportError;
    type Future = S::Future;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), TransportError>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut req: HttpRequest) -> Self::Future {
        self.layer.seen.fetch_add(1, Ordering::SeqCst);
        let signed = req.headers().contains_key(http::header::AUTHORIZATION);
        println!(
            "  [via proxy {}] {} {} (signed: {signed})",
            self.layer.proxy,
            req.method(),
            req.uri()
        );
        if let Some(authority) = req.uri().authority().cloned() {
            if !req.headers().contains_key(http::header::HOST) {
                if let Ok(v) = http::HeaderValue::from_str(authority.as_str()) {
                    req.headers_mut().insert(http::header::HOST, v);
                }
            }
            let mut parts = req.uri().clone().into_parts();
            parts.authority = Some(self.layer.proxy.clone());
            if let Ok(uri) = http::Uri::from_parts(parts) {
                *req.uri_mut() = uri;
            }
        }
        self.inner.call(req)
    }
}

/// A TCP-forwarding proxy on a free 127.0.0.1 port that forwards every
/// connection to `upstream` and counts them. It stops with the runtime.
async fn start_proxy(upstream: String) -> std::io::Result<(String, Arc<AtomicUsize>)> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?.to_string();
    let connections = Arc::new(AtomicUsize::new(0));
    let count = connections.clone();
    tokio::spawn(async move {
        while let Ok((mut client, _)) = listener.accept().await {
            count.fetch_add(1, Ordering::SeqCst);
            let upstream = upstream.clone();
            tokio::spawn(async move {
                if let Ok(mut server) = tokio::net::TcpStream::connect(&upstream).await {
                    let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
                }
            });
        }
    });
    Ok((addr, connections))
}

/// urllib3's `Retry(total=5, backoff_factor=0.2, status_forcelist=[500,
/// 502, 503, 504])`: five retries after the first attempt, backing off from
/// 200 ms. (Newtera always retries 500, 502, 503, 504 and 429 on replayable
/// requests.)
fn reference_retries() -> RetryConfig {
    RetryConfig {
        max_attempts: 6,
        initial_backoff: Duration::from_millis(200),
        ..RetryConfig::default()
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    println!("Create client with anonymous access.");
    let client = Newtera::builder("play.min.io").build()?;
    println!("  {client:?}");

    println!("Create client with access and secret key.");
    let client = Newtera::new("s3.amazonaws.com", "ACCESS-KEY", "SECRET-KEY")?;
    println!("  {client:?}");

    println!("Create client with access key and secret key with specific region.");
    let client = Newtera::builder("play.newtera.io:9000")
        .access_key("Q3AM3UQ867SPQQA43P2F")
        .secret_key("zuf+tfteSlswRu7BJ86wekitnifILbZam1KYY3TG")
        .region("my-region")
        .build()?;
    println!("  region {:?}: {client:?}", client.region());

    println!("Create client with custom HTTP client using proxy server.");
    let client = Newtera::builder("SERVER:9000") // the reference's SERVER:PORT
        .access_key("ACCESS_KEY")
        .secret_key("SECRET_KEY")
        .secure(true)
        .cert_check(true)
        .retry(reference_retries())
        .layer(ViaProxy {
            proxy: http::uri::Authority::from_static("PROXYSERVER:8443"),
            seen: Arc::default(),
        })
        .build()?;
    println!("  {client:?}");

    // Now the same kinds of client against a server that answers.
    let setup = common::setup().await?;
    println!("Using {}:", setup.endpoint);

    println!("An anonymous client.");
    let anonymous = Newtera::builder(setup.endpoint.clone()).build()?;
    match anonymous.list_buckets().await {
        Ok(buckets) => println!("  list_buckets: {} buckets", buckets.len()),
        Err(e) => println!("  the server refuses anonymous list_buckets: {e}"),
    }

    println!("A client with access and secret key.");
    let bucket = "newtera-example-constructor";
    common::ensure_bucket(&setup.client, bucket).await?;
    let buckets = setup.client.list_buckets().await?;
    println!(
        "  list_buckets: {:?}",
        buckets.iter().map(|b| &b.name).collect::<Vec<_>>()
    );

    println!("A client with a specific region.");
    let region = setup
        .client
        .region()
        .unwrap_or(newtera::DEFAULT_REGION)
        .to_owned();
    let regional = setup.builder().region(region.clone()).build()?;
    println!(
        "  region {region}: bucket_exists({bucket}) = {}",
        regional.bucket_exists(bucket).await?
    );

    println!("A client whose requests go through a proxy.");
    let url: http::Uri = setup.endpoint.parse()?;
    let plain =
        url.scheme_str() == Some("http") || (url.scheme().is_none() && !setup.client.is_secure());
    match (url.host(), plain) {
        (Some(host), true) => {
            let upstream = format!("{host}:{}", url.port_u16().unwrap_or(80));
            let (proxy_addr, connections) = start_proxy(upstream).await?;
            let proxy: http::uri::Authority = proxy_addr.parse()?;

            // 1. A tower layer above the built-in HTTP client.
            let seen = Arc::new(AtomicUsize::new(0));
            let via_layer = setup
                .builder()
                .retry(reference_retries())
                .request_timeout(Some(Duration::from_secs(30)))
                .layer(ViaProxy {
                    proxy: proxy.clone(),
                    seen: seen.clone(),
                })
                .build()?;
            via_layer
                .put_object(bucket, "via-proxy.txt", "sent through a proxy")
                .await?;
            let body = via_layer
                .get_object(bucket, "via-proxy.txt")
                .await?
                .bytes()
                .await?;
            println!(
                "  .layer(..): read back {:?}; {} requests seen by the layer",
                String::from_utf8_lossy(&body),
                seen.load(Ordering::SeqCst)
            );

            // 2. A replacement HTTP client: any tower service from
            //    http::Request<Body> to http::Response<ResponseBody>. Here:
            //    a bare transport (no credentials, no retries) wrapped in the
            //    proxy routing; the client still signs and retries above it.
            let bare = Transport::builder()
                .retry(RetryConfig::disabled())
                .build()?
                .service();
            let seen = Arc::new(AtomicUsize::new(0));
            let custom: HttpService = HttpService::new(tower::Layer::layer(
                &ViaProxy {
                    proxy,
                    seen: seen.clone(),
                },
                bare,
            ));
            let via_client = setup
                .builder()
                .retry(reference_retries())
                .http_client(custom)
                .build()?;
            let st = via_client.stat_object(bucket, "via-proxy.txt").await?;
            via_client.remove_object(bucket, "via-proxy.txt").await?;
            println!(
                "  .http_client(..): stat size {:?}, then removed; {} requests seen by the \
                 custom client",
                st.size,
                seen.load(Ordering::SeqCst)
            );
            println!(
                "  the proxy forwarded {} connection(s)",
                connections.load(Ordering::SeqCst)
            );
        }
        _ => println!(
            "  skipped: the in-process proxy of this example forwards plain HTTP only, and \
             {} is not a plain-HTTP endpoint",
            setup.endpoint
        ),
    }

    println!("Clean up.");
    common::remove_bucket_and_objects(&setup.client, bucket).await?;
    println!("  done");
    Ok(())
}
