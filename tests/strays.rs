//! Lost CreateMultipartUpload answers: the uploads the lost attempts
//! started are swept, and another writer's upload of the same key never is.

#![allow(clippy::unwrap_used)]

mod common;

use std::time::Duration;

use bytes::Bytes;
use newtera::transport::RetryConfig;
use newtera::{Newtera, ObjectContent};
use newtera_testkit::fault::{Fault, FaultProxy, Rule};
use newtera_testkit::TestServer;

const MIB: usize = 1024 * 1024;

fn pattern(len: usize, seed: u8) -> Vec<u8> {
    (0..len)
        .map(|i| ((i * 13 + usize::from(seed)) % 251) as u8)
        .collect()
}

/// A client of `server` through `proxy`, retrying quickly.
fn via(server: &TestServer, proxy: &FaultProxy) -> Newtera {
    Newtera::builder(proxy.url())
        .access_key(server.access_key.clone())
        .secret_key(server.secret_key.clone())
        .region(server.region.clone())
        .retry(RetryConfig {
            max_attempts: 4,
            initial_backoff: Duration::from_millis(10),
            max_backoff: Duration::from_millis(100),
            budget: None,
        })
        .build()
        .unwrap()
}

/// The rule that loses the answers of the first `n` CreateMultipartUpload
/// requests for `key`, after the server created the upload.
fn lose_create_answers(key: &str, n: u64) -> Rule {
    Rule::new(Fault::ResetBeforeResponse)
        .method("POST")
        .path_ends_with(&format!("/{key}"))
        .query_contains("uploads")
        .times(n)
}

async fn uploads_of(client: &Newtera, bucket: &str, key: &str) -> Vec<String> {
    client
        .list_incomplete_uploads(bucket)
        .prefix(key)
        .await
        .unwrap()
        .into_iter()
        .filter(|u| u.object_name == key)
        .map(|u| u.upload_id)
        .collect()
}

#[tokio::test]
async fn a_lost_answer_sweeps_its_stray_but_not_another_writers_upload() {
    for server in common::all_servers() {
        let plain = common::client(server);
        let bucket = common::bucket(&plain, "strays").await;
        let key = "shared/key";

        // Writer B: a multipart upload of the key, paused after its first
        // part until A is done.
        let b_data = pattern(11 * MIB, 1);
        let (release, wait) = tokio::sync::oneshot::channel::<()>();
        let first = Bytes::copy_from_slice(&b_data[..6 * MIB]);
        let rest = Bytes::copy_from_slice(&b_data[6 * MIB..]);
        let chunks = futures::stream::unfold((0u8, Some(wait)), move |(step, wait)| {
            let (first, rest) = (first.clone(), rest.clone());
            async move {
                match step {
                    0 => Some((Ok::<_, std::io::Error>(first), (1, wait))),
                    1 => {
                        if let Some(w) = wait {
                            let _ = w.await;
                        }
                        Some((Ok(rest), (2, None)))
                    }
                    _ => None,
                }
            }
        });
        let b_client = plain.clone();
        let b_bucket = bucket.clone();
        let writer_b = tokio::spawn(async move {
            b_client
                .put_object(
                    &b_bucket,
                    key,
                    ObjectContent::from_stream(chunks, Some(11 * MIB as u64)),
                )
                .part_size(5 * MIB as u64)
                .await
        });
        // Wait until B's upload exists.
        let mut b_upload = Vec::new();
        for _ in 0..200 {
            b_upload = uploads_of(&plain, &bucket, key).await;
            if !b_upload.is_empty() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        assert_eq!(b_upload.len(), 1, "{server:?}: B's upload");

        // Writer A: the answer to its CreateMultipartUpload is lost once;
        // the retry's upload is used, the lost one is a stray.
        let proxy = FaultProxy::start(&server.endpoint).unwrap();
        let lost = proxy.add(lose_create_answers(key, 1));
        let a_data = pattern(7 * MIB, 2);
        via(server, &proxy)
            .put_object(&bucket, key, a_data.clone())
            .part_size(5 * MIB as u64)
            .await
            .unwrap();
        assert_eq!(lost.applied(), 1, "{server:?}: the answer was lost");
        // A's stray is gone; B's upload is still there.
        assert_eq!(
            uploads_of(&plain, &bucket, key).await,
            b_upload,
            "{server:?}: after A"
        );

        // B goes on and completes: its upload was not aborted.
        release.send(()).unwrap();
        writer_b.await.unwrap().unwrap();
        let got = plain
            .get_object(&bucket, key)
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap();
        assert!(got == b_data, "{server:?}: B completed last");
        assert!(uploads_of(&plain, &bucket, key).await.is_empty());
    }
}

#[tokio::test]
async fn two_writers_of_one_key_under_lost_answers_both_succeed() {
    for server in common::all_servers() {
        let plain = common::client(server);
        let bucket = common::bucket(&plain, "strays2").await;
        let key = "both";
        let proxy = FaultProxy::start(&server.endpoint).unwrap();
        // The first two creates of the key lose their answers, whoever
        // sends them.
        let lost = proxy.add(lose_create_answers(key, 2));
        let (a, b) = (pattern(6 * MIB, 3), pattern(6 * MIB + 1, 4));
        let (ca, cb) = (via(server, &proxy), via(server, &proxy));
        for round in 0..2 {
            let (ra, rb) = tokio::join!(
                ca.put_object(&bucket, key, a.clone())
                    .part_size(5 * MIB as u64)
                    .send(),
                cb.put_object(&bucket, key, b.clone())
                    .part_size(5 * MIB as u64)
                    .send(),
            );
            ra.unwrap();
            rb.unwrap();
            let got = plain
                .get_object(&bucket, key)
                .await
                .unwrap()
                .bytes()
                .await
                .unwrap();
            assert!(got == a || got == b, "{server:?}: round {round}");
            assert!(
                uploads_of(&plain, &bucket, key).await.is_empty(),
                "{server:?}: round {round}: uploads left behind"
            );
        }
        assert_eq!(lost.applied(), 2, "{server:?}");
    }
}
