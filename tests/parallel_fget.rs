//! Parallel ranged downloads (`fget_object` by default, `get_object` with
//! `num_parallel_downloads`): right bytes around part boundaries, one
//! ranged GET per part, the full-object checksum verified across ranges
//! (a flipped byte in one range caught), a cut range resumed on its own,
//! an object replaced mid-download detected, progress counted once.

#![allow(clippy::unwrap_used)]

mod common;

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use newtera::transport::{HttpRequest, RetryConfig};
use newtera::{ChecksumAlgorithm, Error, Newtera, Progress};
use newtera_testkit::fault::{Fault, FaultProxy, Rule};
use newtera_testkit::{ServerKind, TestServer};

const PS: u64 = 64 * 1024;

fn pattern(len: usize) -> Vec<u8> {
    (0..len).map(|i| ((i * 29 + 7) % 251) as u8).collect()
}

/// Counts the ranged GETs (requests carrying `Range`) and all GETs.
#[derive(Clone, Default)]
struct Gets {
    ranged: Arc<AtomicUsize>,
    all: Arc<AtomicUsize>,
}

impl Gets {
    fn layer(&self) -> common::Hook<impl Fn(&HttpRequest) -> common::Then + Clone + Send + Sync> {
        let me = self.clone();
        common::Hook(move |req: &HttpRequest| {
            if req.method() == http::Method::GET
                && !req.uri().query().unwrap_or("").contains("location")
            {
                me.all.fetch_add(1, Ordering::SeqCst);
                if req.headers().contains_key(http::header::RANGE) {
                    assert!(
                        req.headers().contains_key(http::header::IF_MATCH),
                        "a range pinned by If-Match"
                    );
                    me.ranged.fetch_add(1, Ordering::SeqCst);
                }
            }
            common::pass()
        })
    }
    fn take(&self) -> (usize, usize) {
        (
            self.ranged.swap(0, Ordering::SeqCst),
            self.all.swap(0, Ordering::SeqCst),
        )
    }
}

/// A directory holds nothing but `names`: no temporary file left.
fn only(dir: &std::path::Path, names: &[&str]) {
    let mut left: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    left.sort();
    assert_eq!(left, names, "files left in {}", dir.display());
}

#[tokio::test]
async fn whole_files_around_part_boundaries_one_range_per_part() {
    for server in common::all_servers() {
        let gets = Gets::default();
        let client = common::builder(server).layer(gets.layer()).build().unwrap();
        let bucket = common::bucket(&client, "pget").await;
        let dir = tempfile::tempdir().unwrap();
        let ps = PS as usize;
        for size in [
            0,
            1,
            ps - 1,
            ps,
            ps + 1,
            2 * ps - 1,
            2 * ps,
            2 * ps + 1,
            7 * ps / 2,
        ] {
            let data = pattern(size);
            client
                .put_object(&bucket, "obj", data.clone())
                .await
                .unwrap();
            gets.take();
            let dst = dir.path().join("out");
            client
                .fget_object(&bucket, "obj", &dst)
                .part_size(PS)
                .num_parallel_downloads(3)
                .await
                .unwrap_or_else(|e| panic!("{server:?} size {size}: {e:?}"));
            assert!(
                std::fs::read(&dst).unwrap() == data,
                "{server:?} size {size}"
            );
            only(dir.path(), &["out"]);
            // Under two part sizes: one plain GET; else ceil(size / part).
            let want = if size >= 2 * ps { size.div_ceil(ps) } else { 0 };
            let (ranged, all) = gets.take();
            assert_eq!(ranged, want, "{server:?} size {size}: ranged GETs");
            assert_eq!(all, want.max(1), "{server:?} size {size}: GETs");
            // The in-order get_object: the same bytes, the same requests.
            let resp = client
                .get_object(&bucket, "obj")
                .part_size(PS)
                .num_parallel_downloads(3)
                .await
                .unwrap();
            let got = resp.bytes().await.unwrap();
            assert!(got == data, "{server:?} size {size}: get_object");
            assert_eq!(gets.take().0, want, "{server:?} size {size}: get ranges");
        }
        // A range of the object read in parallel, in order.
        let data = pattern(7 * ps / 2);
        client
            .put_object(&bucket, "obj", data.clone())
            .await
            .unwrap();
        let mut body = client
            .get_object(&bucket, "obj")
            .offset(1000)
            .length(3 * PS)
            .part_size(PS)
            .num_parallel_downloads(2)
            .await
            .unwrap()
            .into_stream();
        let mut got = Vec::new();
        use futures::StreamExt as _;
        while let Some(chunk) = body.next().await {
            let chunk = chunk.unwrap();
            assert!(chunk.len() as u64 <= PS, "one range at a time");
            got.extend_from_slice(&chunk);
        }
        assert!(
            got[..] == data[1000..1000 + 3 * ps],
            "{server:?}: ranged, in order"
        );
        assert_eq!(gets.take().0, 3);
    }
}

fn through(server: &TestServer, proxy: &FaultProxy, attempts: u32) -> Newtera {
    Newtera::builder(proxy.url())
        .access_key(server.access_key.clone())
        .secret_key(server.secret_key.clone())
        .region(server.region.clone())
        .retry(RetryConfig {
            max_attempts: attempts,
            initial_backoff: Duration::from_millis(10),
            max_backoff: Duration::from_millis(50),
            budget: None,
        })
        .build()
        .unwrap()
}

fn gets_of(key: &str) -> Rule {
    Rule::new(Fault::FlipByte(0))
        .method("GET")
        .path_ends_with(&format!("/{key}"))
}

#[tokio::test]
async fn a_flipped_byte_in_one_range_is_caught() {
    for server in common::all_servers() {
        let plain = common::client(server);
        let bucket = common::bucket(&plain, "pgetflip").await;
        let data = pattern(7 * PS as usize / 2);
        plain
            .put_object(&bucket, "obj", data.clone())
            .await
            .unwrap();
        let proxy = FaultProxy::start(&server.endpoint).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let dst = dir.path().join("out");
        // The third range's answer has one byte flipped, once: the combined
        // CRC64NVME fails, the download is made again (the library's rule
        // for damaged whole downloads, within the retry settings) and the
        // file is right.
        let flip = |nth| {
            Rule::new(Fault::FlipByte(1000))
                .method("GET")
                .path_ends_with("/obj")
                .nth(nth)
        };
        let rule = proxy.add(flip(3));
        let count = proxy.add(gets_of("obj").nth(u64::MAX));
        let client = through(server, &proxy, 3);
        client
            .fget_object(&bucket, "obj", &dst)
            .part_size(PS)
            .num_parallel_downloads(2)
            .await
            .unwrap_or_else(|e| panic!("{server:?}: {e:?}"));
        assert!(std::fs::read(&dst).unwrap() == data, "{server:?}");
        assert_eq!(rule.applied(), 1);
        assert_eq!(count.matched(), 8, "{server:?}: 4 ranges, twice");
        // No second chance: the typed error, and no file at all.
        std::fs::remove_file(&dst).unwrap();
        proxy.clear();
        proxy.add(flip(2));
        let once = through(server, &proxy, 1);
        let err = once
            .fget_object(&bucket, "obj", &dst)
            .part_size(PS)
            .num_parallel_downloads(2)
            .await
            .unwrap_err();
        assert!(
            matches!(err, Error::ChecksumMismatch { .. }),
            "{server:?}: {err:?}"
        );
        only(dir.path(), &[]);
        // The in-order get_object ends in the same error.
        proxy.clear();
        proxy.add(flip(4));
        let err = once
            .get_object(&bucket, "obj")
            .part_size(PS)
            .num_parallel_downloads(2)
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
async fn a_range_cut_mid_body_resumes_on_its_own() {
    for server in common::all_servers() {
        let plain = common::client(server);
        let bucket = common::bucket(&plain, "pgetcut").await;
        let data = pattern(5 * PS as usize + 333);
        plain
            .put_object(&bucket, "obj", data.clone())
            .await
            .unwrap();
        let proxy = FaultProxy::start(&server.endpoint).unwrap();
        let cut = proxy.add(
            Rule::new(Fault::ResetMidBody(20_000))
                .method("GET")
                .path_ends_with("/obj")
                .nth(2),
        );
        let count = proxy.add(gets_of("obj").nth(u64::MAX));
        let client = through(server, &proxy, 1);
        let dir = tempfile::tempdir().unwrap();
        let dst = dir.path().join("out");
        let rec = Arc::new(Recorder::default());
        client
            .fget_object(&bucket, "obj", &dst)
            .part_size(PS)
            .num_parallel_downloads(3)
            .progress(rec.clone())
            .await
            .unwrap_or_else(|e| panic!("{server:?}: {e:?}"));
        assert!(std::fs::read(&dst).unwrap() == data, "{server:?}");
        assert_eq!(cut.applied(), 1);
        assert_eq!(count.matched(), 6 + 1, "{server:?}: 6 ranges, 1 resumed");
        let size = data.len() as u64;
        assert_eq!(rec.seen(), (vec![Some(size)], size), "{server:?}: progress");
        only(dir.path(), &["out"]);
    }
}

#[tokio::test]
async fn an_object_replaced_during_the_download_is_detected() {
    for server in common::all_servers() {
        let plain = common::client(server);
        let bucket = common::bucket(&plain, "pgetchg").await;
        let data = pattern(4 * PS as usize);
        plain
            .put_object(&bucket, "obj", data.clone())
            .await
            .unwrap();
        let replaced = Arc::new(AtomicBool::new(false));
        let hook = replacer(&bucket, &plain, replaced.clone());
        let client = common::builder(server).layer(hook).build().unwrap();
        let dir = tempfile::tempdir().unwrap();
        let dst = dir.path().join("out");
        // A caller's `If-Match: *` does not unpin the ranges (on garage;
        // moto answers `If-Match: *` with 412 even for an object that
        // exists, so it gets no condition of the caller's).
        let mut fget = client.fget_object(&bucket, "obj", &dst);
        if server.kind != ServerKind::Moto {
            fget = fget.match_etag("*");
        }
        let err = fget
            .part_size(PS)
            .num_parallel_downloads(2)
            .await
            .unwrap_err();
        assert!(
            matches!(err, Error::ObjectChanged { .. }),
            "{server:?}: {err:?}"
        );
        assert!(err.is_precondition_failed());
        assert!(replaced.load(Ordering::SeqCst));
        only(dir.path(), &[]);
    }
}

/// A hook under which the first range's answer waits until the object
/// `obj` of `bucket` was replaced (through `writer`, then `replaced` is
/// set); every other range goes out only after that.
fn replacer(
    bucket: &str,
    writer: &Newtera,
    replaced: Arc<AtomicBool>,
) -> common::Hook<impl Fn(&HttpRequest) -> common::Then + Clone + Send + Sync + 'static> {
    let notify = Arc::new(tokio::sync::Notify::new());
    let (b, writer) = (bucket.to_owned(), writer.clone());
    common::Hook(move |req: &HttpRequest| -> common::Then {
        let range = req
            .headers()
            .get(http::header::RANGE)
            .map(|v| v.to_str().unwrap().to_owned());
        let Some(range) = range.filter(|_| common::is_get_of(req, "obj")) else {
            return common::pass();
        };
        let (b, flag, note, writer) = (b.clone(), replaced.clone(), notify.clone(), writer.clone());
        Box::new(move |fut| {
            Box::pin(async move {
                if range.starts_with("bytes=0-") && !flag.load(Ordering::SeqCst) {
                    let resp = fut.await;
                    writer
                        .put_object(&b, "obj", vec![9u8; 4 * PS as usize])
                        .await
                        .unwrap();
                    flag.store(true, Ordering::SeqCst);
                    note.notify_waiters();
                    return resp;
                }
                while !flag.load(Ordering::SeqCst) {
                    let _ = tokio::time::timeout(Duration::from_millis(20), note.notified()).await;
                }
                fut.await
            })
        })
    })
}

#[tokio::test]
async fn a_versioned_object_is_read_from_the_version_the_head_saw() {
    for server in newtera_testkit::servers_with(|c| c.versioning) {
        let plain = common::client(server);
        let bucket = newtera_testkit::unique_bucket("pgetver");
        // Object lock turns versioning on.
        plain.make_bucket(&bucket).object_lock(true).await.unwrap();
        let data = pattern(4 * PS as usize);
        let v1 = plain
            .put_object(&bucket, "obj", data.clone())
            .await
            .unwrap()
            .version_id
            .unwrap();
        let replaced = Arc::new(AtomicBool::new(false));
        let pinned = v1.clone();
        let version_check = common::Hook(move |req: &HttpRequest| {
            if req.headers().contains_key(http::header::RANGE) {
                let q = req.uri().query().unwrap_or("");
                assert!(q.contains(&format!("versionId={pinned}")), "{q}");
            }
            common::pass()
        });
        let client = common::builder(server)
            .layer(replacer(&bucket, &plain, replaced.clone()))
            .layer(version_check)
            .build()
            .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let dst = dir.path().join("out");
        // The object gets a new version mid-download: every range still
        // reads the version the HEAD saw, so the file is that version.
        let obj = client
            .fget_object(&bucket, "obj", &dst)
            .part_size(PS)
            .num_parallel_downloads(2)
            .await
            .unwrap_or_else(|e| panic!("{server:?}: {e:?}"));
        assert!(replaced.load(Ordering::SeqCst));
        assert_eq!(obj.version_id.as_deref(), Some(v1.as_str()));
        assert!(
            std::fs::read(&dst).unwrap() == data,
            "{server:?}: version 1"
        );
        only(dir.path(), &["out"]);
    }
}

#[tokio::test]
async fn multipart_objects_are_verified_through_their_checksum_type() {
    for server in common::all_servers() {
        for alg in [
            ChecksumAlgorithm::Crc64Nvme,
            ChecksumAlgorithm::Crc32c,
            ChecksumAlgorithm::Crc32,
        ] {
            let plain = common::builder(server)
                .checksum_algorithm(Some(alg))
                .build()
                .unwrap();
            let bucket = common::bucket(&plain, "pgetmp").await;
            // 11 MiB in 5 MiB parts; read in 3 MiB ranges, which do not
            // align with the parts.
            let data = pattern(11 << 20);
            plain
                .put_object(&bucket, "obj", data.clone())
                .part_size(5 << 20)
                .await
                .unwrap();
            let proxy = FaultProxy::start(&server.endpoint).unwrap();
            let client = Newtera::builder(proxy.url())
                .access_key(server.access_key.clone())
                .secret_key(server.secret_key.clone())
                .region(server.region.clone())
                .checksum_algorithm(Some(alg))
                .retry(RetryConfig::disabled())
                .build()
                .unwrap();
            let dir = tempfile::tempdir().unwrap();
            let dst = dir.path().join("out");
            let fget = || client.fget_object(&bucket, "obj", &dst).part_size(3 << 20);
            fget()
                .await
                .unwrap_or_else(|e| panic!("{server:?} {alg:?}: {e:?}"));
            assert!(std::fs::read(&dst).unwrap() == data);
            proxy.add(
                Rule::new(Fault::FlipByte(100))
                    .method("GET")
                    .path_ends_with("/obj")
                    .nth(3),
            );
            let result = fget().await;
            if server.kind == ServerKind::Moto {
                // moto declares a 4-byte CRC64NVME for multipart objects,
                // and a CRC32C without `-N` or a type on HEAD (and not the
                // composite value S3 defines): neither can be verified, so
                // the damaged bytes go through, as they would in one stream.
                result.unwrap();
                assert!(std::fs::read(&dst).unwrap() != data, "moto: not verified");
            } else {
                // garage: CRC64NVME full-object, CRC32C composite (`-3`),
                // both verified from the ranges' CRCs.
                let err = result.unwrap_err();
                assert!(
                    matches!(err, Error::ChecksumMismatch { .. }),
                    "{alg:?}: {err:?}"
                );
                only(dir.path(), &["out"]);
                assert!(std::fs::read(&dst).unwrap() == data, "the old file stays");
            }
        }
    }
}

#[tokio::test]
async fn bad_options_are_refused_before_sending() {
    let server = newtera_testkit::garage();
    let count = common::Count::default();
    let client = common::builder(server)
        .layer(count.clone())
        .build()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let dst = dir.path().join("out");
    let e = client
        .fget_object("some-bucket", "k", &dst)
        .part_size(0)
        .await
        .unwrap_err();
    assert!(
        matches!(
            e,
            Error::InvalidArgument {
                param: "part_size",
                ..
            }
        ),
        "{e:?}"
    );
    let e = client
        .fget_object("some-bucket", "k", &dst)
        .num_parallel_downloads(0)
        .await
        .unwrap_err();
    assert!(matches!(e, Error::InvalidArgument { .. }), "{e:?}");
    let e = client
        .get_object("some-bucket", "k")
        .num_parallel_downloads(0)
        .await
        .unwrap_err();
    assert!(matches!(e, Error::InvalidArgument { .. }), "{e:?}");
    assert_eq!(count.get(), 0, "nothing sent");
    only(dir.path(), &[]);
}

/// Records progress reports.
#[derive(Default)]
struct Recorder {
    totals: Mutex<Vec<Option<u64>>>,
    updates: Mutex<Vec<u64>>,
}

impl Progress for Recorder {
    fn set_total(&self, total: Option<u64>) {
        self.totals.lock().unwrap().push(total);
    }
    fn update(&self, bytes: u64) {
        self.updates.lock().unwrap().push(bytes);
    }
}

impl Recorder {
    fn seen(&self) -> (Vec<Option<u64>>, u64) {
        let u = self.updates.lock().unwrap();
        assert!(u.iter().all(|b| *b > 0), "an empty update");
        (self.totals.lock().unwrap().clone(), u.iter().sum())
    }
}

#[tokio::test]
async fn parallel_progress_counts_each_byte_once_across_a_read_again() {
    for server in common::all_servers() {
        let plain = common::client(server);
        let bucket = common::bucket(&plain, "pgetprog").await;
        let data = pattern(9 * PS as usize / 2);
        let size = data.len() as u64;
        plain
            .put_object(&bucket, "obj", data.clone())
            .await
            .unwrap();
        let proxy = FaultProxy::start(&server.endpoint).unwrap();
        proxy.add(
            Rule::new(Fault::FlipByte(10))
                .method("GET")
                .path_ends_with("/obj")
                .nth(4),
        );
        let client = through(server, &proxy, 3);
        let dir = tempfile::tempdir().unwrap();
        let dst = dir.path().join("out");
        let rec = Arc::new(Recorder::default());
        client
            .fget_object(&bucket, "obj", &dst)
            .part_size(PS)
            .progress(rec.clone())
            .await
            .unwrap();
        assert!(std::fs::read(&dst).unwrap() == data);
        assert_eq!(rec.seen(), (vec![Some(size)], size), "{server:?}: fget");
        let rec = Arc::new(Recorder::default());
        proxy.clear();
        proxy.add(
            Rule::new(Fault::FlipByte(10))
                .method("GET")
                .path_ends_with("/obj")
                .nth(2),
        );
        let got = client
            .get_object(&bucket, "obj")
            .part_size(PS)
            .num_parallel_downloads(2)
            .progress(rec.clone())
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap();
        assert!(got == data);
        assert_eq!(rec.seen(), (vec![Some(size)], size), "{server:?}: get");
    }
}
