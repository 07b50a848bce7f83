//! Shared helpers of the integration tests: clients for the real servers the
//! testkit starts.

#![allow(dead_code)]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use newtera::Newtera;
use newtera_testkit::TestServer;

/// A tower layer that counts the requests reaching the HTTP layer (every
/// attempt, after signing): proof that something was, or was not, sent.
#[derive(Clone, Default)]
pub struct Count(pub Arc<AtomicUsize>);

impl Count {
    /// Requests seen so far.
    pub fn get(&self) -> usize {
        self.0.load(Ordering::SeqCst)
    }
}

impl<S> tower::Layer<S> for Count {
    type Service = Counted<S>;
    fn layer(&self, inner: S) -> Counted<S> {
        Counted(inner, self.0.clone())
    }
}

/// The service of [`Count`].
#[derive(Clone)]
pub struct Counted<S>(S, Arc<AtomicUsize>);

impl<S, R> tower::Service<R> for Counted<S>
where
    S: tower::Service<R>,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = S::Future;
    fn poll_ready(
        &mut self,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Result<(), S::Error>> {
        self.0.poll_ready(cx)
    }
    fn call(&mut self, req: R) -> S::Future {
        self.1.fetch_add(1, Ordering::SeqCst);
        self.0.call(req)
    }
}

/// A client for `server` with its keys.
pub fn client(server: &TestServer) -> Newtera {
    builder(server).build().expect("client")
}

/// A builder preset for `server` (endpoint, scheme, keys, CA).
pub fn builder(server: &TestServer) -> newtera::NewteraBuilder {
    let scheme = if server.secure { "https" } else { "http" };
    let mut b = Newtera::builder(format!("{scheme}://{}", server.endpoint))
        .access_key(server.access_key.clone())
        .secret_key(server.secret_key.clone());
    if let Some(ca) = &server.ca_pem {
        b = b.add_root_certificate_pem(ca);
    }
    b
}

/// A fresh bucket on `server`, created through the client.
pub async fn bucket(client: &Newtera, prefix: &str) -> String {
    let name = newtera_testkit::unique_bucket(prefix);
    client.make_bucket(&name).await.expect("make_bucket");
    name
}

/// Both general-purpose servers: garage (checks signatures) and moto.
///
/// `NEWTERA_TEST_ONLY=garage` or `=moto` narrows this to one server while
/// developing; `cargo xtask test` never sets it.
pub fn all_servers() -> Vec<&'static TestServer> {
    match std::env::var("NEWTERA_TEST_ONLY").as_deref() {
        Ok("garage") => vec![newtera_testkit::garage()],
        Ok("moto") => vec![newtera_testkit::moto()],
        _ => vec![newtera_testkit::garage(), newtera_testkit::moto()],
    }
}

/// The response future a [`Hook`] hands on.
pub type ResponseFuture = futures::future::BoxFuture<
    'static,
    Result<newtera::transport::HttpResponse, newtera::transport::TransportError>,
>;

/// What a [`Hook`] does with the inner service's response future.
pub type Then = Box<dyn FnOnce(ResponseFuture) -> ResponseFuture + Send>;

/// A test layer made of one function: it sees each request before it goes
/// down the stack and returns what to do with the inner service's response
/// future (pass it on, delay it, drop it, rewrite the response).
#[derive(Clone)]
pub struct Hook<F>(pub F);

/// Hands the response on unchanged.
pub fn pass() -> Then {
    Box::new(|fut| fut)
}

impl<S, F: Clone> tower::Layer<S> for Hook<F> {
    type Service = Hooked<S, F>;
    fn layer(&self, inner: S) -> Hooked<S, F> {
        Hooked(inner, self.0.clone())
    }
}

/// The service of [`Hook`].
#[derive(Clone)]
pub struct Hooked<S, F>(S, F);

impl<S, F> tower::Service<newtera::transport::HttpRequest> for Hooked<S, F>
where
    S: tower::Service<
            newtera::transport::HttpRequest,
            Response = newtera::transport::HttpResponse,
            Error = newtera::transport::TransportError,
        > + Send
        + 'static,
    S::Future: Send + 'static,
    F: Fn(&newtera::transport::HttpRequest) -> Then,
{
    type Response = newtera::transport::HttpResponse;
    type Error = newtera::transport::TransportError;
    type Future = ResponseFuture;

    fn poll_ready(
        &mut self,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Result<(), Self::Error>> {
        self.0.poll_ready(cx)
    }

    fn call(&mut self, req: newtera::transport::HttpRequest) -> ResponseFuture {
        let then = (self.1)(&req);
        then(Box::pin(self.0.call(req)))
    }
}

/// Is `req` a GET of a key ending in `/suffix`?
pub fn is_get_of(req: &newtera::transport::HttpRequest, suffix: &str) -> bool {
    req.method() == http::Method::GET
        && req
            .uri()
            .path()
            .strip_suffix(suffix)
            .is_some_and(|p| p.ends_with('/'))
}

/// `resp` with its body cut after `at` bytes by a connection reset, as a
/// dropped connection would.
pub async fn cut_after(
    resp: newtera::transport::HttpResponse,
    at: usize,
) -> Result<newtera::transport::HttpResponse, newtera::transport::TransportError> {
    let (parts, body) = resp.into_parts();
    let all = body.collect(usize::MAX).await?;
    let frames: Vec<Result<http_body::Frame<bytes::Bytes>, std::io::Error>> = vec![
        Ok(http_body::Frame::data(all.slice(..at.min(all.len())))),
        Err(std::io::Error::new(
            std::io::ErrorKind::ConnectionReset,
            "cut by test",
        )),
    ];
    let body = http_body_util::StreamBody::new(futures::stream::iter(frames));
    Ok(http::Response::from_parts(
        parts,
        newtera::transport::ResponseBody::new(body),
    ))
}
