//! Downloads cut off mid-body resume with a range request pinned to the
//! object's ETag; a changed object fails clearly; checksums are verified.

#![allow(clippy::unwrap_used)]

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use futures::StreamExt as _;
use newtera::transport::{HttpRequest, ResponseBody};
use newtera::Error;

fn pattern(len: usize) -> Vec<u8> {
    (0..len).map(|i| ((i * 7 + 3) % 253) as u8).collect()
}

/// A hook that cuts the successful GET bodies of keys ending in `/cut-me`
/// at the given offsets (relative to each body's start; one offset per
/// body, later bodies pass), as a reset would, and checks that every
/// resumed read is pinned with `If-Match`. Also returns the number of such
/// bodies seen.
fn cutter(
    offsets: Vec<usize>,
) -> (
    common::Hook<impl Fn(&HttpRequest) -> common::Then + Clone + Send + Sync + 'static>,
    Arc<AtomicUsize>,
) {
    let seen = Arc::new(AtomicUsize::new(0));
    let offsets = Arc::new(offsets);
    let counter = seen.clone();
    let hook = move |req: &HttpRequest| -> common::Then {
        if !common::is_get_of(req, "cut-me") {
            return common::pass();
        }
        let had_if_match = req.headers().contains_key(http::header::IF_MATCH);
        let (seen, offsets) = (counter.clone(), offsets.clone());
        Box::new(move |fut| {
            Box::pin(async move {
                let resp = fut.await?;
                if !resp.status().is_success() {
                    return Ok(resp);
                }
                let n = seen.fetch_add(1, Ordering::SeqCst);
                if n > 0 {
                    assert!(had_if_match, "a resumed read must be pinned with If-Match");
                }
                match offsets.get(n) {
                    Some(&at) => common::cut_after(resp, at).await,
                    None => Ok(resp),
                }
            })
        })
    };
    (common::Hook(hook), seen)
}

#[tokio::test]
async fn a_body_cut_at_several_offsets_resumes_to_the_right_bytes() {
    for server in common::all_servers() {
        let plain = common::client(server);
        let bucket = common::bucket(&plain, "resume").await;
        let data = pattern(3 * 1024 * 1024 + 17);
        plain
            .put_object(&bucket, "cut-me", data.clone())
            .await
            .unwrap();
        // Cut at the very start, mid-way, and one byte before the end.
        let (layer, seen) = cutter(vec![0, 1_000_000, 200_000, data.len() - 1_200_001]);
        let client = common::builder(server).layer(layer).build().unwrap();
        let got = client
            .get_object(&bucket, "cut-me")
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap();
        assert!(got == data, "{server:?}: resumed bytes differ");
        assert_eq!(seen.load(Ordering::SeqCst), 5, "1 read + 4 resumptions");
        // A ranged read resumes inside its range.
        let (layer, _) = cutter(vec![100, 100]);
        let client = common::builder(server).layer(layer).build().unwrap();
        let got = client
            .get_object(&bucket, "cut-me")
            .offset(1000)
            .length(50_000)
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap();
        assert!(got[..] == data[1000..51_000]);
        // fget resumes too.
        let (layer, _) = cutter(vec![5000]);
        let client = common::builder(server).layer(layer).build().unwrap();
        let dir = tempfile::tempdir().unwrap();
        let dst = dir.path().join("out.bin");
        client.fget_object(&bucket, "cut-me", &dst).await.unwrap();
        assert!(std::fs::read(&dst).unwrap() == data);
    }
}

#[tokio::test]
async fn a_changed_object_fails_the_resumed_read() {
    for server in common::all_servers() {
        let plain = common::client(server);
        let bucket = common::bucket(&plain, "changed").await;
        plain
            .put_object(&bucket, "cut-me", pattern(500_000))
            .await
            .unwrap();
        let (layer, _) = cutter(vec![10_000]);
        let client = common::builder(server).layer(layer).build().unwrap();
        let mut body = client
            .get_object(&bucket, "cut-me")
            .await
            .unwrap()
            .into_stream();
        let first = body.next().await.unwrap().unwrap();
        assert!(!first.is_empty());
        // The object changes before the read resumes.
        plain
            .put_object(&bucket, "cut-me", vec![1u8; 500_000])
            .await
            .unwrap();
        let mut err = None;
        while let Some(chunk) = body.next().await {
            if let Err(e) = chunk {
                err = Some(e);
                break;
            }
        }
        let err = err.expect("the read must fail");
        assert!(
            matches!(err, Error::ObjectChanged { .. }),
            "{server:?}: {err:?}"
        );
    }
}

#[tokio::test]
async fn resumption_gives_up_without_progress() {
    let server = newtera_testkit::garage();
    let plain = common::client(server);
    let bucket = common::bucket(&plain, "noprog").await;
    plain
        .put_object(&bucket, "cut-me", pattern(100_000))
        .await
        .unwrap();
    let (layer, seen) = cutter(vec![10, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    let client = common::builder(server)
        .layer(layer)
        .resume_attempts(3)
        .build()
        .unwrap();
    let err = client
        .get_object(&bucket, "cut-me")
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Transport { .. }), "{err:?}");
    assert_eq!(
        seen.load(Ordering::SeqCst),
        4,
        "1 read + 3 resumptions without progress"
    );
}

/// A hook that flips one byte in the middle of every successful GET body of
/// `/flip-me`.
fn flipper(req: &HttpRequest) -> common::Then {
    if !common::is_get_of(req, "flip-me") {
        return common::pass();
    }
    Box::new(|fut| {
        Box::pin(async move {
            let resp = fut.await?;
            if !resp.status().is_success() {
                return Ok(resp);
            }
            let (parts, body) = resp.into_parts();
            let mut all = body.collect(usize::MAX).await?.to_vec();
            let mid = all.len() / 2;
            all[mid] ^= 0x01;
            Ok(http::Response::from_parts(
                parts,
                ResponseBody::from_bytes(all.into()),
            ))
        })
    })
}

#[tokio::test]
async fn a_corrupted_body_is_caught_by_the_checksum() {
    for server in common::all_servers() {
        let plain = common::client(server);
        let bucket = common::bucket(&plain, "flip").await;
        let data = pattern(300_000);
        plain
            .put_object(&bucket, "flip-me", data.clone())
            .await
            .unwrap();
        // The server stored and returns the CRC64NVME the client sent (the default).
        let resp = plain.get_object(&bucket, "flip-me").await.unwrap();
        assert!(
            resp.headers.contains_key("x-amz-checksum-crc64nvme"),
            "{server:?} returned no checksum: {:?}",
            resp.headers
        );
        assert!(resp.bytes().await.unwrap() == data);
        let client = common::builder(server)
            .layer(common::Hook(flipper))
            .build()
            .unwrap();
        assert_flip_caught(&client, &bucket, server).await;
        let dir = tempfile::tempdir().unwrap();
        let dst = dir.path().join("out");
        let err = client
            .fget_object(&bucket, "flip-me", &dst)
            .await
            .unwrap_err();
        assert!(matches!(err, Error::ChecksumMismatch { .. }), "{err:?}");
        assert!(!dst.exists());
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            0,
            "no temporary file left"
        );
        // With CRC32C and CRC32, too (moto and garage both store them).
        for alg in [
            newtera::ChecksumAlgorithm::Crc32c,
            newtera::ChecksumAlgorithm::Crc32,
        ] {
            let writer = common::builder(server)
                .checksum_algorithm(Some(alg))
                .build()
                .unwrap();
            writer
                .put_object(&bucket, "flip-me", data.clone())
                .await
                .unwrap();
            let resp = writer.get_object(&bucket, "flip-me").await.unwrap();
            assert!(
                resp.headers.contains_key(alg.header_name()),
                "{server:?} {alg:?}: {:?}",
                resp.headers
            );
            assert!(resp.bytes().await.unwrap() == data);
            // A reader that uploads with the default algorithm verifies
            // whatever the object carries.
            let flip = common::builder(server)
                .layer(common::Hook(flipper))
                .build()
                .unwrap();
            assert_flip_caught(&flip, &bucket, server).await;
        }
    }
}

/// A GET of `flip-me` through a [`flipper`] client fails its checksum.
async fn assert_flip_caught(
    client: &newtera::Newtera,
    bucket: &str,
    server: &newtera_testkit::TestServer,
) {
    let err = client
        .get_object(bucket, "flip-me")
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::ChecksumMismatch { .. }),
        "{server:?}: {err:?}"
    );
}

#[tokio::test]
async fn multipart_uploads_carry_checksums_for_every_algorithm() {
    for server in common::all_servers() {
        for alg in [
            newtera::ChecksumAlgorithm::Crc32c,
            newtera::ChecksumAlgorithm::Crc64Nvme,
            newtera::ChecksumAlgorithm::Crc32,
        ] {
            let client = common::builder(server)
                .checksum_algorithm(Some(alg))
                .build()
                .unwrap();
            let bucket = common::bucket(&client, "ck").await;
            let data = pattern(11 * 1024 * 1024);
            let r = client
                .put_object(&bucket, "mp", data.clone())
                .part_size(5 * 1024 * 1024)
                .await
                .unwrap_or_else(|e| panic!("{server:?} {alg:?}: {e:?}"));
            assert!(r.etag.unwrap().ends_with("-3"));
            let resp = client.get_object(&bucket, "mp").await.unwrap();
            let got = resp.bytes().await.unwrap();
            assert!(got == data);
        }
        // Checksums can be switched off for servers that reject them.
        let client = common::builder(server)
            .checksum_algorithm(None)
            .build()
            .unwrap();
        let bucket = common::bucket(&client, "nock").await;
        client.put_object(&bucket, "k", "v").await.unwrap();
    }
}

#[tokio::test]
async fn a_cut_at_the_last_byte_or_after_it_ends_right() {
    for server in common::all_servers() {
        let plain = common::client(server);
        let bucket = common::bucket(&plain, "lastbyte").await;
        let data = pattern(300_000);
        plain
            .put_object(&bucket, "cut-me", data.clone())
            .await
            .unwrap();
        plain
            .put_object(&bucket, "empty/cut-me", Vec::new())
            .await
            .unwrap();
        // Every byte but the last, then every byte and still a reset: the
        // first resumes a one-byte range, the second has nothing to resume
        // (it used to ask for an inverted range).
        for (at, want_seen) in [(data.len() - 1, 2), (data.len(), 1)] {
            let (layer, seen) = cutter(vec![at]);
            let client = common::builder(server).layer(layer).build().unwrap();
            let got = client
                .get_object(&bucket, "cut-me")
                .await
                .unwrap()
                .bytes()
                .await
                .unwrap_or_else(|e| panic!("{server:?} cut at {at}: {e:?}"));
            assert!(got == data, "{server:?} cut at {at}");
            assert_eq!(seen.load(Ordering::SeqCst), want_seen, "cut at {at}");
            // The same at the end of a range.
            let (layer, _) = cutter(vec![999]);
            let client = common::builder(server).layer(layer).build().unwrap();
            let got = client
                .get_object(&bucket, "cut-me")
                .offset(5000)
                .length(1000)
                .await
                .unwrap()
                .bytes()
                .await
                .unwrap();
            assert!(got[..] == data[5000..6000]);
        }
        // An empty object cut "after" its no bytes.
        let (layer, _) = cutter(vec![0]);
        let client = common::builder(server).layer(layer).build().unwrap();
        let got = client
            .get_object(&bucket, "empty/cut-me")
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap_or_else(|e| panic!("{server:?} empty: {e:?}"));
        assert!(got.is_empty());
    }
}
