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
