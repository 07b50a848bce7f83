//! The `blocking` feature against the real servers, from plain `#[test]`
//! functions (no async runtime on the test threads): operations of every
//! family through `.call()`, object data as `std::io::Read`, uploads from a
//! `std::io::Read`, listings as iterators, and the panic when a blocking
//! call is made inside an async runtime (before anything is sent).

#![allow(clippy::unwrap_used)]

mod common;

use std::io::{self, Read};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use common::{all_servers, builder, Count};
use newtera::blocking::{content_from_read, prelude::*, Iter};
use newtera::{CopySource, DeleteObject, Error, Tags};
use newtera_testkit::TestServer;

const MIB: u64 = 1 << 20;

fn blocking_client(server: &TestServer) -> newtera::blocking::Newtera {
    builder(server).build_blocking().expect("blocking client")
}

fn fresh_bucket(client: &newtera::blocking::Newtera, prefix: &str) -> String {
    let name = newtera_testkit::unique_bucket(prefix);
    client.make_bucket(&name).call().expect("make_bucket");
    name
}

/// Deterministic data of a given length, read through `std::io::Read`;
/// counts the bytes handed out so far.
struct Pattern {
    pos: u64,
    len: u64,
    handed: Arc<AtomicU64>,
    /// Fail with this error once `pos` reaches the given offset.
    fail_at: Option<u64>,
}

fn byte_at(i: u64) -> u8 {
    (i.wrapping_mul(2_654_435_761) >> 13) as u8
}

impl Pattern {
    fn new(len: u64) -> Self {
        Pattern {
            pos: 0,
            len,
            handed: Arc::default(),
            fail_at: None,
        }
    }
}

impl Read for Pattern {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.fail_at.is_some_and(|at| self.pos >= at) {
            return Err(io::Error::other("the disk is on fire"));
        }
        // Short reads on purpose (at most 100 000 bytes) to exercise the
        // chunk filling.
        let n = (self.len - self.pos).min(buf.len() as u64).min(100_000) as usize;
        for (i, b) in buf[..n].iter_mut().enumerate() {
            *b = byte_at(self.pos + i as u64);
        }
        self.pos += n as u64;
        self.handed.fetch_add(n as u64, Ordering::SeqCst);
        Ok(n)
    }
}

/// Reads `reader` to the end in small pieces, checking each byte against
/// the pattern from `start`; returns how many bytes it read.
fn check_pattern(mut reader: impl Read, start: u64) -> u64 {
    let mut buf = vec![0u8; 8 * 1024 + 3];
    let mut at = start;
    loop {
        let n = reader.read(&mut buf).unwrap();
        if n == 0 {
            return at - start;
        }
        for (i, b) in buf[..n].iter().enumerate() {
            assert_eq!(*b, byte_at(at + i as u64), "byte {}", at + i as u64);
        }
        at += n as u64;
    }
}

fn panic_text(payload: Box<dyn std::any::Any + Send>) -> String {
    match payload.downcast::<String>() {
        Ok(s) => *s,
        Err(p) => p
            .downcast::<&'static str>()
            .map(|s| s.to_string())
            .unwrap_or_default(),
    }
}

#[test]
fn every_operation_family_runs_through_call() {
    for server in all_servers() {
        let client = blocking_client(server);
        let bucket = fresh_bucket(&client, "blk-ops");
        assert!(client.bucket_exists(&bucket).call().unwrap());
        assert!(client
            .list_buckets()
            .call()
            .unwrap()
            .iter()
            .any(|b| b.name == bucket));

        // objects: put (with setters), stat, get, copy
        let written = client
            .put_object(&bucket, "a/hello.txt", "hello, blocking world")
            .content_type("text/plain")
            .metadata([("colour", "blue")])
            .call()
            .unwrap();
        assert!(written.etag.is_some(), "{server:?}");
        let stat = client.stat_object(&bucket, "a/hello.txt").call().unwrap();
        assert_eq!(stat.size, Some(21));
        assert_eq!(stat.content_type.as_deref(), Some("text/plain"));
        let data = client
            .get_object(&bucket, "a/hello.txt")
            .call()
            .unwrap()
            .bytes()
            .call()
            .unwrap();
        assert_eq!(&data[..], b"hello, blocking world");
        client
            .copy_object(
                &bucket,
                "b/copy.txt",
                CopySource::new(&bucket, "a/hello.txt"),
            )
            .call()
            .unwrap();
        let copied = client
            .get_object(&bucket, "b/copy.txt")
            .offset(7)
            .length(8)
            .call()
            .unwrap();
        let mut text = String::new();
        copied.into_reader().read_to_string(&mut text).unwrap();
        assert_eq!(text, "blocking");

        // presign (offline once the region is known) is a builder too
        let url = client
            .presigned_get_object(&bucket, "a/hello.txt")
            .call()
            .unwrap();
        assert!(url.contains("X-Amz-Signature="), "{url}");

        // object configuration: moto keeps tags; garage 2.5.0 refuses
        // object tagging with a typed NotImplemented.
        let mut tags = Tags::new_object_tags();
        tags.insert("project", "newtera").unwrap();
        let set = client.set_object_tags(&bucket, "a/hello.txt", tags).call();
        if server.caps().tagging {
            set.unwrap();
            let got = client
                .get_object_tags(&bucket, "a/hello.txt")
                .call()
                .unwrap()
                .unwrap();
            assert_eq!(got.get("project"), Some("newtera"));
        } else {
            assert_eq!(
                set.unwrap_err().code(),
                Some("NotImplemented"),
                "{server:?}"
            );
        }

        // an S3 error answer comes back typed
        let err = client.stat_object(&bucket, "missing").call().unwrap_err();
        assert_eq!(err.code(), Some("NoSuchKey"), "{server:?}: {err:?}");

        // the async client's builders run through `.call()` as well
        let plain = common::client(server);
        let listed = plain.list_objects(&bucket).recursive(true).call().unwrap();
        assert_eq!(listed.len(), 2, "{server:?}");

        let errors = client
            .remove_objects(&bucket, ["a/hello.txt", "b/copy.txt"])
            .call()
            .unwrap();
        assert!(errors.is_empty(), "{server:?}: {errors:?}");
        client.remove_bucket(&bucket).call().unwrap();
        assert!(!client.bucket_exists(&bucket).call().unwrap());
    }
}

#[test]
fn put_from_read_and_get_as_read() {
    for server in all_servers() {
        let client = blocking_client(server);
        let bucket = fresh_bucket(&client, "blk-io");

        // Unknown length: a multipart upload of 5 MiB parts (3 parts).
        let len = 11 * MIB + 12_345;
        let source = Pattern::new(len);
        let handed = source.handed.clone();
        client
            .put_object(&bucket, "big", content_from_read(source, None))
            .part_size(5 * MIB)
            .call()
            .unwrap();
        assert_eq!(handed.load(Ordering::SeqCst), len);
        let stat = client.stat_object(&bucket, "big").call().unwrap();
        assert_eq!(stat.size, Some(len), "{server:?}");

        // Known length, single PUT.
        client
            .put_object(
                &bucket,
                "small",
                content_from_read(Pattern::new(300_000), Some(300_000)),
            )
            .call()
            .unwrap();

        // The whole object, read in small pieces through std::io::Read.
        let reader = client
            .get_object(&bucket, "big")
            .call()
            .unwrap()
            .into_reader();
        assert_eq!(reader.content_length(), Some(len));
        assert_eq!(check_pattern(reader, 0), len, "{server:?}");
        // A range.
        let reader = client
            .get_object(&bucket, "big")
            .offset(6 * MIB - 7)
            .length(MIB)
            .call()
            .unwrap()
            .into_reader();
        assert_eq!(check_pattern(reader, 6 * MIB - 7), MIB, "{server:?}");
        let reader = client
            .get_object(&bucket, "small")
            .call()
            .unwrap()
            .into_reader();
        assert_eq!(check_pattern(reader, 0), 300_000);
        // A reader dropped half way leaves the client usable.
        let mut reader = client
            .get_object(&bucket, "big")
            .call()
            .unwrap()
            .into_reader();
        let mut head = vec![0u8; 1000];
        reader.read_exact(&mut head).unwrap();
        assert_eq!(head[999], byte_at(999));
        drop(reader);

        client
            .remove_objects(&bucket, ["big", "small"])
            .call()
            .unwrap();
        client.remove_bucket(&bucket).call().unwrap();
    }
}

#[test]
fn a_failing_reader_fails_the_upload_and_leaves_nothing() {
    for server in all_servers() {
        let client = blocking_client(server);
        let bucket = fresh_bucket(&client, "blk-fail");
        let mut source = Pattern::new(12 * MIB);
        source.fail_at = Some(7 * MIB);
        let err = client
            .put_object(&bucket, "broken", content_from_read(source, Some(12 * MIB)))
            .part_size(5 * MIB)
            .call()
            .unwrap_err();
        assert!(matches!(err, Error::Input(_)), "{server:?}: {err:?}");
        let e = client.stat_object(&bucket, "broken").call().unwrap_err();
        assert_eq!(e.code(), Some("NoSuchKey"), "{server:?}");
        if server.caps().multipart_listing {
            let left = client.list_incomplete_uploads(&bucket).call().unwrap();
            assert!(left.is_empty(), "{server:?}: {left:?}");
        }
        client.remove_bucket(&bucket).call().unwrap();
    }
}

#[test]
fn listings_are_iterators() {
    for server in all_servers() {
        let client = blocking_client(server);
        let bucket = fresh_bucket(&client, "blk-list");
        let keys: Vec<String> = (0..7).map(|i| format!("k/{i:02}")).collect();
        for key in &keys {
            client.put_object(&bucket, key, "x").call().unwrap();
        }
        // max_keys(2): the iterator crosses four pages.
        let names: Vec<String> = client
            .list_objects(&bucket)
            .recursive(true)
            .max_keys(2)
            .iter()
            .map(|o| o.unwrap().object_name)
            .collect();
        assert_eq!(names, keys, "{server:?}");
        // Non-recursive: one common prefix.
        let top: Vec<_> = client
            .list_objects(&bucket)
            .iter()
            .map(|o| o.unwrap().object_name)
            .collect();
        assert_eq!(top, ["k/"], "{server:?}");
        // Stopping early is fine.
        let first = client
            .list_objects(&bucket)
            .recursive(true)
            .max_keys(2)
            .iter()
            .next();
        assert_eq!(first.unwrap().unwrap().object_name, "k/00");
        // Any stream of the async API: here the delete errors, none.
        let errors: Vec<_> = client
            .remove_objects(
                &bucket,
                keys.iter().map(DeleteObject::new).collect::<Vec<_>>(),
            )
            .iter()
            .collect();
        assert!(errors.is_empty(), "{server:?}: {errors:?}");
        let stream = client.list_objects(&bucket).recursive(true).into_stream();
        assert_eq!(Iter::new(stream).count(), 0, "{server:?}");
        client.remove_bucket(&bucket).call().unwrap();
    }
}

#[test]
fn a_blocking_call_inside_an_async_runtime_panics_before_sending() {
    let server = all_servers()[0];
    let count = Count::default();
    let client = builder(server)
        .layer(count.clone())
        .build_blocking()
        .unwrap();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();

    // From an async task (here the runtime's block_on).
    let caught =
        rt.block_on(async { catch_unwind(AssertUnwindSafe(|| client.list_buckets().call())) });
    let text = panic_text(caught.unwrap_err());
    assert!(text.contains("inside an async runtime"), "{text}");
    // From spawn_blocking, which is still inside the runtime.
    let c = client.clone();
    let caught = rt.block_on(async move {
        tokio::task::spawn_blocking(move || {
            catch_unwind(AssertUnwindSafe(|| c.list_buckets().call()))
        })
        .await
        .unwrap()
    });
    assert!(panic_text(caught.unwrap_err()).contains("inside an async runtime"));
    // An iterator's next() as well.
    let caught = rt.block_on(async {
        let mut it = client.list_objects("any-bucket").iter();
        catch_unwind(AssertUnwindSafe(move || it.next()))
    });
    assert!(panic_text(caught.unwrap_err()).contains("inside an async runtime"));
    assert_eq!(count.get(), 0, "nothing may be sent");

    // Building and dropping a blocking client inside a runtime is allowed.
    rt.block_on(async {
        let other = builder(server).build_blocking().unwrap();
        drop(other);
    });
    drop(rt);

    // Outside the runtime the same client works.
    client.list_buckets().call().unwrap();
    assert!(count.get() >= 1);
}

#[test]
fn bad_input_is_a_typed_error_and_sends_nothing() {
    let server = all_servers()[0];
    let count = Count::default();
    let client = builder(server)
        .layer(count.clone())
        .build_blocking()
        .unwrap();
    let err = client.make_bucket("Not_A_Bucket").call().unwrap_err();
    assert!(matches!(err, Error::InvalidBucketName { .. }), "{err:?}");
    // Unknown length and no part size: refused before reading or sending.
    let source = Pattern::new(MIB);
    let handed = source.handed.clone();
    let err = client
        .put_object("some-bucket", "k", content_from_read(source, None))
        .call()
        .unwrap_err();
    assert!(matches!(err, Error::InvalidArgument { .. }), "{err:?}");
    assert_eq!(handed.load(Ordering::SeqCst), 0);
    let err = client.get_object("some-bucket", "").call().unwrap_err();
    assert!(matches!(err, Error::InvalidObjectName { .. }), "{err:?}");
    assert_eq!(count.get(), 0, "nothing may be sent");
}

/// Put from a `Read`: the reader is read only as fast as parts go out, so
/// memory stays bounded by the part buffers (here: when part k is sent, at
/// most parts k and k+1 have been read, plus one 256 KiB read chunk).
#[test]
fn put_from_read_reads_no_further_than_the_parts_in_flight() {
    let server = all_servers()[0];
    let source = Pattern::new(31 * MIB);
    let handed = source.handed.clone();
    let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
    let (h, s) = (handed.clone(), seen.clone());
    let client = builder(server)
        .layer(common::Hook(
            move |req: &newtera::transport::HttpRequest| {
                let is_part = req.method() == http::Method::PUT
                    && req.uri().query().is_some_and(|q| q.contains("partNumber="));
                if is_part {
                    s.lock().unwrap().push(h.load(Ordering::SeqCst));
                }
                common::pass()
            },
        ))
        .build_blocking()
        .unwrap();
    let bucket = fresh_bucket(&client, "blk-bound");
    client
        .put_object(&bucket, "bounded", content_from_read(source, None))
        .part_size(5 * MIB)
        .num_parallel_uploads(1)
        .call()
        .unwrap();
    let seen = seen.lock().unwrap().clone();
    eprintln!(
        "{:?}: bytes read when each part was sent: {seen:?}",
        server.kind
    );
    assert_eq!(seen.len(), 7, "{seen:?}");
    for (k, read) in seen.iter().enumerate() {
        let limit = (k as u64 + 2) * 5 * MIB + 256 * 1024;
        assert!(
            *read <= limit,
            "part {}: {read} bytes read, limit {limit}",
            k + 1
        );
    }
    assert_eq!(handed.load(Ordering::SeqCst), 31 * MIB);
    client.remove_object(&bucket, "bounded").call().unwrap();
    client.remove_bucket(&bucket).call().unwrap();
}

/// One blocking client used from several plain threads at once.
#[test]
fn one_client_from_many_threads() {
    for server in all_servers() {
        let client = blocking_client(server);
        let bucket = fresh_bucket(&client, "blk-threads");
        let threads: Vec<_> = (0..4)
            .map(|t| {
                let (client, bucket) = (client.clone(), bucket.clone());
                std::thread::spawn(move || {
                    for i in 0..5 {
                        let key = format!("t{t}/{i}");
                        let body = format!("thread {t} object {i}");
                        client
                            .put_object(&bucket, &key, body.clone())
                            .call()
                            .unwrap();
                        let mut got = String::new();
                        client
                            .get_object(&bucket, &key)
                            .call()
                            .unwrap()
                            .into_reader()
                            .read_to_string(&mut got)
                            .unwrap();
                        assert_eq!(got, body);
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        let all: Vec<_> = client
            .list_objects(&bucket)
            .recursive(true)
            .iter()
            .map(|o| DeleteObject::new(o.unwrap().object_name))
            .collect();
        assert_eq!(all.len(), 20, "{server:?}");
        let errors: Vec<_> = client.remove_objects(&bucket, all).iter().collect();
        assert!(errors.is_empty(), "{server:?}: {errors:?}");
        client.remove_bucket(&bucket).call().unwrap();
    }
}

/// File transfers, compose (parallel part copies) and bucket configuration
/// run through the same `.call()`.
#[test]
fn files_compose_and_bucket_configuration_through_call() {
    for server in all_servers() {
        let client = blocking_client(server);
        let bucket = fresh_bucket(&client, "blk-files");
        let dir = tempfile::tempdir().unwrap();
        let src = dir.path().join("up.bin");
        let mut data = Vec::new();
        Pattern::new(5 * MIB).read_to_end(&mut data).unwrap();
        std::fs::write(&src, &data).unwrap();

        client.fput_object(&bucket, "p1", &src).call().unwrap();
        // garage cannot part-copy an object it stores inline (a few KiB), so
        // the short last source is larger than that.
        client
            .put_object(&bucket, "p2", vec![7u8; 100_000])
            .call()
            .unwrap();
        let dst = dir.path().join("down.bin");
        let got = client.fget_object(&bucket, "p1", &dst).call().unwrap();
        assert_eq!(got.size, Some(5 * MIB), "{server:?}");
        assert!(std::fs::read(&dst).unwrap() == data, "{server:?}");
        // The parallel path (ranges as tasks, positioned writes off the
        // runtime) runs on the blocking client's runtime too.
        let par = dir.path().join("down-par.bin");
        client
            .fget_object(&bucket, "p1", &par)
            .part_size(MIB)
            .num_parallel_downloads(3)
            .call()
            .unwrap();
        assert!(std::fs::read(&par).unwrap() == data, "{server:?}: parallel");

        let composed = client
            .compose_object(
                &bucket,
                "both",
                [
                    newtera::ComposeSource::new(&bucket, "p1"),
                    newtera::ComposeSource::new(&bucket, "p2"),
                ],
            )
            .call()
            .unwrap();
        assert!(composed.etag.is_some(), "{server:?}");
        let stat = client.stat_object(&bucket, "both").call().unwrap();
        assert_eq!(stat.size, Some(5 * MIB + 100_000), "{server:?}");

        if server.caps().versioning {
            let enabled = newtera::VersioningConfiguration::enabled();
            client
                .set_bucket_versioning(&bucket, enabled.clone())
                .call()
                .unwrap();
            assert_eq!(
                client.get_bucket_versioning(&bucket).call().unwrap(),
                enabled
            );
        }

        // Remove every version (garage 2.5.0 answers NotImplemented to
        // ListObjectVersions, and keeps no versions), then the bucket.
        let versions: Vec<_> = client
            .list_objects(&bucket)
            .recursive(true)
            .include_version(server.caps().versioning)
            .iter()
            .map(|o| {
                let o = o.unwrap();
                match o.version_id {
                    Some(v) => DeleteObject::with_version(o.object_name, v),
                    None => DeleteObject::new(o.object_name),
                }
            })
            .collect();
        let errors: Vec<_> = client.remove_objects(&bucket, versions).iter().collect();
        assert!(errors.is_empty(), "{server:?}: {errors:?}");
        client.remove_bucket(&bucket).call().unwrap();
    }
}
