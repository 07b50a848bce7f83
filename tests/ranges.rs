//! Ranged reads get the bytes asked for or a typed error: never other
//! bytes, whatever a server or proxy does to `Range` and `Content-Range`;
//! silent connections are resumed; damaged downloads are read again.

#![allow(clippy::unwrap_used)]

mod common;

use std::time::Duration;

use futures::StreamExt as _;
use newtera::transport::{ErrorKind, RetryConfig};
use newtera::{Error, Newtera};
use newtera_testkit::fault::{Fault, FaultProxy, Rule};
use newtera_testkit::{ServerKind, TestServer};

fn pattern(len: usize) -> Vec<u8> {
    (0..len).map(|i| ((i * 31 + 7) % 251) as u8).collect()
}

/// A client for `server` through `proxy`, with quick retries and timeouts.
fn through(server: &TestServer, proxy: &FaultProxy) -> Newtera {
    Newtera::builder(proxy.url())
        .access_key(server.access_key.clone())
        .secret_key(server.secret_key.clone())
        .region(server.region.clone())
        .retry(RetryConfig {
            max_attempts: 3,
            initial_backoff: Duration::from_millis(10),
            max_backoff: Duration::from_millis(50),
            budget: None,
        })
        .read_timeout(Some(Duration::from_millis(800)))
        .build()
        .unwrap()
}

async fn setup(server: &TestServer, prefix: &str, data: &[u8]) -> String {
    let plain = common::client(server);
    let bucket = common::bucket(&plain, prefix).await;
    plain
        .put_object(&bucket, "obj", data.to_vec())
        .await
        .unwrap();
    bucket
}

/// `fault` on the GETs of `obj`.
fn with_fault(fault: Fault) -> Rule {
    Rule::new(fault).method("GET").path_ends_with("/obj")
}

#[tokio::test]
async fn a_server_that_ignores_range_still_yields_the_bytes_asked_for() {
    let data = pattern(700_000);
    for server in common::all_servers() {
        let bucket = setup(server, "norange", &data).await;
        let proxy = FaultProxy::start(&server.endpoint).unwrap();
        let strip = proxy.add(with_fault(Fault::StripRequestHeader("range")).always());
        let client = through(server, &proxy);
        let got = client
            .get_object(&bucket, "obj")
            .offset(1000)
            .length(50_000)
            .await
            .map(|r| r.status);
        if server.kind == ServerKind::Garage {
            // garage checks signatures, and `range` is a signed header: the
            // stripped request is refused, typed, and no byte is handed out.
            let e = got.unwrap_err();
            assert!(matches!(e, Error::S3(_)), "{e:?}");
            assert!(strip.applied() >= 1);
            continue;
        }
        assert_eq!(got.unwrap(), http::StatusCode::OK, "moto saw no Range");
        let read = |offset: u64, length: u64| {
            let client = client.clone();
            let bucket = bucket.clone();
            async move {
                client
                    .get_object(&bucket, "obj")
                    .offset(offset)
                    .length(length)
                    .await
                    .unwrap()
                    .bytes()
                    .await
                    .unwrap()
            }
        };
        assert!(read(1000, 50_000).await[..] == data[1000..51_000]);
        assert!(read(0, 10).await[..] == data[..10]);
        assert!(read(699_990, 0).await[..] == data[699_990..]);
        assert!(read(650_000, 100_000).await[..] == data[650_000..]);
        // An offset past the end of a whole-object answer is a typed error.
        let e = client
            .get_object(&bucket, "obj")
            .offset(800_000)
            .await
            .unwrap_err();
        assert!(matches!(e, Error::UnexpectedResponse { .. }), "{e:?}");
        assert!(strip.applied() >= 5);
    }
}

#[tokio::test]
async fn a_resumed_read_answered_with_the_whole_object_skips_to_where_it_was() {
    let server = newtera_testkit::moto();
    let data = pattern(900_000);
    let bucket = setup(server, "resume200", &data).await;
    let proxy = FaultProxy::start(&server.endpoint).unwrap();
    let cut = proxy.add(with_fault(Fault::ResetMidBody(300_000)));
    let strip = proxy.add(with_fault(Fault::StripRequestHeader("range")).always());
    let client = through(server, &proxy);
    for (offset, length) in [(0, 0), (100, 800_000)] {
        let got = client
            .get_object(&bucket, "obj")
            .offset(offset)
            .length(length)
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap();
        let end = if length == 0 {
            data.len()
        } else {
            (offset + length) as usize
        };
        assert!(got[..] == data[offset as usize..end], "{offset}+{length}");
    }
    assert_eq!(cut.applied(), 1);
    assert!(strip.applied() >= 1, "the resumed read was sent with Range");
}

#[tokio::test]
async fn a_content_range_that_does_not_match_is_a_typed_error() {
    let data = pattern(200_000);
    for server in common::all_servers() {
        let bucket = setup(server, "badcr", &data).await;
        let proxy = FaultProxy::start(&server.endpoint).unwrap();
        let rewrite = proxy.add(
            with_fault(Fault::SetResponseHeader {
                name: "content-range",
                value: format!("bytes 0-9999/{}", data.len()),
            })
            .always(),
        );
        let client = through(server, &proxy);
        let e = client
            .get_object(&bucket, "obj")
            .offset(5000)
            .length(10_000)
            .await
            .unwrap_err();
        assert!(
            matches!(e, Error::UnexpectedResponse { .. }),
            "{server:?}: {e:?}"
        );
        // Not even a valid range: also typed.
        proxy.clear();
        let garbled = proxy.add(
            with_fault(Fault::SetResponseHeader {
                name: "content-range",
                value: "bytes 9-0/5".into(),
            })
            .always(),
        );
        let e = client
            .get_object(&bucket, "obj")
            .offset(5000)
            .length(10)
            .await
            .unwrap_err();
        assert!(
            matches!(e, Error::UnexpectedResponse { .. }),
            "{server:?}: {e:?}"
        );
        assert_eq!((rewrite.applied(), garbled.applied()), (1, 1));
    }
}

#[tokio::test]
async fn a_body_that_goes_silent_is_resumed_and_counts_against_resume_attempts() {
    let data = pattern(600_000);
    for server in common::all_servers() {
        let bucket = setup(server, "silent", &data).await;
        let proxy = FaultProxy::start(&server.endpoint).unwrap();
        let stall = proxy.add(with_fault(Fault::StallMidBody {
            after: 100_000,
            stall: Duration::from_secs(30),
        }));
        let client = through(server, &proxy);
        let got = client
            .get_object(&bucket, "obj")
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap();
        assert!(got == data, "{server:?}");
        assert_eq!(
            (stall.applied(), stall.matched()),
            (1, 2),
            "one stall, one resumption"
        );
        // fget resumes too.
        proxy.clear();
        let stall = proxy.add(with_fault(Fault::StallMidBody {
            after: 0,
            stall: Duration::from_secs(30),
        }));
        let dir = tempfile::tempdir().unwrap();
        let dst = dir.path().join("out");
        client.fget_object(&bucket, "obj", &dst).await.unwrap();
        assert!(std::fs::read(&dst).unwrap() == data);
        assert_eq!(stall.applied(), 1);
        // Silent every time, with no progress: resume_attempts bounds it,
        // and the error is a typed timeout.
        proxy.clear();
        let stall = proxy.add(
            with_fault(Fault::StallMidBody {
                after: 0,
                stall: Duration::from_secs(30),
            })
            .always(),
        );
        let client = Newtera::builder(proxy.url())
            .access_key(server.access_key.clone())
            .secret_key(server.secret_key.clone())
            .region(server.region.clone())
            .read_timeout(Some(Duration::from_millis(300)))
            .resume_attempts(2)
            .build()
            .unwrap();
        let e = client
            .get_object(&bucket, "obj")
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap_err();
        match &e {
            Error::Transport { source, .. } => assert_eq!(source.kind(), ErrorKind::Timeout),
            e => panic!("{server:?}: {e:?}"),
        }
        assert_eq!(stall.matched(), 3, "1 read + 2 resumptions");
    }
}

#[tokio::test]
async fn a_damaged_download_is_read_again_but_a_stream_reader_gets_the_error() {
    let data = pattern(400_000);
    for server in common::all_servers() {
        let bucket = setup(server, "damaged", &data).await;
        let proxy = FaultProxy::start(&server.endpoint).unwrap();
        let client = through(server, &proxy);
        // Once: whole-body reads and fget read again and succeed.
        let flip = proxy.add(with_fault(Fault::FlipByte(123_456)));
        let got = client
            .get_object(&bucket, "obj")
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap();
        assert!(got == data, "{server:?}");
        assert_eq!((flip.applied(), flip.matched()), (1, 2));
        proxy.clear();
        let flip = proxy.add(with_fault(Fault::ShortBody(50_000)));
        let dir = tempfile::tempdir().unwrap();
        let dst = dir.path().join("out");
        client.fget_object(&bucket, "obj", &dst).await.unwrap();
        assert!(std::fs::read(&dst).unwrap() == data);
        assert_eq!(flip.applied(), 1);
        // A stream reader was handed the bytes: it gets the typed error.
        proxy.clear();
        proxy.add(with_fault(Fault::FlipByte(10)));
        let mut body = client
            .get_object(&bucket, "obj")
            .await
            .unwrap()
            .into_stream();
        let mut last = None;
        while let Some(chunk) = body.next().await {
            if let Err(e) = chunk {
                last = Some(e);
            }
        }
        assert!(
            matches!(last, Some(Error::ChecksumMismatch { .. })),
            "{last:?}"
        );
        // Always damaged: the typed error once the attempts are spent.
        proxy.clear();
        let flip = proxy.add(with_fault(Fault::FlipByte(10)).always());
        let e = client
            .get_object(&bucket, "obj")
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap_err();
        assert!(matches!(e, Error::ChecksumMismatch { .. }), "{e:?}");
        assert_eq!(flip.matched(), 3, "max_attempts reads");
    }
}
