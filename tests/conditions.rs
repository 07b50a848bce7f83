//! Conditional reads and writes (typed `If-*` options, `WriteCondition`)
//! and the public multipart steps (`create_multipart_upload`,
//! `upload_part`, `complete_multipart_upload`, `abort_multipart_upload`),
//! on garage and moto; bad input refused before anything is sent.

#![allow(clippy::unwrap_used)]

mod common;

use std::time::{Duration, SystemTime};

use bytes::Bytes;
use newtera::{Newtera, WriteCondition};
use newtera_testkit::ServerKind;

const MIB: usize = 1024 * 1024;

/// The uploads in progress of `key`.
async fn uploads_of(client: &Newtera, bucket: &str, key: &str) -> usize {
    let all = client.list_incomplete_uploads(bucket).await.unwrap();
    all.iter().filter(|u| u.object_name == key).count()
}

#[tokio::test]
async fn multipart_steps_then_conditional_reads() {
    for server in common::all_servers() {
        let client = common::client(server);
        let bucket = common::bucket(&client, "steps").await;
        let upload = client
            .create_multipart_upload(&bucket, "big")
            .content_type("text/plain")
            .metadata([("color", "blue")])
            .await
            .unwrap();
        // Parts in flight at once, completed out of order.
        let first = Bytes::from(vec![b'a'; 5 * MIB]);
        let (one, two) = tokio::join!(
            upload.upload_part(1, [first.slice(..MIB), first.slice(MIB..)]),
            upload.upload_part(2, [Bytes::from_static(b"tail")]),
        );
        let (one, two) = (one.unwrap(), two.unwrap());
        assert_eq!((one.size, two.size), (5 * MIB as u64, 4));
        let done = upload.complete(vec![two, one], None).await.unwrap();
        let etag = done.etag.clone().unwrap();
        let stat = client.stat_object(&bucket, "big").await.unwrap();
        assert_eq!(stat.size, Some(5 * MIB as u64 + 4), "{server:?}");
        assert_eq!(stat.content_type.as_deref(), Some("text/plain"));
        assert_eq!(
            stat.user_metadata.get("color").map(String::as_str),
            Some("blue")
        );
        assert_eq!(uploads_of(&client, &bucket, "big").await, 0);

        // The typed read conditions, on GET and HEAD.
        let lm = stat.last_modified.unwrap();
        let hour = Duration::from_secs(3600);
        let body = client
            .get_object(&bucket, "big")
            .match_etag(&etag)
            .offset(5 * MIB as u64)
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap();
        assert_eq!(&body[..], b"tail");
        let e = client
            .get_object(&bucket, "big")
            .match_etag("0123")
            .await
            .unwrap_err();
        assert!(e.is_precondition_failed(), "{e}");
        let e = client
            .get_object(&bucket, "big")
            .not_match_etag(format!("\"{etag}\""))
            .await
            .unwrap_err();
        assert!(e.is_not_modified() && !e.is_precondition_failed(), "{e}");
        let e = client
            .stat_object(&bucket, "big")
            .modified_since(lm)
            .await
            .unwrap_err();
        assert!(e.is_not_modified(), "{e}");
        let e = client
            .stat_object(&bucket, "big")
            .unmodified_since(lm - hour)
            .await
            .unwrap_err();
        assert!(e.is_precondition_failed(), "{e}");
        client
            .stat_object(&bucket, "big")
            .modified_since(lm - hour)
            .unmodified_since(lm + hour)
            .not_match_etag("other")
            .await
            .unwrap();
    }
}

#[tokio::test]
async fn dropped_upload_is_aborted_and_detached_one_is_kept() {
    for server in common::all_servers() {
        let client = common::client(server);
        let bucket = common::bucket(&client, "steps-drop").await;
        let upload = client
            .create_multipart_upload(&bucket, "dropped")
            .await
            .unwrap();
        upload
            .upload_part(1, [Bytes::from_static(b"part")])
            .await
            .unwrap();
        assert_eq!(uploads_of(&client, &bucket, "dropped").await, 1);
        drop(upload);
        // The abort runs in the background: wait for it (bounded).
        let deadline = SystemTime::now() + Duration::from_secs(20);
        while uploads_of(&client, &bucket, "dropped").await > 0 {
            assert!(SystemTime::now() < deadline, "{server:?}: not aborted");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }

        let id = client
            .create_multipart_upload(&bucket, "kept")
            .await
            .unwrap()
            .detach();
        tokio::time::sleep(Duration::from_millis(200)).await;
        assert_eq!(uploads_of(&client, &bucket, "kept").await, 1);
        let part = client
            .upload_part(&bucket, "kept", &id, 1, [Bytes::from_static(b"x")])
            .await
            .unwrap();
        client
            .complete_multipart_upload(&bucket, "kept", &id, vec![part])
            .await
            .unwrap();
        let body = client.get_object(&bucket, "kept").await.unwrap();
        assert_eq!(&body.bytes().await.unwrap()[..], b"x");

        let id = client
            .create_multipart_upload(&bucket, "aborted")
            .await
            .unwrap()
            .detach();
        client
            .abort_multipart_upload(&bucket, "aborted", &id)
            .await
            .unwrap();
        assert_eq!(uploads_of(&client, &bucket, "aborted").await, 0);
    }
}

#[tokio::test]
async fn conditional_writes() {
    for server in common::all_servers() {
        let client = common::client(server);
        let bucket = common::bucket(&client, "cond-put").await;
        let v1 = client
            .put_object(&bucket, "k", Bytes::from_static(b"one"))
            .condition(WriteCondition::NotExists)
            .await
            .unwrap();
        let again = client
            .put_object(&bucket, "k", Bytes::from_static(b"two"))
            .condition(WriteCondition::NotExists)
            .await;
        let stale = WriteCondition::Matches(v1.etag.clone().unwrap());
        match server.kind {
            // garage 2.5.0 ignores If-None-Match and If-Match on writes.
            ServerKind::Garage => {
                again.unwrap();
                client
                    .put_object(&bucket, "k", Bytes::from_static(b"three"))
                    .condition(stale)
                    .await
                    .unwrap();
            }
            _ => {
                let e = again.unwrap_err();
                assert!(e.is_precondition_failed(), "{e}");
                let v2 = client
                    .put_object(&bucket, "k", Bytes::from_static(b"two"))
                    .condition(stale.clone())
                    .await
                    .unwrap();
                let e = client
                    .put_object(&bucket, "k", Bytes::from_static(b"three"))
                    .condition(stale)
                    .await
                    .unwrap_err();
                assert!(e.is_precondition_failed(), "{e}");
                // A multipart upload carries the condition on its completion.
                let e = client
                    .put_object(&bucket, "k", Bytes::from(vec![0u8; 6 * MIB]))
                    .part_size(5 * MIB as u64)
                    .condition(WriteCondition::NotExists)
                    .await
                    .unwrap_err();
                assert!(e.is_precondition_failed(), "{e}");
                assert_eq!(uploads_of(&client, &bucket, "k").await, 0);
                client
                    .put_object(&bucket, "k", Bytes::from(vec![0u8; 6 * MIB]))
                    .part_size(5 * MIB as u64)
                    .condition(WriteCondition::Matches(v2.etag.unwrap()))
                    .await
                    .unwrap();
            }
        }
    }
}

#[tokio::test]
async fn bad_conditions_and_part_numbers_send_nothing() {
    let server = common::all_servers()[0];
    let sent = common::Count::default();
    let client = common::builder(server).layer(sent.clone()).build().unwrap();
    let bad = WriteCondition::Matches(String::new());
    let e = client
        .put_object("bucket", "k", Bytes::from_static(b"x"))
        .condition(bad.clone())
        .await
        .unwrap_err();
    assert!(e.is_invalid_argument(), "{e}");
    let e = client
        .complete_multipart_upload("bucket", "k", "id", vec![])
        .condition(WriteCondition::Matches("a\"b".into()))
        .await
        .unwrap_err();
    assert!(e.is_invalid_argument(), "{e}");
    let e = client
        .get_object("bucket", "k")
        .match_etag(" ")
        .await
        .unwrap_err();
    assert!(e.is_invalid_argument(), "{e}");
    let e = client
        .stat_object("bucket", "k")
        .not_match_etag("")
        .await
        .unwrap_err();
    assert!(e.is_invalid_argument(), "{e}");
    for n in [0, 10_001] {
        let e = client
            .upload_part("bucket", "k", "id", n, [Bytes::from_static(b"x")])
            .await
            .unwrap_err();
        assert!(e.is_invalid_argument(), "{n}: {e}");
    }
    let e = client
        .copy_object("bucket", "k", newtera::CopySource::new("bucket", "src"))
        .condition(bad)
        .await
        .unwrap_err();
    assert!(e.is_invalid_argument(), "{e}");
    assert_eq!(sent.get(), 0);
}
