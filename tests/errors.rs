//! Errors a caller can act on: the typed predicates of `newtera::Error`
//! (`is_not_found`, `is_access_denied`, `is_precondition_failed`,
//! `is_conflict`, `is_throttled`, `is_timeout`, `is_retryable`) on real
//! servers' answers, and what `Display` shows.

#![allow(clippy::unwrap_used)]

mod common;

use std::time::Duration;

use futures::StreamExt as _;
use newtera::transport::{HttpRequest, RetryConfig};
use newtera::{Error, Newtera};
use newtera_testkit::fault::{Fault, FaultProxy, Rule};

/// The seven predicates, in a fixed order, for table assertions.
fn predicates(e: &Error) -> [bool; 7] {
    [
        e.is_not_found(),
        e.is_access_denied(),
        e.is_precondition_failed(),
        e.is_conflict(),
        e.is_throttled(),
        e.is_timeout(),
        e.is_retryable(),
    ]
}

const NOT_FOUND: [bool; 7] = [true, false, false, false, false, false, false];
const ACCESS_DENIED: [bool; 7] = [false, true, false, false, false, false, false];
const PRECONDITION: [bool; 7] = [false, false, true, false, false, false, false];
const CONFLICT: [bool; 7] = [false, false, false, true, false, false, false];
const THROTTLED: [bool; 7] = [false, false, false, false, true, false, true];
const TIMEOUT: [bool; 7] = [false, false, false, false, false, true, true];

#[tokio::test]
async fn missing_keys_and_buckets_are_not_found() {
    for server in common::all_servers() {
        let client = common::client(server);
        let bucket = common::bucket(&client, "errors-missing").await;
        let no_bucket = newtera_testkit::unique_bucket("errors-no-such");
        let mut listing = client.list_objects(&no_bucket).into_stream();
        let errs = [
            client.stat_object(&bucket, "missing").await.unwrap_err(),
            client.get_object(&bucket, "missing").await.unwrap_err(),
            client.get_object(&no_bucket, "k").await.unwrap_err(),
            client.remove_bucket(&no_bucket).await.unwrap_err(),
            listing.next().await.unwrap().unwrap_err(),
        ];
        for e in &errs {
            assert_eq!(predicates(e), NOT_FOUND, "{:?}: {e:?}", server.kind);
        }

        // Display: operation, bucket, key, code, message, region and
        // request id, never a secret.
        let e = &errs[1];
        let s3 = e.as_s3().unwrap();
        let text = e.to_string();
        for part in [s3.op, bucket.as_str(), "\"missing\"", s3.code.as_str()] {
            assert!(
                text.contains(part),
                "{:?}: {text:?} lacks {part:?}",
                server.kind
            );
        }
        assert!(
            text.contains(&format!("region {}", server.region)),
            "{text}"
        );
        if let Some(id) = &s3.request_id {
            assert!(text.contains(id.as_str()), "{text}");
        }
        assert!(!text.contains(&server.secret_key), "{text}");
        assert!(!format!("{e:?}").contains(&server.secret_key));
        println!("{:?}: {text}", server.kind);
    }
}

/// garage checks signatures: a wrong secret key and an anonymous request on
/// its S3 API are refused. moto accepts any signature, so it cannot show this.
#[tokio::test]
async fn refused_credentials_are_access_denied() {
    let server = newtera_testkit::garage();
    let secret = "wrong-secret-key-that-must-not-print";
    let client = Newtera::builder(server.url())
        .access_key(server.access_key.clone())
        .secret_key(secret)
        .region(server.region.clone())
        .build()
        .unwrap();
    let e = client.list_buckets().await.unwrap_err();
    assert_eq!(predicates(&e), ACCESS_DENIED, "{e:?}");
    assert!(!e.to_string().contains(secret) && !format!("{e:?}").contains(secret));
    println!("wrong secret: {e}");

    let anonymous = Newtera::builder(server.url()).build().unwrap();
    let e = anonymous
        .get_object(server.default_bucket.as_deref().unwrap(), "k")
        .await
        .unwrap_err();
    assert_eq!(predicates(&e), ACCESS_DENIED, "{e:?}");
    println!("anonymous: {e}");
}

/// Creating a bucket that exists, and removing one that is not empty.
#[tokio::test]
async fn existing_buckets_are_conflicts() {
    for server in common::all_servers() {
        let client = common::client(server);
        let bucket = common::bucket(&client, "errors-conflict").await;
        client.put_object(&bucket, "k", "v").await.unwrap();
        let e = client.remove_bucket(&bucket).await.unwrap_err();
        assert_eq!(predicates(&e), CONFLICT, "{:?}: {e:?}", server.kind);
        match client.make_bucket(&bucket).await {
            Err(e) => assert_eq!(predicates(&e), CONFLICT, "{:?}: {e:?}", server.kind),
            // Amazon S3 in us-east-1 answers 200 to re-creating one's own
            // bucket; a server that does the same is not wrong.
            Ok(()) => println!("{:?}: re-creating an owned bucket succeeds", server.kind),
        }
    }
}

/// A download resumed after a cut while the object changed: the `If-Match`
/// of the resumed request fails.
#[tokio::test]
async fn a_changed_object_is_a_failed_precondition() {
    for server in common::all_servers() {
        let plain = common::client(server);
        let bucket = common::bucket(&plain, "errors-precondition").await;
        plain
            .put_object(&bucket, "cut-me", vec![7u8; 300_000])
            .await
            .unwrap();
        let cut_once = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let hook = move |req: &HttpRequest| -> common::Then {
            let first = common::is_get_of(req, "cut-me")
                && !cut_once.swap(true, std::sync::atomic::Ordering::SeqCst);
            if !first {
                return common::pass();
            }
            Box::new(|fut| Box::pin(async move { common::cut_after(fut.await?, 1000).await }))
        };
        let client = common::builder(server)
            .layer(common::Hook(hook))
            .build()
            .unwrap();
        let mut body = client
            .get_object(&bucket, "cut-me")
            .await
            .unwrap()
            .into_stream();
        let first = body.next().await.unwrap().unwrap();
        assert!(!first.is_empty());
        plain
            .put_object(&bucket, "cut-me", vec![8u8; 300_000])
            .await
            .unwrap();
        let mut err = None;
        while let Some(chunk) = body.next().await {
            if let Err(e) = chunk {
                err = Some(e);
                break;
            }
        }
        let e = err.expect("the resumed read must fail");
        assert_eq!(predicates(&e), PRECONDITION, "{:?}: {e:?}", server.kind);
    }
}

/// Throttling and timeouts, made by the fault proxy in front of a real
/// server: the transport retries them, and once it gives up the error says
/// what happened and that a later retry may succeed.
#[tokio::test]
async fn throttling_and_timeouts_are_typed_and_retryable() {
    let server = newtera_testkit::garage();
    let proxy = FaultProxy::start(&server.endpoint).unwrap();
    let client = |timeout: Option<Duration>| {
        Newtera::builder(proxy.url())
            .access_key(server.access_key.clone())
            .secret_key(server.secret_key.clone())
            .region(server.region.clone())
            .retry(RetryConfig {
                max_attempts: 2,
                initial_backoff: Duration::from_millis(1),
                max_backoff: Duration::from_millis(5),
                budget: None,
            })
            .request_timeout(timeout)
            .build()
            .unwrap()
    };

    let slow = proxy.add(Rule::new(Fault::slow_down()).always());
    let e = client(None).list_buckets().await.unwrap_err();
    assert_eq!(predicates(&e), THROTTLED, "{e:?}");
    assert_eq!(slow.applied(), 2, "both attempts were throttled");
    proxy.clear();

    proxy.add(Rule::new(Fault::Stall(Duration::from_secs(10))).always());
    let e = client(Some(Duration::from_millis(300)))
        .list_buckets()
        .await
        .unwrap_err();
    assert_eq!(predicates(&e), TIMEOUT, "{e:?}");
    proxy.clear();

    // And the same client succeeds once the faults are gone.
    client(Some(Duration::from_secs(10)))
        .list_buckets()
        .await
        .unwrap();
}
