//! Strict integrity mode: MD5 ETags verify objects that declare no
//! checksum (single-part, and multipart through their part sizes), and a
//! malformed declared checksum is an error.

#![allow(clippy::unwrap_used)]

mod common;

use std::time::Duration;

use newtera::transport::RetryConfig;
use newtera::{Error, Newtera};
use newtera_testkit::fault::{Fault, FaultProxy, Rule};
use newtera_testkit::{ServerKind, TestServer};

const MIB: usize = 1024 * 1024;

fn pattern(len: usize) -> Vec<u8> {
    (0..len).map(|i| ((i * 13 + 5) % 241) as u8).collect()
}

fn through(server: &TestServer, proxy: &FaultProxy, strict: bool) -> Newtera {
    Newtera::builder(proxy.url())
        .access_key(server.access_key.clone())
        .secret_key(server.secret_key.clone())
        .region(server.region.clone())
        .retry(RetryConfig {
            max_attempts: 2,
            initial_backoff: Duration::from_millis(10),
            max_backoff: Duration::from_millis(50),
            budget: None,
        })
        .strict_integrity(strict)
        .build()
        .unwrap()
}

fn flip(key: &str) -> Rule {
    Rule::new(Fault::FlipByte(100_000))
        .method("GET")
        .path_ends_with(&format!("/{key}"))
}

#[tokio::test]
async fn strict_mode_verifies_md5_etags_of_objects_without_a_checksum() {
    for server in common::all_servers() {
        // Written without checksums: the server declares none on GET.
        let plain = common::builder(server)
            .checksum_algorithm(None)
            .build()
            .unwrap();
        let bucket = common::bucket(&plain, "strict").await;
        let single = pattern(300_000);
        let multi = pattern(2 * 5 * MIB + 300_000);
        plain
            .put_object(&bucket, "single", single.clone())
            .await
            .unwrap();
        plain
            .put_object(&bucket, "multi", multi.clone())
            .part_size(5 * MIB as u64)
            .await
            .unwrap();
        let proxy = FaultProxy::start(&server.endpoint).unwrap();
        let strict = through(server, &proxy, true);
        let lax = through(server, &proxy, false);
        // Clean reads pass in both modes.
        for (key, data) in [("single", &single), ("multi", &multi)] {
            let got = strict.get_object(&bucket, key).await.unwrap().bytes().await;
            let got = got.unwrap_or_else(|e| panic!("{server:?} {key}: {e:?}"));
            assert!(got[..] == data[..], "{server:?} {key}");
        }
        // A flipped byte, every time: the default mode has nothing to
        // check it against and hands the wrong bytes over; strict mode
        // catches it (after reading again once).
        for (key, data, alg) in [
            ("single", &single, "MD5"),
            ("multi", &multi, "MD5 of part MD5s"),
        ] {
            proxy.clear();
            let rule = proxy.add(flip(key).always());
            let got = lax
                .get_object(&bucket, key)
                .await
                .unwrap()
                .bytes()
                .await
                .unwrap();
            assert!(got[..] != data[..], "{server:?} {key}: the flip happened");
            let e = strict
                .get_object(&bucket, key)
                .await
                .unwrap()
                .bytes()
                .await
                .unwrap_err();
            match &e {
                Error::ChecksumMismatch { algorithm, .. } => assert_eq!(*algorithm, alg),
                e => panic!("{server:?} {key}: {e:?}"),
            }
            assert_eq!(rule.applied(), 3, "1 lax + 2 strict reads");
        }
        // Once: read again, right bytes.
        proxy.clear();
        proxy.add(flip("multi"));
        let got = strict
            .get_object(&bucket, "multi")
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap();
        assert!(got[..] == multi[..]);
    }
}

#[tokio::test]
async fn strict_mode_refuses_a_malformed_declared_checksum() {
    for server in common::all_servers() {
        let plain = common::client(server);
        let bucket = common::bucket(&plain, "malformed").await;
        let data = pattern(2 * 5 * MIB + 1000);
        plain
            .put_object(&bucket, "mp", data.clone())
            .part_size(5 * MIB as u64)
            .await
            .unwrap();
        let proxy = FaultProxy::start(&server.endpoint).unwrap();
        let strict = through(server, &proxy, true);
        let lax = through(server, &proxy, false);
        let got = lax
            .get_object(&bucket, "mp")
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap();
        assert!(got[..] == data[..]);
        let strict_read = strict.get_object(&bucket, "mp").await;
        if server.kind == ServerKind::Moto {
            // moto declares a 4-byte CRC64NVME for multipart objects: a
            // warning by default, a typed error before any byte when strict.
            let e = strict_read.unwrap_err();
            assert!(matches!(e, Error::UnexpectedResponse { .. }), "{e:?}");
        } else {
            let got = strict_read.unwrap().bytes().await.unwrap();
            assert!(got[..] == data[..], "{server:?}");
        }
        // A forged malformed checksum, on any server.
        proxy.add(
            Rule::new(Fault::SetResponseHeader {
                name: "x-amz-checksum-crc64nvme",
                value: "AAAA".into(),
            })
            .method("GET")
            .always(),
        );
        let e = strict.get_object(&bucket, "mp").await.unwrap_err();
        assert!(
            matches!(e, Error::UnexpectedResponse { .. }),
            "{server:?}: {e:?}"
        );
    }
}
