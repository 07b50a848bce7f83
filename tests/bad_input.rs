//! Every class of invalid argument is refused with a typed error before
//! anything is sent, and nothing is lost or left behind.

#![allow(clippy::unwrap_used)]

mod common;

use bytes::Bytes;
use newtera::{Error, Newtera, ObjectContent, SseCustomerKey, SseKms, SseS3, Tags};

const MIB: u64 = 1024 * 1024;

#[tokio::test]
async fn invalid_arguments_are_typed_errors_and_nothing_is_sent() {
    let server = newtera_testkit::garage();
    let sent = common::Count::default();
    let client = common::builder(server).layer(sent.clone()).build().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let key = SseCustomerKey::new(&[1u8; 32]).unwrap();
    let long_key = "k".repeat(1025);

    // (class, error) for each case; every one must be an invalid-argument error.
    let cases: Vec<(&str, Error)> = vec![
        (
            "bucket name: too short",
            client.make_bucket("ab").await.unwrap_err(),
        ),
        (
            "bucket name: uppercase (new bucket)",
            client.make_bucket("Bucket").await.unwrap_err(),
        ),
        (
            "bucket name: starts with a hyphen",
            client.put_object("-bucket", "k", "v").await.unwrap_err(),
        ),
        (
            "bucket name: IP address",
            client.list_objects("10.0.0.1").send().await.unwrap_err(),
        ),
        (
            "object name: empty",
            client.put_object("bucket", "", "v").await.unwrap_err(),
        ),
        (
            "object name: too long",
            client
                .get_object("bucket", long_key.as_str())
                .await
                .unwrap_err(),
        ),
        (
            "object name: empty (stat)",
            client.stat_object("bucket", "").await.unwrap_err(),
        ),
        (
            "SSE-C over HTTP (put)",
            client
                .put_object("bucket", "k", "v")
                .sse(key.clone())
                .await
                .unwrap_err(),
        ),
        (
            "SSE-C over HTTP (get)",
            client
                .get_object("bucket", "k")
                .ssec(key.clone())
                .await
                .unwrap_err(),
        ),
        (
            "SSE-C over HTTP (stat)",
            client
                .stat_object("bucket", "k")
                .ssec(key.clone())
                .await
                .unwrap_err(),
        ),
        (
            "SSE-C over HTTP (fget)",
            client
                .fget_object("bucket", "k", dir.path().join("x"))
                .ssec(key.clone())
                .await
                .unwrap_err(),
        ),
        (
            "SSE-KMS over HTTP",
            client
                .put_object("bucket", "k", "v")
                .sse(SseKms::new("id", [("a", "b")]))
                .await
                .unwrap_err(),
        ),
        (
            "part size below 5 MiB",
            client
                .put_object("bucket", "k", vec![0u8; 10])
                .part_size(MIB)
                .await
                .unwrap_err(),
        ),
        (
            "part size above 5 GiB",
            client
                .put_object("bucket", "k", vec![0u8; 10])
                .part_size(6 * 1024 * MIB)
                .await
                .unwrap_err(),
        ),
        (
            "too many parts",
            client
                .put_object(
                    "bucket",
                    "k",
                    ObjectContent::from_reader(tokio::io::empty(), Some(60_000 * MIB)),
                )
                .part_size(5 * MIB)
                .await
                .unwrap_err(),
        ),
        (
            "object above 5 TiB",
            client
                .put_object(
                    "bucket",
                    "k",
                    ObjectContent::from_reader(tokio::io::empty(), Some(6 * 1024 * 1024 * MIB)),
                )
                .await
                .unwrap_err(),
        ),
        (
            "unknown length without part size",
            client
                .put_object(
                    "bucket",
                    "k",
                    ObjectContent::from_reader(tokio::io::empty(), None),
                )
                .await
                .unwrap_err(),
        ),
        (
            "zero parallel uploads",
            client
                .put_object("bucket", "k", "v")
                .num_parallel_uploads(0)
                .await
                .unwrap_err(),
        ),
        (
            "SSE-C key length",
            SseCustomerKey::new(b"too short").unwrap_err(),
        ),
        ("tags: too many", {
            let mut t = Tags::new_object_tags();
            for i in 0..10 {
                t.insert(format!("k{i}"), "v").unwrap();
            }
            t.insert("k10", "v").unwrap_err()
        }),
        (
            "tags: key too long",
            Tags::new_object_tags()
                .insert("k".repeat(129), "v")
                .unwrap_err(),
        ),
        (
            "tags: bad character",
            Tags::new_object_tags().insert("k", "a&b").unwrap_err(),
        ),
        (
            "range overflow",
            client
                .get_object("bucket", "k")
                .offset(u64::MAX)
                .length(10)
                .await
                .unwrap_err(),
        ),
        (
            "directory as fget target",
            client
                .fget_object("bucket", "k", dir.path())
                .await
                .unwrap_err(),
        ),
        (
            "directory as fput source",
            client
                .fput_object("bucket", "k", dir.path())
                .await
                .unwrap_err(),
        ),
        (
            "metadata: non-ASCII value",
            client
                .put_object("bucket", "k", "v")
                .metadata([("k", "é")])
                .await
                .unwrap_err(),
        ),
        (
            "metadata: bad header name",
            client
                .put_object("bucket", "k", "v")
                .metadata([("bad name", "v")])
                .await
                .unwrap_err(),
        ),
        (
            "list: zero max_keys",
            client
                .list_objects("bucket")
                .max_keys(0)
                .send()
                .await
                .unwrap_err(),
        ),
        (
            "endpoint with a path",
            Newtera::builder("http://host/path").build().unwrap_err(),
        ),
        (
            "endpoint with a bad scheme",
            Newtera::builder("ftp://host").build().unwrap_err(),
        ),
        (
            "endpoint with a bad port",
            Newtera::builder("host:70000").build().unwrap_err(),
        ),
        (
            "access key without secret",
            Newtera::builder("host")
                .access_key("a")
                .build()
                .unwrap_err(),
        ),
    ];
    let _ = SseS3::new();
    let mut classes = 0;
    for (class, err) in &cases {
        let typed = err.is_invalid_argument() || matches!(err, Error::Io { .. });
        assert!(
            typed,
            "{class}: expected a typed invalid-argument error, got {err:?}"
        );
        classes += 1;
    }
    assert_eq!(sent.get(), 0, "nothing may be sent for invalid input");
    println!("bad input: {classes} cases, all typed errors, 0 requests sent");
}

#[tokio::test]
async fn short_streams_are_errors_and_leave_nothing_behind() {
    for server in common::all_servers() {
        let client = common::client(server);
        let bucket = common::bucket(&client, "short").await;
        // Single-part: declared 1,000 bytes, gives 10.
        let err = client
            .put_object(
                &bucket,
                "single",
                ObjectContent::from_reader(&b"0123456789"[..], Some(1000)),
            )
            .await
            .unwrap_err();
        assert!(matches!(err, Error::Input(_)), "{err:?}");
        // Multipart: declared 12 MiB, gives 7 MiB.
        let data = Bytes::from(vec![9u8; 7 * MIB as usize]);
        let stream = futures::stream::iter(vec![Ok::<_, std::io::Error>(data)]);
        let err = client
            .put_object(
                &bucket,
                "multi",
                ObjectContent::from_stream(stream, Some(12 * MIB)),
            )
            .part_size(5 * MIB)
            .await
            .unwrap_err();
        assert!(matches!(err, Error::Input(_)), "{err:?}");
        for key in ["single", "multi"] {
            let e = client.stat_object(&bucket, key).await.unwrap_err();
            assert_eq!(e.code(), Some("NoSuchKey"), "{server:?} {key}");
        }
        let left = client.list_incomplete_uploads(&bucket).await.unwrap();
        assert!(left.is_empty(), "{server:?}: {left:?}");
    }
}
