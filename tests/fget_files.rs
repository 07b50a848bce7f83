//! fget_object's temporary file is safe in a shared directory: it never
//! follows a symbolic link, never touches a file it did not create, two
//! downloads to one target never publish a file with holes, and a failed
//! or abandoned download leaves nothing behind (and the old target intact).

#![allow(clippy::unwrap_used)]

mod common;

use std::path::Path;
use std::time::Duration;

use newtera::transport::{HttpRequest, ResponseBody};
use newtera::Error;

fn pattern(len: usize, seed: u8) -> Vec<u8> {
    (0..len)
        .map(|i| ((i * 7 + usize::from(seed)) % 251) as u8)
        .collect()
}

/// The names in `dir`, sorted.
fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

#[cfg(unix)]
#[tokio::test]
async fn a_symlink_at_the_temp_path_is_never_followed() {
    for server in common::all_servers() {
        let plain = common::client(server);
        let bucket = common::bucket(&plain, "fget-link").await;
        plain
            .put_object(&bucket, "obj", pattern(1000, 1))
            .await
            .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let precious = dir.path().join("precious");
        std::fs::write(&precious, b"keep me").unwrap();
        let absent = dir.path().join("absent");
        let to_precious = dir.path().join("link-to-precious");
        let dangling = dir.path().join("dangling");
        std::os::unix::fs::symlink(&precious, &to_precious).unwrap();
        std::os::unix::fs::symlink(&absent, &dangling).unwrap();
        let count = common::Count::default();
        let client = common::builder(server)
            .layer(count.clone())
            .build()
            .unwrap();
        for link in [&to_precious, &dangling] {
            let err = client
                .fget_object(&bucket, "obj", dir.path().join("target"))
                .tmp_file_path(link)
                .await
                .unwrap_err();
            assert!(
                matches!(
                    err,
                    Error::InvalidArgument {
                        param: "tmp_file_path",
                        ..
                    }
                ),
                "{server:?}: {err:?}"
            );
            // The link is still a link, and what it points at is untouched.
            assert!(std::fs::symlink_metadata(link).unwrap().is_symlink());
        }
        assert_eq!(count.get(), 0, "{server:?}: refused before sending");
        assert_eq!(std::fs::read(&precious).unwrap(), b"keep me");
        assert!(
            !absent.exists(),
            "{server:?}: the dangling link was followed"
        );
        assert!(!dir.path().join("target").exists());
        assert_eq!(
            names(dir.path()),
            ["dangling", "link-to-precious", "precious"]
        );
    }
}

#[tokio::test]
async fn an_existing_tmp_file_path_is_refused_and_left_alone() {
    for server in common::all_servers() {
        let plain = common::client(server);
        let bucket = common::bucket(&plain, "fget-exists").await;
        plain
            .put_object(&bucket, "obj", pattern(1000, 2))
            .await
            .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let tmp = dir.path().join("download.part");
        std::fs::write(&tmp, b"someone else's partial file").unwrap();
        let count = common::Count::default();
        let client = common::builder(server)
            .layer(count.clone())
            .build()
            .unwrap();
        let err = client
            .fget_object(&bucket, "obj", dir.path().join("target"))
            .tmp_file_path(&tmp)
            .await
            .unwrap_err();
        assert!(
            matches!(
                err,
                Error::InvalidArgument {
                    param: "tmp_file_path",
                    ..
                }
            ),
            "{server:?}: {err:?}"
        );
        assert_eq!(count.get(), 0, "{server:?}: refused before sending");
        assert_eq!(std::fs::read(&tmp).unwrap(), b"someone else's partial file");
        assert!(!dir.path().join("target").exists());

        // A free tmp_file_path is used, and is gone once the file is in place.
        let free = dir.path().join("free.part");
        client
            .fget_object(&bucket, "obj", dir.path().join("target"))
            .tmp_file_path(&free)
            .await
            .unwrap();
        assert!(!free.exists());
        assert_eq!(
            std::fs::read(dir.path().join("target")).unwrap(),
            pattern(1000, 2)
        );
    }
}

#[tokio::test]
async fn concurrent_downloads_to_one_target_publish_a_whole_file() {
    for server in common::all_servers() {
        let client = common::client(server);
        let bucket = common::bucket(&client, "fget-race").await;
        let a = pattern(3 * 1024 * 1024 + 5, 3);
        let b = pattern(2 * 1024 * 1024 + 11, 4);
        client.put_object(&bucket, "a", a.clone()).await.unwrap();
        client.put_object(&bucket, "b", b.clone()).await.unwrap();
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("target");
        for round in 0..4 {
            // Two different objects, then the same object twice (same ETag:
            // a temporary name derived from it alone would be shared).
            let (first, second) = if round % 2 == 0 {
                ("a", "b")
            } else {
                ("a", "a")
            };
            let (r1, r2) = tokio::join!(
                client.fget_object(&bucket, first, &target).send(),
                client.fget_object(&bucket, second, &target).send(),
            );
            r1.unwrap();
            r2.unwrap();
            let got = std::fs::read(&target).unwrap();
            assert!(
                got == a || got == b,
                "{server:?}: round {round}: a file of {} bytes that is neither object",
                got.len()
            );
            assert_eq!(names(dir.path()), ["target"], "{server:?}: temp files left");
        }
    }
}

/// A hook that hands on the head of GETs of keys ending in `/slow` and
/// `at` bytes of their body, then either cuts the body (`cut`) or stalls
/// it forever.
fn body_fault(
    at: usize,
    cut: bool,
) -> common::Hook<impl Fn(&HttpRequest) -> common::Then + Clone + Send + Sync + 'static> {
    common::Hook(move |req: &HttpRequest| -> common::Then {
        if !common::is_get_of(req, "slow") {
            return common::pass();
        }
        Box::new(move |fut| {
            Box::pin(async move {
                let resp = fut.await?;
                if cut {
                    return common::cut_after(resp, at).await;
                }
                let (parts, body) = resp.into_parts();
                let all = body.collect(usize::MAX).await?;
                let head = futures::stream::iter(vec![Ok::<_, std::io::Error>(
                    http_body::Frame::data(all.slice(..at.min(all.len()))),
                )]);
                let stalled = futures::StreamExt::chain(head, futures::stream::pending());
                let body = http_body_util::StreamBody::new(stalled);
                Ok(http::Response::from_parts(parts, ResponseBody::new(body)))
            })
        })
    })
}

#[tokio::test]
async fn a_download_that_fails_or_is_dropped_mid_body_leaves_no_file() {
    for server in common::all_servers() {
        let plain = common::client(server);
        let bucket = common::bucket(&plain, "fget-crash").await;
        let data = pattern(2 * 1024 * 1024, 5);
        plain
            .put_object(&bucket, "slow", data.clone())
            .await
            .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("target");
        std::fs::write(&target, b"the previous version").unwrap();

        // A cut with no resumption allowed: a typed error.
        let client = common::builder(server)
            .layer(body_fault(700_000, true))
            .resume_attempts(0)
            .build()
            .unwrap();
        let err = client
            .fget_object(&bucket, "slow", &target)
            .await
            .unwrap_err();
        assert!(
            !matches!(err, Error::InvalidArgument { .. }),
            "{server:?}: {err:?}"
        );
        assert_eq!(names(dir.path()), ["target"], "{server:?}: temp file left");
        assert_eq!(std::fs::read(&target).unwrap(), b"the previous version");

        // A body that goes silent, and a caller that gives up: the future
        // is dropped half-way through the download.
        let client = common::builder(server)
            .layer(body_fault(700_000, false))
            .build()
            .unwrap();
        let fut = client.fget_object(&bucket, "slow", &target).send();
        let res = tokio::time::timeout(Duration::from_secs(2), fut).await;
        assert!(res.is_err(), "{server:?}: the stalled download finished");
        assert_eq!(names(dir.path()), ["target"], "{server:?}: temp file left");
        assert_eq!(std::fs::read(&target).unwrap(), b"the previous version");

        // And nothing stops the next download.
        plain.fget_object(&bucket, "slow", &target).await.unwrap();
        assert_eq!(std::fs::read(&target).unwrap(), data);
        assert_eq!(names(dir.path()), ["target"]);
    }
}
