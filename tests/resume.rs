//! Downloads cut off mid-body resume with a range request pinned to the
//! object's ETag; a changed object fails clearly; checksums are verified.

#![allow(clippy::unwrap_used)]

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use bytes::Bytes;
use futures::StreamExt as _;
use newtera::transport::{HttpRequest, HttpResponse, ResponseBody, TransportError};
use newtera::Error;

fn pattern(len: usize) -> Vec<u8> {
    (0..len).map(|i| ((i * 7 + 3) % 253) as u8).collect()
}

/// Cuts the first `cuts` GET bodies of keys ending in `/cut-me` at the
/// given offsets (relative to each body's start), as a reset would.
#[derive(Clone)]
struct Cutter {
    offsets: Arc<Vec<usize>>,
    seen: Arc<AtomicUsize>,
}

impl<S> tower::Layer<S> for Cutter {
    type Service = CutterService<S>;
    fn layer(&self, inner: S) -> Self::Service {
        CutterService(inner, self.clone())
    }
}

#[derive(Clone)]
struct CutterService<S>(S, Cutter);

impl<S> tower::Service<HttpRequest> for CutterService<S>
where
    S: tower::Service<HttpRequest, Response = HttpResponse, Error = TransportError>
        + Send
        + 'static,
    S::Future: Send + 'static,
{
    type Response = HttpResponse;
    type Error = TransportError;
    type Future = futures::future::BoxFuture<'static, Result<HttpResponse, TransportError>>;

    fn poll_ready(
        &mut self,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Result<(), TransportError>> {
        self.0.poll_ready(cx)
    }

    fn call(&mut self, req: HttpRequest) -> Self::Future {
        let target = req.method() == http::Method::GET && req.uri().path().ends_with("/cut-me");
        let had_if_match = req.headers().contains_key(http::header::IF_MATCH);
        let cut = self.1.clone();
        let fut = self.0.call(req);
        Box::pin(async move {
            let resp = fut.await?;
            if !target || !resp.status().is_success() {
                return Ok(resp);
            }
            let n = cut.seen.fetch_add(1, Ordering::SeqCst);
            if n > 0 {
                assert!(had_if_match, "a resumed read must be pinned with If-Match");
            }
            let Some(&at) = cut.offsets.get(n) else {
                return Ok(resp);
            };
            let (parts, body) = resp.into_parts();
            let all = body.collect(usize::MAX).await?;
            let at = at.min(all.len());
            let frames: Vec<Result<http_body::Frame<Bytes>, std::io::Error>> = vec![
                Ok(http_body::Frame::data(all.slice(..at))),
                Err(std::io::Error::new(
                    std::io::ErrorKind::ConnectionReset,
                    "cut by test",
                )),
            ];
            let body = http_body_util::StreamBody::new(futures::stream::iter(frames));
            Ok(http::Response::from_parts(parts, ResponseBody::new(body)))
        })
    }
}

fn cutter(offsets: Vec<usize>) -> (Cutter, Arc<AtomicUsize>) {
    let seen = Arc::new(AtomicUsize::new(0));
    (
        Cutter {
            offsets: Arc::new(offsets),
            seen: seen.clone(),
        },
        seen,
    )
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

/// Flips one byte in the middle of every successful GET body of `/flip-me`.
#[derive(Clone)]
struct Flipper;

impl<S> tower::Layer<S> for Flipper {
    type Service = FlipperService<S>;
    fn layer(&self, inner: S) -> Self::Service {
        FlipperService(inner)
    }
}

#[derive(Clone)]
struct FlipperService<S>(S);

impl<S> tower::Service<HttpRequest> for FlipperService<S>
where
    S: tower::Service<HttpRequest, Response = HttpResponse, Error = TransportError>
        + Send
        + 'static,
    S::Future: Send + 'static,
{
    type Response = HttpResponse;
    type Error = TransportError;
    type Future = futures::future::BoxFuture<'static, Result<HttpResponse, TransportError>>;

    fn poll_ready(
        &mut self,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Result<(), TransportError>> {
        self.0.poll_ready(cx)
    }

    fn call(&mut self, req: HttpRequest) -> Self::Future {
        let target = req.method() == http::Method::GET && req.uri().path().ends_with("/flip-me");
        let fut = self.0.call(req);
        Box::pin(async move {
            let resp = fut.await?;
            if !target || !resp.status().is_success() {
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
    }
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
        let client = common::builder(server).layer(Flipper).build().unwrap();
        let err = client
            .get_object(&bucket, "flip-me")
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap_err();
        assert!(
            matches!(err, Error::ChecksumMismatch { .. }),
            "{server:?}: {err:?}"
        );
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
        // With CRC32C, too (moto and garage both store it).
        let c64 = common::builder(server)
            .checksum_algorithm(Some(newtera::ChecksumAlgorithm::Crc32c))
            .build()
            .unwrap();
        c64.put_object(&bucket, "flip-me", data.clone())
            .await
            .unwrap();
        let c64_flip = common::builder(server)
            .checksum_algorithm(Some(newtera::ChecksumAlgorithm::Crc32c))
            .layer(Flipper)
            .build()
            .unwrap();
        let err = c64_flip
            .get_object(&bucket, "flip-me")
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
}

#[tokio::test]
async fn multipart_uploads_carry_checksums_for_both_algorithms() {
    for server in common::all_servers() {
        for alg in [
            newtera::ChecksumAlgorithm::Crc32c,
            newtera::ChecksumAlgorithm::Crc64Nvme,
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
