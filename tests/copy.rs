//! copy_object against real servers: metadata and tag directives, keys that
//! need encoding in `x-amz-copy-source`, versions, ranged and large copies
//! through UploadPartCopy, conditions, a 200 answer carrying an `<Error>`,
//! object lock on the copy, and an SSE-C source over HTTPS.

#![allow(clippy::unwrap_used)]

mod common;
mod copy_support;

use std::time::{Duration, SystemTime};

use bytes::Bytes;
use copy_support::{count, kinds, no_uploads_left, pattern, read, recorder, MIB};
use newtera::transport::{HttpRequest, ResponseBody};
use newtera::{CopySource, Directive, Error, SseCustomerKey, Tags};
use newtera_testkit::ServerKind;

#[tokio::test]
async fn copy_keeps_or_replaces_metadata_and_tags() {
    for server in common::all_servers() {
        let client = common::client(server);
        let bucket = common::bucket(&client, "copy").await;
        let dst_bucket = common::bucket(&client, "copy-dst").await;
        let put = client
            .put_object(&bucket, "src", "copy me")
            .content_type("text/plain")
            .metadata([("Project", "one")])
            .await
            .unwrap();
        let r = client
            .copy_object(&dst_bucket, "kept", CopySource::new(&bucket, "src"))
            .await
            .unwrap();
        assert_eq!(r.bucket_name, dst_bucket);
        assert_eq!(r.object_name, "kept");
        // The same bytes, so the same (single-part) ETag.
        assert_eq!(r.etag, put.etag, "{server:?}");
        assert!(r.last_modified.is_some());
        let st = client.stat_object(&dst_bucket, "kept").await.unwrap();
        assert_eq!(st.etag, r.etag);
        assert_eq!(st.content_type.as_deref(), Some("text/plain"));
        assert_eq!(st.user_metadata["project"], "one", "{server:?}");
        assert_eq!(read(&client, &dst_bucket, "kept").await, b"copy me");

        // REPLACE takes the given metadata (content type included).
        client
            .copy_object(&bucket, "replaced", CopySource::new(&bucket, "src"))
            .metadata([("Project", "two"), ("Content-Type", "text/csv")])
            .metadata_directive(Directive::Replace)
            .await
            .unwrap();
        let st = client.stat_object(&bucket, "replaced").await.unwrap();
        assert_eq!(st.user_metadata["project"], "two", "{server:?}");
        assert_eq!(st.content_type.as_deref(), Some("text/csv"), "{server:?}");

        // Copying an object onto itself needs REPLACE (S3's rule; garage
        // 2.5.0 deviates and makes the copy).
        let onto_itself = client
            .copy_object(&bucket, "src", CopySource::new(&bucket, "src"))
            .await;
        if matches!(server.kind, ServerKind::Garage) {
            onto_itself.unwrap();
        } else {
            let err = onto_itself.unwrap_err();
            assert_eq!(err.code(), Some("InvalidRequest"), "{server:?}: {err:?}");
        }
        client
            .copy_object(&bucket, "src", CopySource::new(&bucket, "src"))
            .metadata([("Project", "three")])
            .metadata_directive(Directive::Replace)
            .await
            .unwrap();
        let st = client.stat_object(&bucket, "src").await.unwrap();
        assert_eq!(st.user_metadata["project"], "three", "{server:?}");

        // A missing source is the server's NoSuchKey (from the stat).
        let err = client
            .copy_object(&bucket, "x", CopySource::new(&bucket, "missing"))
            .await
            .unwrap_err();
        assert_eq!(err.code(), Some("NoSuchKey"), "{server:?}: {err:?}");

        if server.caps().tagging {
            let mut tags = Tags::new_object_tags();
            tags.insert("team", "storage").unwrap();
            client
                .copy_object(&bucket, "tagged", CopySource::new(&bucket, "src"))
                .tags(tags)
                .tagging_directive(Directive::Replace)
                .await
                .unwrap();
            let st = client.stat_object(&bucket, "tagged").await.unwrap();
            assert_eq!(
                st.metadata
                    .get("x-amz-tagging-count")
                    .and_then(|v| v.to_str().ok()),
                Some("1"),
                "{server:?}: {:?}",
                st.metadata
            );
        }
    }
}

#[tokio::test]
async fn copy_source_keys_are_url_encoded() {
    let keys = [
        "a b",
        "a+b",
        "100%",
        "100%25",
        "ümlaut/ñ/日本",
        "x=y&z?w#v",
        "what?versionId=1",
        "dir/sub dir/+ %2F😀.txt",
    ];
    for server in common::all_servers() {
        let client = common::client(server);
        let bucket = common::bucket(&client, "copy-keys").await;
        // Each object is its key then a pattern: big enough for garage to
        // part-copy (it cannot from an object it stores inline, a few KiB).
        let data = |key: &str| [key.as_bytes(), &pattern(100_000, 9)].concat();
        for key in keys {
            client
                .put_object(&bucket, key, data(key))
                .await
                .unwrap_or_else(|e| panic!("{server:?} {key}: {e:?}"));
        }
        for (i, key) in keys.iter().enumerate() {
            // Source and destination both need encoding.
            let dst = format!("copy of {key}");
            client
                .copy_object(&bucket, &dst, CopySource::new(&bucket, *key))
                .await
                .unwrap_or_else(|e| panic!("{server:?} {key}: {e:?}"));
            assert!(
                read(&client, &bucket, &dst).await == data(key),
                "{server:?} {key}"
            );
            // The multipart path names the source the same way.
            let ranged = format!("range {i}");
            client
                .copy_object(&bucket, &ranged, CopySource::new(&bucket, *key).offset(1))
                .await
                .unwrap_or_else(|e| panic!("{server:?} ranged {key}: {e:?}"));
            assert!(
                read(&client, &bucket, &ranged).await == data(key)[1..],
                "{server:?} {key}"
            );
        }
    }
}

#[tokio::test]
async fn ranged_copy_goes_through_upload_part_copy() {
    for server in common::all_servers() {
        let (layer, log) = recorder();
        let client = common::builder(server).layer(layer).build().unwrap();
        let bucket = common::bucket(&client, "copy-range").await;
        let data = pattern(7 * MIB, 1);
        client
            .put_object(&bucket, "src", data.clone())
            .await
            .unwrap();
        log.lock().unwrap().clear();
        let (offset, length) = (MIB as u64 + 5, 5 * MIB as u64 + 3);
        client
            .copy_object(
                &bucket,
                "part",
                CopySource::new(&bucket, "src")
                    .offset(offset)
                    .length(length),
            )
            .metadata([("Range", "yes")])
            .await
            .unwrap();
        assert_eq!(
            kinds(&log),
            // The uploads of the key are listed before the create, so that
            // strays of a lost answer can be told from others' uploads.
            ["HEAD", "LISTUPLOADS", "CREATE", "PARTCOPY", "COMPLETE"],
            "{server:?}"
        );
        let seen = log.lock().unwrap()[3].clone();
        assert_eq!(
            seen.range.as_deref(),
            Some(format!("bytes={offset}-{}", offset + length - 1).as_str())
        );
        // Pinned to the ETag the stat saw.
        let etag = client.stat_object(&bucket, "src").await.unwrap().etag;
        assert_eq!(seen.if_match, etag);
        let (o, l) = (offset as usize, length as usize);
        assert!(read(&client, &bucket, "part").await == data[o..o + l]);
        let st = client.stat_object(&bucket, "part").await.unwrap();
        assert_eq!(st.user_metadata["range"], "yes");

        // A part copy cannot keep the source's metadata: refused before
        // anything is sent.
        log.lock().unwrap().clear();
        let err = client
            .copy_object(&bucket, "p2", CopySource::new(&bucket, "src").offset(1))
            .metadata_directive(Directive::Copy)
            .await
            .unwrap_err();
        assert!(err.is_invalid_argument(), "{err:?}");
        assert!(kinds(&log).is_empty());
        // A range beyond the object is refused after the stat, before any write.
        let err = client
            .copy_object(
                &bucket,
                "p3",
                CopySource::new(&bucket, "src").offset(7 * MIB as u64),
            )
            .await
            .unwrap_err();
        assert!(err.is_invalid_argument(), "{err:?}");
        assert_eq!(kinds(&log), ["HEAD"]);
    }
}

/// A source above the part size is copied in parts; with a 5 MiB part size
/// a 12 MiB source stands in for one above 5 GiB (the same code path, with
/// S3's 5 GiB limit as the default part size).
#[tokio::test]
async fn source_above_the_part_size_is_copied_in_parts() {
    for server in common::all_servers() {
        let (layer, log) = recorder();
        let client = common::builder(server).layer(layer).build().unwrap();
        let bucket = common::bucket(&client, "copy-big").await;
        let data = pattern(12 * MIB + 1, 2);
        client
            .put_object(&bucket, "src", data.clone())
            .await
            .unwrap();
        log.lock().unwrap().clear();
        let r = client
            .copy_object(&bucket, "big", CopySource::new(&bucket, "src"))
            .part_size(5 * MIB as u64)
            .num_parallel_uploads(2)
            .await
            .unwrap();
        assert_eq!(count(&log, "PARTCOPY"), 3, "{server:?}: {:?}", kinds(&log));
        assert_eq!(count(&log, "COPY"), 0);
        let ranges: Vec<_> = log
            .lock()
            .unwrap()
            .iter()
            .filter_map(|s| s.range.clone())
            .collect();
        let mut ranges_sorted = ranges.clone();
        ranges_sorted.sort();
        let want = [
            "bytes=0-5242879".to_owned(),
            "bytes=10485760-12582912".to_owned(),
            "bytes=5242880-10485759".to_owned(),
        ];
        assert_eq!(ranges_sorted, want, "{server:?}");
        assert!(r.etag.as_deref().unwrap().ends_with("-3"), "{r:?}");
        assert!(read(&client, &bucket, "big").await == data);
        // The source's metadata cannot be kept this way.
        let err = client
            .copy_object(&bucket, "big2", CopySource::new(&bucket, "src"))
            .part_size(5 * MIB as u64)
            .tagging_directive(Directive::Copy)
            .await
            .unwrap_err();
        assert!(err.is_invalid_argument(), "{err:?}");
        // Below the part size it stays one CopyObject.
        log.lock().unwrap().clear();
        client
            .copy_object(&bucket, "one", CopySource::new(&bucket, "src"))
            .part_size(13 * MIB as u64)
            .await
            .unwrap();
        assert_eq!(kinds(&log), ["HEAD", "COPY"]);
    }
}

#[tokio::test]
async fn failing_conditions_are_precondition_failed() {
    let past = SystemTime::now() - Duration::from_secs(86_400);
    let future = SystemTime::now() + Duration::from_secs(86_400);
    for server in common::all_servers() {
        let client = common::client(server);
        let bucket = common::bucket(&client, "copy-cond").await;
        let etag = client
            .put_object(&bucket, "src", pattern(6 * MIB, 3))
            .await
            .unwrap()
            .etag
            .unwrap();
        let src = || CopySource::new(&bucket, "src");
        let failing = [
            (
                "match_etag",
                src().match_etag("0123456789abcdef0123456789abcdef"),
            ),
            ("not_match_etag", src().not_match_etag(etag.clone())),
            ("modified_since", src().modified_since(future)),
            ("unmodified_since", src().unmodified_since(past)),
        ];
        for (what, source) in failing {
            // moto 5.2.1 honours only x-amz-copy-source-if-none-match, and
            // only on CopyObject: it copies whatever the other conditions
            // say. (unmodified_since fails it anyway: the client checks it
            // at the stat, see below.)
            let moto = matches!(server.kind, ServerKind::Moto);
            if moto && !matches!(what, "not_match_etag" | "unmodified_since") {
                continue;
            }
            // One CopyObject: the server's error as is.
            let err = client
                .copy_object(&bucket, "dst", source.clone())
                .await
                .unwrap_err();
            match &err {
                Error::S3(e) => assert_eq!(e.code, "PreconditionFailed", "{server:?} {what}"),
                other => panic!("{server:?} {what}: {other:?}"),
            }
            if moto && what != "unmodified_since" {
                continue;
            }
            // In parts: the failed part is named, the upload aborted. (The
            // parts are pinned to the stat's ETag with if-match, beside
            // which S3 ignores if-unmodified-since: that one fails the stat.)
            let err = client
                .copy_object(&bucket, "dst", source.offset(0).length(5 * MIB as u64))
                .await
                .unwrap_err();
            if what == "unmodified_since" {
                let e = err.as_s3().unwrap_or_else(|| panic!("{err:?}"));
                assert_eq!(e.op, "HeadObject");
            } else {
                assert!(
                    matches!(&err, Error::Part { .. }),
                    "{server:?} {what}: {err:?}"
                );
            }
            assert_eq!(err.code(), Some("PreconditionFailed"), "{server:?} {what}");
        }
        no_uploads_left(&client, &bucket, "failed conditions").await;
        let e = client.stat_object(&bucket, "dst").await.unwrap_err();
        assert_eq!(e.code(), Some("NoSuchKey"));
        // Conditions that hold.
        let holding = src()
            .match_etag(etag.clone())
            .not_match_etag("0123456789abcdef0123456789abcdef")
            .modified_since(past)
            .unmodified_since(future);
        client
            .copy_object(&bucket, "dst", holding.clone())
            .await
            .unwrap();
        client
            .copy_object(&bucket, "dst2", holding.offset(MIB as u64))
            .await
            .unwrap();
        assert_eq!(read(&client, &bucket, "dst2").await.len(), 5 * MIB);
    }
}

/// A 200 `<Error>` body for the first `n` attempts of requests of `kind`.
fn error_in_200(
    kind: &'static str,
    code: &'static str,
    n: usize,
) -> common::Hook<impl Fn(&HttpRequest) -> common::Then + Clone + Send + Sync + 'static> {
    let hits = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    common::Hook(move |req: &HttpRequest| -> common::Then {
        if copy_support::kind(req) != kind
            || hits.fetch_add(1, std::sync::atomic::Ordering::SeqCst) >= n
        {
            return common::pass();
        }
        Box::new(move |fut| {
            Box::pin(async move {
                // The server did the work; the answer says it failed.
                let _ = fut.await?;
                let body = format!(
                    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>{code}</Code><Message>injected</Message></Error>"
                );
                Ok(http::Response::builder()
                    .status(200)
                    .body(ResponseBody::from_bytes(Bytes::from(body)))
                    .unwrap())
            })
        })
    })
}

#[tokio::test]
async fn a_200_answer_carrying_an_error_is_an_error() {
    let fast = newtera::transport::RetryConfig {
        max_attempts: 3,
        initial_backoff: Duration::from_millis(5),
        max_backoff: Duration::from_millis(20),
        budget: None,
    };
    for server in common::all_servers() {
        let plain = common::client(server);
        let bucket = common::bucket(&plain, "copy-200").await;
        plain
            .put_object(&bucket, "src", pattern(6 * MIB, 4))
            .await
            .unwrap();
        // Not retryable: the caller gets the code, with the 200 status.
        let client = common::builder(server)
            .layer(error_in_200("COPY", "AccessDenied", usize::MAX))
            .build()
            .unwrap();
        let err = client
            .copy_object(&bucket, "dst", CopySource::new(&bucket, "src"))
            .await
            .unwrap_err();
        let e = err.as_s3().unwrap_or_else(|| panic!("{err:?}"));
        assert_eq!((e.code.as_str(), e.status.as_u16()), ("AccessDenied", 200));
        // Retryable (InternalError): the retry succeeds.
        let client = common::builder(server)
            .retry(fast.clone())
            .layer(error_in_200("COPY", "InternalError", 1))
            .build()
            .unwrap();
        client
            .copy_object(&bucket, "dst", CopySource::new(&bucket, "src"))
            .await
            .unwrap();
        // A part copy answered so fails the copy, and the upload is aborted.
        let client = common::builder(server)
            .layer(error_in_200("PARTCOPY", "AccessDenied", usize::MAX))
            .build()
            .unwrap();
        let err = client
            .copy_object(&bucket, "parts", CopySource::new(&bucket, "src").offset(1))
            .await
            .unwrap_err();
        assert!(matches!(&err, Error::Part { .. }), "{err:?}");
        assert_eq!(err.code(), Some("AccessDenied"));
        no_uploads_left(&plain, &bucket, "200 with error").await;
    }
}

/// moto has versioning and object lock (garage has neither).
#[tokio::test]
async fn copy_of_a_version_with_retention_and_legal_hold() {
    for server in newtera_testkit::servers_with(|c| c.versioning && c.object_lock) {
        let client = common::client(server);
        let bucket = newtera_testkit::unique_bucket("copy-ver");
        // Object lock turns versioning on.
        client.make_bucket(&bucket).object_lock(true).await.unwrap();
        let v1 = client
            .put_object(&bucket, "k", "first")
            .await
            .unwrap()
            .version_id
            .unwrap();
        client.put_object(&bucket, "k", "second").await.unwrap();
        let r = client
            .copy_object(
                &bucket,
                "old",
                CopySource::new(&bucket, "k").version_id(&v1),
            )
            .await
            .unwrap();
        assert!(r.version_id.is_some(), "{r:?}");
        assert_eq!(read(&client, &bucket, "old").await, b"first");
        client
            .copy_object(
                &bucket,
                "old-part",
                CopySource::new(&bucket, "k").version_id(&v1).offset(1),
            )
            .await
            .unwrap();
        assert_eq!(read(&client, &bucket, "old-part").await, b"irst");

        // The copy's own object-lock settings. (Only the one-request path
        // is checked: moto 5.2.1 drops the object-lock headers of
        // CreateMultipartUpload, for uploads and part copies alike.)
        let until = SystemTime::now() + Duration::from_secs(3_600);
        let retention = newtera::Retention::new(newtera::RetentionMode::Governance, until);
        for (key, source) in [("locked", CopySource::new(&bucket, "k"))] {
            client
                .copy_object(&bucket, key, source)
                .retention(retention)
                .legal_hold(true)
                .await
                .unwrap_or_else(|e| panic!("{key}: {e:?}"));
            let st = client.stat_object(&bucket, key).await.unwrap();
            let h = |n: &str| st.metadata.get(n).and_then(|v| v.to_str().ok());
            assert_eq!(h("x-amz-object-lock-mode"), Some("GOVERNANCE"), "{key}");
            assert_eq!(h("x-amz-object-lock-legal-hold"), Some("ON"), "{key}");
            assert_eq!(read(&client, &bucket, key).await, b"second");
        }
    }
}

/// garage enforces SSE-C (moto accepts the headers but does not encrypt).
#[tokio::test]
async fn sse_c_source_over_https_on_garage() {
    let server = newtera_testkit::garage_tls();
    let (layer, log) = recorder();
    let client = common::builder(server).layer(layer).build().unwrap();
    let bucket = common::bucket(&client, "copy-ssec").await;
    let key = SseCustomerKey::new(b"32byteslongsecretkeymustprovided").unwrap();
    let other = SseCustomerKey::new(&[9u8; 32]).unwrap();
    let data = pattern(11 * MIB, 5);
    client
        .put_object(&bucket, "secret", data.clone())
        .sse(key.clone())
        .await
        .unwrap();
    // Without the source's key the server refuses (at the stat).
    let err = client
        .copy_object(&bucket, "x", CopySource::new(&bucket, "secret"))
        .await
        .unwrap_err();
    assert!(err.status().is_some_and(|s| s.is_client_error()), "{err:?}");
    // Decrypted into a plain object, in one request.
    client
        .copy_object(
            &bucket,
            "plain",
            CopySource::new(&bucket, "secret").ssec(key.clone()),
        )
        .await
        .unwrap();
    assert!(read(&client, &bucket, "plain").await == data);
    // Re-encrypted with another key, in parts.
    log.lock().unwrap().clear();
    client
        .copy_object(
            &bucket,
            "rekeyed",
            CopySource::new(&bucket, "secret").ssec(key.clone()),
        )
        .sse(other.clone())
        .part_size(5 * MIB as u64)
        .await
        .unwrap();
    assert_eq!(count(&log, "PARTCOPY"), 3, "{:?}", kinds(&log));
    let got = client
        .get_object(&bucket, "rekeyed")
        .ssec(other.clone())
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert!(got == data);
    let err = client
        .get_object(&bucket, "rekeyed")
        .ssec(key.clone())
        .await
        .unwrap_err();
    assert!(err.status().is_some_and(|s| s.is_client_error()), "{err:?}");
    // A wrong source key fails the copy.
    let err = client
        .copy_object(&bucket, "y", CopySource::new(&bucket, "secret").ssec(other))
        .await
        .unwrap_err();
    assert!(err.status().is_some_and(|s| s.is_client_error()), "{err:?}");

    // Over plain HTTP the key is refused before anything is sent.
    let count = common::Count::default();
    let http = common::builder(newtera_testkit::garage())
        .layer(count.clone())
        .build()
        .unwrap();
    let err = http
        .copy_object(&bucket, "z", CopySource::new(&bucket, "secret").ssec(key))
        .await
        .unwrap_err();
    assert!(err.is_invalid_argument(), "{err:?}");
    assert_eq!(count.get(), 0);
}
