//! compose_object against real servers: sources and ranges concatenated in
//! parts, a single source copied in one request, the reference's checks
//! (before anything is sent where the arguments alone decide, before any
//! write where the stat's sizes do), and a failed part aborting the upload.

#![allow(clippy::unwrap_used)]

mod common;
mod copy_support;

use copy_support::{count, kinds, no_uploads_left, pattern, read, recorder, MIB};
use newtera::{ComposeSource, CopySource, Error, Tags};

#[tokio::test]
async fn sources_and_ranges_are_concatenated() {
    for server in common::all_servers() {
        let (layer, log) = recorder();
        let client = common::builder(server).layer(layer).build().unwrap();
        let bucket = common::bucket(&client, "compose").await;
        let a = pattern(5 * MIB, 1);
        let b = pattern(8 * MIB, 2);
        // garage cannot part-copy an object it stores inline (up to a few
        // KiB), so the short last source is larger than that.
        let c = pattern(100_000, 3);
        for (key, data) in [("a", &a), ("b", &b), ("c", &c)] {
            client.put_object(&bucket, key, data.clone()).await.unwrap();
        }
        log.lock().unwrap().clear();
        let sources = vec![
            ComposeSource::new(&bucket, "a"),
            ComposeSource::new(&bucket, "b")
                .offset(MIB as u64)
                .length(6 * MIB as u64),
            ComposeSource::new(&bucket, "b").offset(3 * MIB as u64),
            ComposeSource::new(&bucket, "c"),
        ];
        let r = client
            .compose_object(&bucket, "all", sources)
            .metadata([("Composed", "yes")])
            .await
            .unwrap();
        assert!(r.etag.as_deref().unwrap().ends_with("-4"), "{r:?}");
        let seen = log.lock().unwrap().clone();
        assert_eq!(count(&log, "HEAD"), 4, "{:?}", kinds(&log));
        assert_eq!(count(&log, "PARTCOPY"), 4);
        let mut want = a.clone();
        want.extend_from_slice(&b[MIB..7 * MIB]);
        want.extend_from_slice(&b[3 * MIB..]);
        want.extend_from_slice(&c);
        assert!(read(&client, &bucket, "all").await == want, "{server:?}");
        let st = client.stat_object(&bucket, "all").await.unwrap();
        assert_eq!(st.size, Some(want.len() as u64));
        assert_eq!(st.user_metadata["composed"], "yes");
        let parts: Vec<_> = seen.iter().filter(|s| s.kind == "PARTCOPY").collect();
        // A whole source is copied without a range; every part is pinned to
        // the ETag its source's stat saw.
        let etag_a = client.stat_object(&bucket, "a").await.unwrap().etag;
        let etag_b = client.stat_object(&bucket, "b").await.unwrap().etag;
        for p in &parts {
            let want = if p.source.as_deref().unwrap().ends_with("/a") {
                &etag_a
            } else if p.source.as_deref().unwrap().ends_with("/b") {
                &etag_b
            } else {
                continue;
            };
            assert_eq!(&p.if_match, want);
        }
        let mut ranges: Vec<_> = parts.iter().map(|p| p.range.clone()).collect();
        ranges.sort();
        assert_eq!(
            ranges,
            [
                None,
                None,
                Some(format!("bytes={}-{}", MIB, 7 * MIB - 1)),
                Some(format!("bytes={}-{}", 3 * MIB, 8 * MIB - 1)),
            ]
        );

        // With a smaller part size a source is split (and its remainder
        // kept above 5 MiB by joining the part before it).
        log.lock().unwrap().clear();
        let sources = vec![
            ComposeSource::new(&bucket, "b"),
            ComposeSource::new(&bucket, "a"),
        ];
        client
            .compose_object(&bucket, "split", sources)
            .part_size(5 * MIB as u64)
            .num_parallel_uploads(1)
            .await
            .unwrap();
        let mut want = b.clone();
        want.extend_from_slice(&a);
        assert!(read(&client, &bucket, "split").await == want);
        // b (8 MiB) would end in a 3 MiB part: it is one 8 MiB part instead.
        assert_eq!(count(&log, "PARTCOPY"), 2, "{:?}", kinds(&log));
    }
}

#[tokio::test]
async fn one_small_whole_source_is_a_plain_copy() {
    for server in common::all_servers() {
        let (layer, log) = recorder();
        let client = common::builder(server).layer(layer).build().unwrap();
        let bucket = common::bucket(&client, "compose-one").await;
        let put = client
            .put_object(&bucket, "src", "tiny")
            .metadata([("Old", "1")])
            .await
            .unwrap();
        log.lock().unwrap().clear();
        let r = client
            .compose_object(&bucket, "dst", vec![ComposeSource::new(&bucket, "src")])
            .metadata([("New", "2")])
            .await
            .unwrap();
        assert_eq!(kinds(&log), ["HEAD", "COPY"], "{server:?}");
        // Pinned to the stat's ETag even so.
        assert_eq!(log.lock().unwrap()[1].if_match, put.etag);
        assert_eq!(r.etag, put.etag);
        // The given metadata replaces the source's.
        let st = client.stat_object(&bucket, "dst").await.unwrap();
        assert_eq!(st.user_metadata.get("new").map(String::as_str), Some("2"));
        assert!(!st.user_metadata.contains_key("old"), "{server:?}");
        assert_eq!(read(&client, &bucket, "dst").await, b"tiny");
        // A small source may be ranged (and be last).
        let small = pattern(100_000, 7);
        client
            .put_object(&bucket, "small", small.clone())
            .await
            .unwrap();
        client
            .compose_object(
                &bucket,
                "ranged",
                vec![ComposeSource::new(&bucket, "small").offset(1).length(2)],
            )
            .await
            .unwrap();
        assert_eq!(read(&client, &bucket, "ranged").await, &small[1..3]);
        let tiny_range = client
            .compose_object(
                &bucket,
                "ranged",
                vec![ComposeSource::new(&bucket, "src").offset(1).length(2)],
            )
            .await;
        if matches!(server.kind, newtera_testkit::ServerKind::Garage) {
            // garage 2.5.0 deviates: it refuses UploadPartCopy from an
            // object it stores inline (a few KiB), whatever the range.
            let err = tiny_range.unwrap_err();
            assert_eq!(err.code(), Some("InvalidRequest"), "{err:?}");
            no_uploads_left(&client, &bucket, "inline source").await;
        } else {
            tiny_range.unwrap();
            assert_eq!(read(&client, &bucket, "ranged").await, b"in");
        }
        // CopySource and ComposeSource convert into each other.
        let back: CopySource = ComposeSource::new(&bucket, "src").into();
        client.copy_object(&bucket, "back", back).await.unwrap();
        if server.caps().tagging {
            let mut tags = Tags::new_object_tags();
            tags.insert("k", "v").unwrap();
            client
                .compose_object(&bucket, "tagged", vec![ComposeSource::new(&bucket, "src")])
                .tags(tags)
                .await
                .unwrap();
            let st = client.stat_object(&bucket, "tagged").await.unwrap();
            assert_eq!(
                st.metadata
                    .get("x-amz-tagging-count")
                    .and_then(|v| v.to_str().ok()),
                Some("1")
            );
        }
    }
}

#[tokio::test]
async fn bad_arguments_are_refused_before_sending() {
    let server = newtera_testkit::garage();
    let sent = common::Count::default();
    let client = common::builder(server).layer(sent.clone()).build().unwrap();
    let big = || ComposeSource::new("bucket", "big");
    let cases: Vec<(&str, newtera::ComposeObject)> = vec![
        ("empty list", client.compose_object("bucket", "o", vec![])),
        (
            "too-small source part",
            client.compose_object("bucket", "o", vec![big().length(5 * MIB as u64 - 1), big()]),
        ),
        (
            "zero length",
            client.compose_object("bucket", "o", vec![big().length(0)]),
        ),
        (
            "empty match_etag",
            client.compose_object("bucket", "o", vec![big().match_etag("")]),
        ),
        (
            "bad source bucket",
            client.compose_object("bucket", "o", vec![ComposeSource::new("B_", "k")]),
        ),
        (
            "bad destination",
            client.compose_object("bucket", "", vec![big()]),
        ),
        (
            "part size",
            client
                .compose_object("bucket", "o", vec![big()])
                .part_size(MIB as u64),
        ),
        (
            "no parallelism",
            client
                .compose_object("bucket", "o", vec![big()])
                .num_parallel_uploads(0),
        ),
        (
            "too many sources",
            client.compose_object("bucket", "o", vec![big(); 10_001]),
        ),
        (
            "SSE-C over HTTP",
            client.compose_object(
                "bucket",
                "o",
                vec![big().ssec(newtera::SseCustomerKey::new(&[1; 32]).unwrap())],
            ),
        ),
        (
            "bad metadata",
            client
                .compose_object("bucket", "o", vec![big()])
                .metadata([("k", "ü")]),
        ),
    ];
    for (what, req) in cases {
        let err = req.await.unwrap_err();
        assert!(err.is_invalid_argument(), "{what}: {err:?}");
    }
    let err = client
        .copy_object("bucket", "o", CopySource::new("bucket", "k").length(0))
        .await
        .unwrap_err();
    assert!(err.is_invalid_argument(), "{err:?}");
    assert_eq!(sent.get(), 0, "nothing was sent");
}

#[tokio::test]
async fn sizes_from_the_stat_are_checked_before_any_write() {
    for server in common::all_servers() {
        let (layer, log) = recorder();
        let client = common::builder(server).layer(layer).build().unwrap();
        let bucket = common::bucket(&client, "compose-check").await;
        client.put_object(&bucket, "small", "tiny").await.unwrap();
        client
            .put_object(&bucket, "five", pattern(5 * MIB, 4))
            .await
            .unwrap();
        let cases = [
            (
                "too-small source part",
                vec![
                    ComposeSource::new(&bucket, "small"),
                    ComposeSource::new(&bucket, "five"),
                ],
            ),
            (
                "range cut below 5 MiB",
                vec![
                    ComposeSource::new(&bucket, "five").offset(1),
                    ComposeSource::new(&bucket, "five"),
                ],
            ),
            (
                "offset beyond the object",
                vec![ComposeSource::new(&bucket, "small").offset(4)],
            ),
            (
                "length beyond the object",
                vec![ComposeSource::new(&bucket, "small").offset(1).length(4)],
            ),
        ];
        for (what, sources) in cases {
            log.lock().unwrap().clear();
            let n = sources.len();
            let err = client
                .compose_object(&bucket, "o", sources)
                .await
                .unwrap_err();
            assert!(err.is_invalid_argument(), "{what}: {err:?}");
            assert_eq!(kinds(&log), vec!["HEAD"; n], "{what}: only stats");
        }
        // A missing source: the stat's NoSuchKey, and nothing written.
        log.lock().unwrap().clear();
        let err = client
            .compose_object(
                &bucket,
                "o",
                vec![
                    ComposeSource::new(&bucket, "five"),
                    ComposeSource::new(&bucket, "gone"),
                ],
            )
            .await
            .unwrap_err();
        assert_eq!(err.code(), Some("NoSuchKey"), "{err:?}");
        assert!(kinds(&log).iter().all(|k| k == "HEAD"));
        let e = client.stat_object(&bucket, "o").await.unwrap_err();
        assert_eq!(e.code(), Some("NoSuchKey"));
    }
}

/// A part copy that fails (here: its source vanished between the stat and
/// the copy) fails the compose, names the part, and aborts the upload.
#[tokio::test]
async fn a_failed_part_aborts_the_upload() {
    for server in common::all_servers() {
        let plain = common::client(server);
        let bucket = common::bucket(&plain, "compose-fail").await;
        let data = pattern(5 * MIB, 6);
        plain.put_object(&bucket, "a", data.clone()).await.unwrap();
        plain.put_object(&bucket, "b", data.clone()).await.unwrap();
        // Remove "b" once the upload is created, before its part is copied.
        let (p, b) = (plain.clone(), bucket.clone());
        let hook = common::Hook(
            move |req: &newtera::transport::HttpRequest| -> common::Then {
                if copy_support::kind(req) != "CREATE" {
                    return common::pass();
                }
                let (p, b) = (p.clone(), b.clone());
                Box::new(move |fut| {
                    Box::pin(async move {
                        let resp = fut.await;
                        p.remove_object(&b, "b").await.unwrap();
                        resp
                    })
                })
            },
        );
        let client = common::builder(server).layer(hook).build().unwrap();
        let err = client
            .compose_object(
                &bucket,
                "o",
                vec![
                    ComposeSource::new(&bucket, "a"),
                    ComposeSource::new(&bucket, "b"),
                ],
            )
            .num_parallel_uploads(1)
            .await
            .unwrap_err();
        match &err {
            Error::Part { part_number, .. } => assert_eq!(*part_number, 2, "{err:?}"),
            other => panic!("{server:?}: {other:?}"),
        }
        assert_eq!(err.code(), Some("NoSuchKey"), "{server:?}: {err:?}");
        no_uploads_left(&plain, &bucket, "failed compose").await;
        let e = plain.stat_object(&bucket, "o").await.unwrap_err();
        assert_eq!(e.code(), Some("NoSuchKey"));
    }
}

/// A compose whose future is dropped mid-way (here by a timeout while part
/// copies stall) leaves no multipart upload behind.
#[tokio::test]
async fn a_dropped_compose_aborts_its_upload() {
    for server in common::all_servers() {
        let plain = common::client(server);
        let bucket = common::bucket(&plain, "compose-drop").await;
        plain
            .put_object(&bucket, "a", pattern(5 * MIB, 8))
            .await
            .unwrap();
        let created = std::sync::Arc::new(tokio::sync::Notify::new());
        let seen = created.clone();
        let hook = common::Hook(
            move |req: &newtera::transport::HttpRequest| -> common::Then {
                if copy_support::kind(req) != "PARTCOPY" {
                    return common::pass();
                }
                // The upload exists (and its abort guard): stall the part.
                seen.notify_one();
                Box::new(|fut| {
                    Box::pin(async move {
                        tokio::time::sleep(std::time::Duration::from_secs(3600)).await;
                        fut.await
                    })
                })
            },
        );
        let client = common::builder(server).layer(hook).build().unwrap();
        let compose = client.compose_object(
            &bucket,
            "o",
            vec![
                ComposeSource::new(&bucket, "a"),
                ComposeSource::new(&bucket, "a"),
            ],
        );
        let task = tokio::spawn(async move { compose.await });
        created.notified().await;
        task.abort();
        assert!(task.await.unwrap_err().is_cancelled());
        no_uploads_left(&plain, &bucket, "dropped compose").await;
    }
}
