//! TLS against a real server (garage behind the testkit's TLS terminator,
//! whose certificate is issued by a test CA): default verification refuses
//! it, trusting the CA accepts it, and `cert_check(false)` accepts it.

#![allow(clippy::unwrap_used)]

mod common;

use newtera::{Error, Newtera};

fn https_builder(server: &newtera_testkit::TestServer) -> newtera::NewteraBuilder {
    Newtera::builder(format!("https://{}", server.endpoint))
        .access_key(server.access_key.clone())
        .secret_key(server.secret_key.clone())
}

#[tokio::test]
async fn default_verification_refuses_an_unknown_ca() {
    let server = newtera_testkit::garage_tls();
    let client = https_builder(server).build().unwrap();
    let err = client.list_buckets().await.unwrap_err();
    match &err {
        Error::Transport { source, .. } => {
            assert!(
                matches!(
                    source.kind(),
                    newtera::transport::ErrorKind::Tls | newtera::transport::ErrorKind::Connect
                ),
                "{err:?}"
            );
        }
        other => panic!("expected a TLS error, got {other:?}"),
    }
}

#[tokio::test]
async fn trusting_the_test_ca_accepts_the_server() {
    let server = newtera_testkit::garage_tls();
    let ca = server.ca_pem.clone().expect("the TLS server has a CA");
    let client = https_builder(server)
        .add_root_certificate_pem(&ca)
        .build()
        .unwrap();
    let bucket = common::bucket(&client, "tls").await;
    client.put_object(&bucket, "k", "over tls").await.unwrap();
    let got = client
        .get_object(&bucket, "k")
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert_eq!(&got[..], b"over tls");
}

#[tokio::test]
async fn cert_check_false_accepts_any_certificate() {
    let server = newtera_testkit::garage_tls();
    let client = https_builder(server).cert_check(false).build().unwrap();
    client.list_buckets().await.unwrap();
}

#[test]
fn a_bad_ca_pem_is_a_typed_build_error() {
    let err = Newtera::builder("https://127.0.0.1:1")
        .add_root_certificate_pem(b"not a certificate")
        .build()
        .unwrap_err();
    assert!(matches!(err, Error::Transport { .. }), "{err:?}");
}
