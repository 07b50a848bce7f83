//! Where trusted roots come from: `SSL_CERT_FILE` names a PEM bundle that is
//! trusted besides the compiled-in roots (default build: read by Newtera;
//! with the `native-roots` feature: read by rustls-native-certs in place of
//! the platform store, as OpenSSL does). Here it names the testkit's test CA,
//! which issued the certificate of garage's TLS terminator.
//!
//! One test function: it changes the process environment, and the other
//! TLS tests (tests/tls.rs, default verification refusing the test CA) live
//! in another process. Run with `--features native-roots` too (`cargo xtask
//! test` does).

#![allow(clippy::unwrap_used)]

mod common;

use newtera::transport::ErrorKind;
use newtera::{Error, Newtera};

fn https_client(server: &newtera_testkit::TestServer) -> Result<Newtera, Error> {
    // No add_root_certificate_pem: the CA must come from the environment.
    Newtera::builder(format!("https://{}", server.endpoint))
        .access_key(server.access_key.clone())
        .secret_key(server.secret_key.clone())
        .build()
}

fn is_tls_refusal(err: &Error) -> bool {
    matches!(err, Error::Transport { source, .. }
        if matches!(source.kind(), ErrorKind::Tls | ErrorKind::Connect))
}

#[tokio::test]
async fn ssl_cert_file_names_the_trusted_ca() {
    let server = newtera_testkit::garage_tls();
    std::env::remove_var("SSL_CERT_FILE");
    std::env::remove_var("SSL_CERT_DIR");

    // Without it the test CA is unknown.
    let err = https_client(server)
        .unwrap()
        .list_buckets()
        .await
        .unwrap_err();
    assert!(is_tls_refusal(&err), "{err:?}");

    let dir = tempfile::tempdir().unwrap();
    let ca = dir.path().join("test-ca.pem");
    std::fs::write(&ca, newtera_testkit::test_ca_pem()).unwrap();
    std::env::set_var("SSL_CERT_FILE", &ca);
    let client = https_client(server).unwrap();
    let bucket = common::bucket(&client, "ssl-cert-file").await;
    client.put_object(&bucket, "k", "trusted").await.unwrap();
    let got = client
        .get_object(&bucket, "k")
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert_eq!(&got[..], b"trusted");
    client.remove_object(&bucket, "k").await.unwrap();
    client.remove_bucket(&bucket).await.unwrap();

    // A file without certificates.
    let junk = dir.path().join("junk.pem");
    std::fs::write(&junk, "not a certificate").unwrap();
    std::env::set_var("SSL_CERT_FILE", &junk);
    let built = https_client(server);
    if cfg!(feature = "native-roots") {
        // rustls-native-certs reports the bad file and Newtera goes on with
        // the other roots: the test CA is not among them.
        let err = built.unwrap().list_buckets().await.unwrap_err();
        assert!(is_tls_refusal(&err), "{err:?}");
    } else {
        // Newtera reads it itself: a typed error at build time.
        let err = built.unwrap_err();
        assert!(
            matches!(&err, Error::Transport { source, .. } if source.kind() == ErrorKind::Config),
            "{err:?}"
        );
    }
    std::env::remove_var("SSL_CERT_FILE");
}
