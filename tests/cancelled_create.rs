//! A call dropped while its CreateMultipartUpload answer is on its way
//! leaves no upload behind: the server has created the upload, the caller
//! never learns its id, and the library still aborts it (garage and moto).

#![allow(clippy::unwrap_used)]

mod common;

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use newtera::Newtera;
use tokio::sync::Notify;

const MIB: usize = 1024 * 1024;

/// The uploads in progress of `key`.
async fn uploads_of(client: &Newtera, bucket: &str, key: &str) -> usize {
    let all = client.list_incomplete_uploads(bucket).await.unwrap();
    all.iter().filter(|u| u.object_name == key).count()
}

/// A client whose CreateMultipartUpload answers are held back for a while
/// after the server sent them; `created` is notified when one arrived.
fn holding_create_answers(server: &newtera_testkit::TestServer, created: Arc<Notify>) -> Newtera {
    let hook = common::Hook(
        move |req: &newtera::transport::HttpRequest| -> common::Then {
            let is_create = req.method() == http::Method::POST
                && req
                    .uri()
                    .query()
                    .is_some_and(|q| q.split('&').any(|p| p == "uploads" || p == "uploads="));
            if !is_create {
                return common::pass();
            }
            let created = created.clone();
            Box::new(move |fut| {
                Box::pin(async move {
                    let answer = fut.await;
                    created.notify_one();
                    tokio::time::sleep(Duration::from_millis(800)).await;
                    answer
                })
            })
        },
    );
    common::builder(server).layer(hook).build().unwrap()
}

/// Waits (bounded) until `key` has no upload in progress.
async fn wait_until_no_upload(client: &Newtera, bucket: &str, key: &str, what: &str) {
    let deadline = SystemTime::now() + Duration::from_secs(20);
    while uploads_of(client, bucket, key).await > 0 {
        assert!(SystemTime::now() < deadline, "{what}: upload orphaned");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn a_put_dropped_during_create_multipart_upload_orphans_no_upload() {
    for server in common::all_servers() {
        let plain = common::client(server);
        let bucket = common::bucket(&plain, "cancel-create").await;
        let created = Arc::new(Notify::new());
        let client = holding_create_answers(server, created.clone());
        let data = Bytes::from(vec![7u8; 12 * MIB]);
        let (b, c) = (bucket.clone(), client.clone());
        let task = tokio::spawn(async move {
            c.put_object(&b, "big", data)
                .part_size(5 * MIB as u64)
                .await
        });
        created.notified().await;
        // The server made the upload; its id is held back from the caller.
        assert_eq!(uploads_of(&plain, &bucket, "big").await, 1, "{server:?}");
        task.abort();
        assert!(task.await.unwrap_err().is_cancelled());
        wait_until_no_upload(&plain, &bucket, "big", &format!("{server:?} put")).await;
        let e = plain.stat_object(&bucket, "big").await.unwrap_err();
        assert_eq!(e.code(), Some("NoSuchKey"), "{server:?}: {e:?}");
    }
}

#[tokio::test]
async fn a_create_multipart_upload_step_dropped_mid_answer_orphans_no_upload() {
    for server in common::all_servers() {
        let plain = common::client(server);
        let bucket = common::bucket(&plain, "cancel-step").await;
        let created = Arc::new(Notify::new());
        let client = holding_create_answers(server, created.clone());
        let (b, c) = (bucket.clone(), client.clone());
        let task =
            tokio::spawn(async move { c.create_multipart_upload(&b, "step").await.map(|_| ()) });
        created.notified().await;
        assert_eq!(uploads_of(&plain, &bucket, "step").await, 1, "{server:?}");
        task.abort();
        assert!(task.await.unwrap_err().is_cancelled());
        wait_until_no_upload(&plain, &bucket, "step", &format!("{server:?} step")).await;
    }
}
