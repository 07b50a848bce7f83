//! Lost CreateMultipartUpload answers: the uploads the lost attempts
//! started are swept, and another writer's upload of the same key never is.

#![allow(clippy::unwrap_used)]

mod common;

use std::time::Duration;

use bytes::Bytes;
use newtera::transport::RetryConfig;
use newtera::{Newtera, ObjectContent};
use newtera_testkit::fault::{Fault, FaultProxy, Rule};
use newtera_testkit::{ServerKind, TestServer};

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

/// A writer paused half-way: a multipart upload of `key` (11 MiB in
/// 5 MiB parts) through `client` that stops reading its source after the
/// first part (its upload exists by then) until the returned sender is used
/// or dropped. Returns the writer's task, the release and its data.
async fn paused_writer(
    client: &Newtera,
    bucket: &str,
    key: &'static str,
    seed: u8,
) -> (
    tokio::task::JoinHandle<newtera::Result<newtera::ObjectWriteResult>>,
    tokio::sync::oneshot::Sender<()>,
    Vec<u8>,
) {
    let data = pattern(11 * MIB, seed);
    let (release, wait) = tokio::sync::oneshot::channel::<()>();
    let (reached_tx, reached) = tokio::sync::oneshot::channel::<()>();
    let first = Bytes::copy_from_slice(&data[..6 * MIB]);
    let rest = Bytes::copy_from_slice(&data[6 * MIB..]);
    let state = (0u8, Some(wait), Some(reached_tx));
    let chunks = futures::stream::unfold(state, move |(step, wait, reached)| {
        let (first, rest) = (first.clone(), rest.clone());
        async move {
            match step {
                0 => Some((Ok::<_, std::io::Error>(first), (1, wait, reached))),
                1 => {
                    if let Some(r) = reached {
                        let _ = r.send(());
                    }
                    if let Some(w) = wait {
                        let _ = w.await;
                    }
                    Some((Ok(rest), (2, None, None)))
                }
                _ => None,
            }
        }
    });
    let (client, bucket) = (client.clone(), bucket.to_owned());
    let writer = tokio::spawn(async move {
        client
            .put_object(
                &bucket,
                key,
                ObjectContent::from_stream(chunks, Some(11 * MIB as u64)),
            )
            .part_size(5 * MIB as u64)
            .await
    });
    // The writer asks for more than its first part only once its upload
    // exists.
    reached.await.unwrap();
    (writer, release, data)
}

/// B goes on and completes, and its bytes are the object's.
async fn b_completes(
    plain: &Newtera,
    bucket: &str,
    key: &str,
    writer_b: tokio::task::JoinHandle<newtera::Result<newtera::ObjectWriteResult>>,
    release: tokio::sync::oneshot::Sender<()>,
    b_data: &[u8],
    server: &TestServer,
) {
    release.send(()).unwrap();
    writer_b.await.unwrap().unwrap();
    let got = plain
        .get_object(bucket, key)
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert!(got == b_data, "{server:?}: B completed last");
    assert!(uploads_of(plain, bucket, key).await.is_empty());
}

#[tokio::test]
async fn a_lost_answer_sweeps_its_stray_but_not_another_writers_upload() {
    for server in common::all_servers() {
        let plain = common::client(server);
        let bucket = common::bucket(&plain, "strays").await;
        let key = "shared/key";
        let (writer_b, release, b_data) = paused_writer(&plain, &bucket, key, 1).await;
        let b_upload = uploads_of(&plain, &bucket, key).await;
        assert_eq!(b_upload.len(), 1, "{server:?}: B's upload");

        // Writer A: the answer to its CreateMultipartUpload is lost once
        // (the retry's upload is used, the lost one is a stray), then its
        // source fails after the first part: A aborts its upload and sweeps.
        let proxy = FaultProxy::start(&server.endpoint).unwrap();
        let lost = proxy.add(lose_create_answers(key, 1));
        let chunks = futures::stream::iter(vec![
            Ok(Bytes::from(pattern(6 * MIB, 2))),
            Err(std::io::Error::other("A's source broke")),
        ]);
        let err = via(server, &proxy)
            .put_object(
                &bucket,
                key,
                ObjectContent::from_stream(chunks, Some(12 * MIB as u64)),
            )
            .part_size(5 * MIB as u64)
            .await
            .unwrap_err();
        assert!(
            matches!(err, newtera::Error::Input(_)),
            "{server:?}: {err:?}"
        );
        assert_eq!(lost.applied(), 1, "{server:?}: the answer was lost");
        // A's upload and its stray are gone; B's upload is still there.
        assert_eq!(
            uploads_of(&plain, &bucket, key).await,
            b_upload,
            "{server:?}: after A"
        );
        b_completes(&plain, &bucket, key, writer_b, release, &b_data, server).await;
    }
}

#[tokio::test]
async fn a_lost_answer_and_a_completed_write_spare_another_writer() {
    for server in common::all_servers() {
        let plain = common::client(server);
        let bucket = common::bucket(&plain, "strays1").await;
        let key = "shared/key";
        let (writer_b, release, b_data) = paused_writer(&plain, &bucket, key, 1).await;
        let b_upload = uploads_of(&plain, &bucket, key).await;
        assert_eq!(b_upload.len(), 1, "{server:?}: B's upload");
        if server.kind == ServerKind::Garage {
            // garage deviates from S3: a completed write of a key drops the
            // uploads of that key begun before it, so B cannot survive A's
            // completion there whatever the client does. Shown with a
            // fault-free single PUT.
            plain.put_object(&bucket, key, "A").await.unwrap();
            assert!(uploads_of(&plain, &bucket, key).await.is_empty());
            release.send(()).unwrap();
            let err = writer_b.await.unwrap().unwrap_err();
            assert_eq!(err.code(), Some("NoSuchUpload"), "{err:?}");
            continue;
        }
        let proxy = FaultProxy::start(&server.endpoint).unwrap();
        let lost = proxy.add(lose_create_answers(key, 1));
        via(server, &proxy)
            .put_object(&bucket, key, pattern(7 * MIB, 2))
            .part_size(5 * MIB as u64)
            .await
            .unwrap();
        assert_eq!(lost.applied(), 1, "{server:?}: the answer was lost");
        assert_eq!(
            uploads_of(&plain, &bucket, key).await,
            b_upload,
            "{server:?}: after A"
        );
        b_completes(&plain, &bucket, key, writer_b, release, &b_data, server).await;
    }
}

#[tokio::test]
async fn two_writers_of_one_key_under_lost_answers_both_succeed() {
    for server in common::all_servers() {
        let plain = common::client(server);
        let bucket = common::bucket(&plain, "strays2").await;
        let key = "both";
        let proxy = FaultProxy::start(&server.endpoint).unwrap();
        // The first CreateMultipartUpload of each writer loses its answer.
        let lost = proxy.add(lose_create_answers(key, 2));
        let (ca, cb) = (via(server, &proxy), via(server, &proxy));
        // A, then B, each half-way through an upload of the key with a
        // stray of its own beside it; then A completes, then B.
        let (writer_a, release_a, _) = paused_writer(&ca, &bucket, key, 3).await;
        let (writer_b, release_b, b_data) = paused_writer(&cb, &bucket, key, 4).await;
        assert_eq!(lost.applied(), 2, "{server:?}: both answers were lost");
        assert_eq!(
            uploads_of(&plain, &bucket, key).await.len(),
            4,
            "{server:?}: two uploads and two strays"
        );
        release_a.send(()).unwrap();
        writer_a.await.unwrap().unwrap();
        b_completes(&plain, &bucket, key, writer_b, release_b, &b_data, server).await;
    }
}
