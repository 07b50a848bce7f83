//! Retries against a real, signature-checking server (garage): a request is
//! retried after a 503 `SlowDown` and after a connection reset, each attempt
//! re-signed with a fresh `x-amz-date`, and succeeds; a 403 is not retried;
//! retries stop at the bound.

#![allow(clippy::unwrap_used)]

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use newtera::transport::{ErrorKind, HttpRequest, ResponseBody, RetryConfig, TransportError};

#[derive(Clone, Copy, PartialEq)]
enum Inject {
    SlowDown,
    Reset,
    Nothing,
}

fn fast(max_attempts: u32) -> RetryConfig {
    RetryConfig {
        max_attempts,
        initial_backoff: Duration::from_millis(10),
        max_backoff: Duration::from_millis(50),
        budget: None,
    }
}

/// Each attempt's (`x-amz-date`, `authorization`).
type Seen = Arc<Mutex<Vec<(String, String)>>>;

/// A hook that records each attempt's `x-amz-date` and `authorization`, and
/// fails the first `fail` attempts (after a pause of just over a second, so
/// the next attempt's date must differ) with `inject`.
fn recorder(
    inject: Inject,
    fail: usize,
) -> (
    common::Hook<impl Fn(&HttpRequest) -> common::Then + Clone + Send + Sync + 'static>,
    Seen,
) {
    let seen: Seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    let hook = move |req: &HttpRequest| -> common::Then {
        let header = |n: &str| {
            req.headers()
                .get(n)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .to_owned()
        };
        let n = {
            let mut seen = log.lock().unwrap();
            seen.push((header("x-amz-date"), header("authorization")));
            seen.len()
        };
        if n > fail || inject == Inject::Nothing {
            return common::pass();
        }
        Box::new(move |fut| {
            Box::pin(async move {
                tokio::time::sleep(Duration::from_millis(1100)).await;
                drop(fut);
                match inject {
                    Inject::SlowDown => {
                        let body = Bytes::from_static(
                            b"<?xml version=\"1.0\"?><Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>",
                        );
                        Ok(http::Response::builder()
                            .status(503)
                            .body(ResponseBody::from_bytes(body))
                            .unwrap())
                    }
                    _ => Err(TransportError::with_source(
                        ErrorKind::ConnectionReset,
                        std::io::Error::from(std::io::ErrorKind::ConnectionReset),
                    )),
                }
            })
        })
    };
    (common::Hook(hook), seen)
}

#[tokio::test]
async fn slow_down_and_reset_are_retried_with_a_fresh_signature() {
    let server = newtera_testkit::garage();
    let plain = common::client(server);
    let bucket = common::bucket(&plain, "retry").await;
    for inject in [Inject::SlowDown, Inject::Reset] {
        let (layer, seen) = recorder(inject, 1);
        let client = common::builder(server)
            .region("us-east-1")
            .retry(fast(4))
            .layer(layer)
            .build()
            .unwrap();
        client
            .put_object(&bucket, "k", "retried payload")
            .await
            .unwrap();
        let seen = seen.lock().unwrap().clone();
        assert_eq!(seen.len(), 2, "one failed attempt, one retry");
        assert_ne!(seen[0].0, seen[1].0, "the retry carries a fresh x-amz-date");
        assert_ne!(seen[0].1, seen[1].1, "and so a new signature");
        // garage checked the new signature and stored the object.
        let got = plain
            .get_object(&bucket, "k")
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap();
        assert_eq!(&got[..], b"retried payload");
    }
}

#[tokio::test]
async fn a_403_is_not_retried_and_retries_stop_at_the_bound() {
    let server = newtera_testkit::garage();
    // Wrong secret: garage answers 403, which must not be retried.
    let (layer, seen) = recorder(Inject::Nothing, 0);
    let client = newtera::Newtera::builder(format!("http://{}", server.endpoint))
        .access_key(server.access_key.clone())
        .secret_key("wrong-secret-wrong-secret-wrong-secret")
        .region("us-east-1")
        .retry(fast(4))
        .layer(layer)
        .build()
        .unwrap();
    let err = client.list_buckets().await.unwrap_err();
    assert_eq!(err.status(), Some(http::StatusCode::FORBIDDEN), "{err:?}");
    assert_eq!(seen.lock().unwrap().len(), 1, "a 403 is final");

    // SlowDown on every attempt: exactly max_attempts tries, then the error.
    let (layer, seen) = recorder(Inject::SlowDown, usize::MAX);
    let client = common::builder(server)
        .region("us-east-1")
        .retry(fast(3))
        .layer(layer)
        .build()
        .unwrap();
    let err = client.list_buckets().await.unwrap_err();
    assert_eq!(err.code(), Some("SlowDown"), "{err:?}");
    assert_eq!(err.as_s3().unwrap().attempts, 3);
    assert_eq!(seen.lock().unwrap().len(), 3, "stops at max_attempts");
}
