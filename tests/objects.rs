//! Object operations against real servers: put (single, multipart, parallel,
//! streaming, unknown length), get (ranges, streaming), fget, stat, remove.

#![allow(clippy::unwrap_used)]

mod common;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use bytes::Bytes;
use futures::{StreamExt as _, TryStreamExt as _};
use newtera::{Error, ObjectContent, Progress};
use tokio::io::AsyncReadExt as _;

const MIB: usize = 1024 * 1024;

fn pattern(len: usize, seed: u8) -> Vec<u8> {
    (0..len)
        .map(|i| ((i * 31 + seed as usize) % 251) as u8)
        .collect()
}

#[derive(Default)]
struct Counter {
    total: AtomicU64,
    done: AtomicU64,
}
impl Progress for Counter {
    fn set_total(&self, total: Option<u64>) {
        self.total
            .store(total.unwrap_or(u64::MAX), Ordering::SeqCst);
    }
    fn update(&self, bytes: u64) {
        self.done.fetch_add(bytes, Ordering::SeqCst);
    }
}

#[tokio::test]
async fn small_put_get_stat_remove_with_metadata() {
    for server in common::all_servers() {
        let client = common::client(server);
        let bucket = common::bucket(&client, "small").await;
        let r = client
            .put_object(&bucket, "dir/hello.txt", "hello")
            .content_type("application/csv")
            .metadata([("My-Project", "one"), ("Cache-Control", "no-cache")])
            .await
            .unwrap();
        assert_eq!(r.object_name, "dir/hello.txt");
        let etag = r.etag.clone().unwrap();
        assert!(!etag.contains('"'));
        let st = client.stat_object(&bucket, "dir/hello.txt").await.unwrap();
        assert_eq!(st.size, Some(5));
        assert_eq!(st.etag.as_deref(), Some(etag.as_str()));
        assert_eq!(st.content_type.as_deref(), Some("application/csv"));
        assert_eq!(
            st.user_metadata.get("my-project").map(String::as_str),
            Some("one"),
            "{server:?}"
        );
        assert_eq!(st.metadata.get("cache-control").unwrap(), "no-cache");
        assert!(st.last_modified.is_some());
        let got = client.get_object(&bucket, "dir/hello.txt").await.unwrap();
        assert_eq!(got.etag().as_deref(), Some(etag.as_str()));
        assert_eq!(&got.bytes().await.unwrap()[..], b"hello");
        client
            .remove_object(&bucket, "dir/hello.txt")
            .await
            .unwrap();
        let err = client
            .stat_object(&bucket, "dir/hello.txt")
            .await
            .unwrap_err();
        assert_eq!(err.code(), Some("NoSuchKey"), "{err:?}");
        let err = client
            .get_object(&bucket, "dir/hello.txt")
            .await
            .unwrap_err();
        assert_eq!(err.code(), Some("NoSuchKey"), "{err:?}");
        // Non-ASCII metadata values are refused before sending.
        let err = client
            .put_object(&bucket, "x", "x")
            .metadata([("k", "ü")])
            .await
            .unwrap_err();
        assert!(err.is_invalid_argument());
    }
}

#[tokio::test]
async fn multipart_parallel_known_length_with_progress() {
    for server in common::all_servers() {
        let client = common::client(server);
        let bucket = common::bucket(&client, "mp").await;
        let data = pattern(17 * MIB + 123, 1); // 4 parts of 5 MiB
        let progress = Arc::new(Counter::default());
        let r = client
            .put_object(&bucket, "big.bin", Bytes::from(data.clone()))
            .part_size(5 * MIB as u64)
            .num_parallel_uploads(3)
            .progress(progress.clone())
            .await
            .unwrap();
        assert!(
            r.etag.as_deref().unwrap().ends_with("-4"),
            "{server:?}: {:?}",
            r.etag
        );
        assert_eq!(progress.total.load(Ordering::SeqCst), data.len() as u64);
        assert_eq!(progress.done.load(Ordering::SeqCst), data.len() as u64);
        let got = client
            .get_object(&bucket, "big.bin")
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap();
        assert!(got == data, "{server:?}: content differs");
    }
}

#[tokio::test]
async fn unknown_length_reader_and_stream_uploads() {
    for server in common::all_servers() {
        let client = common::client(server);
        let bucket = common::bucket(&client, "unk").await;
        let data = pattern(12 * MIB + 7, 2); // 3 parts of 5 MiB
                                             // One part at a time: every part after the first refills the
                                             // buffer of the one before.
        for (key, parallel) in [("reader.bin", 2), ("reader-1.bin", 1)] {
            let reader = std::io::Cursor::new(data.clone());
            let r = client
                .put_object(&bucket, key, ObjectContent::from_reader(reader, None))
                .part_size(5 * MIB as u64)
                .num_parallel_uploads(parallel)
                .await
                .unwrap();
            assert!(r.etag.as_deref().unwrap().ends_with("-3"), "{:?}", r.etag);
        }
        let chunks: Vec<Result<Bytes, std::io::Error>> = data
            .chunks(100_000)
            .map(|c| Ok(Bytes::copy_from_slice(c)))
            .collect();
        client
            .put_object(
                &bucket,
                "stream.bin",
                ObjectContent::from_stream(futures::stream::iter(chunks), None),
            )
            .part_size(5 * MIB as u64)
            .await
            .unwrap();
        for key in ["reader.bin", "reader-1.bin", "stream.bin"] {
            let mut rd = client
                .get_object(&bucket, key)
                .await
                .unwrap()
                .into_async_read();
            let mut got = Vec::new();
            rd.read_to_end(&mut got).await.unwrap();
            assert!(got == data, "{key}");
        }
        // Small unknown-length data becomes a single PUT.
        let r = client
            .put_object(
                &bucket,
                "small.bin",
                ObjectContent::from_reader(&b"tiny"[..], None),
            )
            .part_size(5 * MIB as u64)
            .await
            .unwrap();
        assert!(!r.etag.unwrap().contains('-'));
        // Unknown length without part_size is refused.
        let err = client
            .put_object(&bucket, "x", ObjectContent::from_reader(&b"x"[..], None))
            .await
            .unwrap_err();
        assert!(err.is_invalid_argument(), "{err:?}");
    }
}

#[tokio::test]
async fn ranged_gets() {
    for server in common::all_servers() {
        let client = common::client(server);
        let bucket = common::bucket(&client, "range").await;
        let data = pattern(10_000, 3);
        client.put_object(&bucket, "r", data.clone()).await.unwrap();
        let got = client.get_object(&bucket, "r").offset(512).await.unwrap();
        assert_eq!(got.status, http::StatusCode::PARTIAL_CONTENT);
        assert_eq!(&got.bytes().await.unwrap()[..], &data[512..]);
        let got = client
            .get_object(&bucket, "r")
            .offset(512)
            .length(1024)
            .await
            .unwrap();
        assert_eq!(got.content_length(), Some(1024));
        assert_eq!(&got.bytes().await.unwrap()[..], &data[512..1536]);
        let got = client.get_object(&bucket, "r").length(10).await.unwrap();
        assert_eq!(&got.bytes().await.unwrap()[..], &data[..10]);
        let err = client
            .get_object(&bucket, "r")
            .offset(u64::MAX)
            .length(2)
            .await
            .unwrap_err();
        assert!(err.is_invalid_argument());
        let err = client
            .get_object(&bucket, "r")
            .offset(20_000)
            .await
            .unwrap_err();
        assert_eq!(err.code(), Some("InvalidRange"), "{server:?}: {err:?}");
    }
}

#[tokio::test]
async fn fput_and_fget_round_trip() {
    for server in common::all_servers() {
        let client = common::client(server);
        let bucket = common::bucket(&client, "file").await;
        let dir = tempfile::tempdir().unwrap();
        let src = dir.path().join("src.bin");
        let data = pattern(11 * MIB + 5, 4);
        std::fs::write(&src, &data).unwrap();
        let r = client
            .fput_object(&bucket, "f.bin", &src)
            .part_size(5 * MIB as u64)
            .content_type("application/x-test")
            .await
            .unwrap();
        assert!(r.etag.unwrap().ends_with("-3"));
        let dst = dir.path().join("sub/dir/dst.bin");
        let st = client.fget_object(&bucket, "f.bin", &dst).await.unwrap();
        assert_eq!(st.size, Some(data.len() as u64));
        assert!(std::fs::read(&dst).unwrap() == data);
        let leftovers: Vec<_> = std::fs::read_dir(dst.parent().unwrap())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(leftovers.len(), 1, "{leftovers:?}");
        // A directory as target is refused.
        let err = client
            .fget_object(&bucket, "f.bin", dir.path())
            .await
            .unwrap_err();
        assert!(err.is_invalid_argument(), "{err:?}");
        // A missing source file is an I/O error naming it.
        let err = client
            .fput_object(&bucket, "g", dir.path().join("nope"))
            .await
            .unwrap_err();
        assert!(matches!(err, Error::Io { .. }), "{err:?}");
    }
}

#[tokio::test]
async fn keys_with_special_characters() {
    for server in common::all_servers() {
        let client = common::client(server);
        let bucket = common::bucket(&client, "keys").await;
        for key in [
            "a b",
            "a+b",
            "100%",
            "ümlaut/ñ/日本",
            "x=y&z?w#v",
            "tilde~star*",
        ] {
            client
                .put_object(&bucket, key, key.to_owned())
                .await
                .unwrap_or_else(|e| panic!("{server:?} {key}: {e:?}"));
            let got = client
                .get_object(&bucket, key)
                .await
                .unwrap()
                .bytes()
                .await
                .unwrap();
            assert_eq!(&got[..], key.as_bytes());
            let st = client.stat_object(&bucket, key).await.unwrap();
            assert_eq!(st.size, Some(key.len() as u64));
        }
    }
}

#[tokio::test]
async fn failed_multipart_upload_leaves_nothing_behind() {
    for server in common::all_servers() {
        let client = common::client(server);
        let bucket = common::bucket(&client, "abort").await;
        // A stream that fails after two parts' worth of data.
        let part = Bytes::from(pattern(5 * MIB, 5));
        let items: Vec<Result<Bytes, std::io::Error>> = vec![
            Ok(part.clone()),
            Ok(part.clone()),
            Ok(part.slice(..1000)),
            Err(std::io::Error::other("disk on fire")),
        ];
        let err = client
            .put_object(
                &bucket,
                "broken",
                ObjectContent::from_stream(futures::stream::iter(items), None),
            )
            .part_size(5 * MIB as u64)
            .num_parallel_uploads(2)
            .await
            .unwrap_err();
        assert!(matches!(err, Error::Input(_)), "{err:?}");
        // A stream shorter than its declared length.
        let short = vec![Ok::<_, std::io::Error>(part.clone()), Ok(part.clone())];
        let err = client
            .put_object(
                &bucket,
                "short",
                ObjectContent::from_stream(futures::stream::iter(short), Some(15 * MIB as u64)),
            )
            .part_size(5 * MIB as u64)
            .await
            .unwrap_err();
        assert!(matches!(err, Error::Input(_)), "{err:?}");
        let uploads = client.list_incomplete_uploads(&bucket).await.unwrap();
        assert!(uploads.is_empty(), "{server:?}: left behind {uploads:?}");
        for key in ["broken", "short"] {
            let e = client.stat_object(&bucket, key).await.unwrap_err();
            assert_eq!(e.code(), Some("NoSuchKey"), "{key}: {e:?}");
        }
    }
}

#[tokio::test]
async fn listing_and_streaming_body_are_lazy_streams() {
    let client = common::client(newtera_testkit::garage());
    let bucket = common::bucket(&client, "lazy").await;
    client
        .put_object(&bucket, "k", vec![7u8; 300_000])
        .await
        .unwrap();
    let mut body = client.get_object(&bucket, "k").await.unwrap().into_stream();
    let mut n = 0;
    while let Some(chunk) = body.next().await {
        n += chunk.unwrap().len();
    }
    assert_eq!(n, 300_000);
    let all: Vec<_> = client
        .list_objects(&bucket)
        .into_stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(all.len(), 1);
}

/// A hook that cuts every successful GET of a key named `victim` after
/// 1,000 bytes, as a dropped connection would, and every resumed (ranged)
/// GET of it before its first byte, so the download can never complete.
fn cut_gets(req: &newtera::transport::HttpRequest) -> common::Then {
    if !common::is_get_of(req, "victim") {
        return common::pass();
    }
    Box::new(|fut| {
        Box::pin(async move {
            let resp = fut.await?;
            match resp.status() {
                http::StatusCode::OK => common::cut_after(resp, 1000).await,
                http::StatusCode::PARTIAL_CONTENT => common::cut_after(resp, 0).await,
                _ => Ok(resp),
            }
        })
    })
}

#[tokio::test]
async fn failed_fget_leaves_no_temp_file_and_keeps_the_old_target() {
    for server in common::all_servers() {
        let client = common::builder(server)
            .layer(common::Hook(cut_gets))
            .build()
            .unwrap();
        let bucket = common::bucket(&client, "fget").await;
        client
            .put_object(&bucket, "victim", pattern(200_000, 9))
            .await
            .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("target.bin");
        std::fs::write(&target, b"old contents").unwrap();
        let err = client
            .fget_object(&bucket, "victim", &target)
            .await
            .unwrap_err();
        assert!(
            matches!(err, Error::Transport { .. }),
            "{server:?}: {err:?}"
        );
        assert_eq!(std::fs::read(&target).unwrap(), b"old contents");
        let files: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(
            files,
            vec![std::ffi::OsString::from("target.bin")],
            "{server:?}"
        );
        // With an explicit temporary path, too.
        let tmp = dir.path().join("explicit.tmp");
        let err = client
            .fget_object(&bucket, "victim", &target)
            .tmp_file_path(&tmp)
            .await
            .unwrap_err();
        assert!(matches!(err, Error::Transport { .. }));
        assert!(!tmp.exists());
        assert_eq!(std::fs::read(&target).unwrap(), b"old contents");
        // A get_object of the same key reports the cut instead of short data.
        let resp = client.get_object(&bucket, "victim").await.unwrap();
        assert!(resp.bytes().await.is_err());
    }
}

/// Uploads from readers on one client reuse each other's part buffers (the
/// client keeps idle ones briefly): uploads in a row and at the same time,
/// each with its own data, all arrive intact.
#[tokio::test]
async fn reader_uploads_of_one_client_share_part_buffers_safely() {
    for server in common::all_servers() {
        let client = common::client(server);
        let bucket = common::bucket(&client, "pool").await;
        let put = |key: String, data: Vec<u8>| {
            let (client, bucket) = (client.clone(), bucket.clone());
            async move {
                let reader = std::io::Cursor::new(data);
                client
                    .put_object(&bucket, &key, ObjectContent::from_reader(reader, None))
                    .part_size(5 * MIB as u64)
                    .num_parallel_uploads(2)
                    .await
                    .map(|_| ())
            }
        };
        let data: Vec<Vec<u8>> = (0..4u8).map(|i| pattern(11 * MIB + 3, 10 + i)).collect();
        // In a row: the second takes the first's buffers.
        put("seq-0".into(), data[0].clone()).await.unwrap();
        put("seq-1".into(), data[1].clone()).await.unwrap();
        // At the same time: neither sees the other's buffers while in use.
        let (a, b) = tokio::join!(
            put("par-2".into(), data[2].clone()),
            put("par-3".into(), data[3].clone())
        );
        a.unwrap();
        b.unwrap();
        for (key, want) in ["seq-0", "seq-1", "par-2", "par-3"].iter().zip(&data) {
            let got = client
                .get_object(&bucket, *key)
                .await
                .unwrap()
                .bytes()
                .await
                .unwrap();
            assert!(got == want[..], "{server:?}: {key} differs");
        }
    }
}
