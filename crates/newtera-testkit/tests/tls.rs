//! The TLS terminator: a handshake that trusts only the test CA succeeds for
//! both `127.0.0.1` and `localhost`, from inside and outside a runtime.

use std::sync::Arc;

use rustls::pki_types::ServerName;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

async fn get_over_tls(endpoint: &str, ca_pem: &[u8], name: &str) -> String {
    let mut roots = rustls::RootCertStore::empty();
    let der = pem_to_der(ca_pem);
    roots.add(der.into()).expect("add CA");
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("versions")
        .with_root_certificates(roots)
        .with_no_client_auth();
    let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
    let tcp = tokio::net::TcpStream::connect(endpoint)
        .await
        .expect("connect");
    let server_name = ServerName::try_from(name.to_owned()).expect("name");
    let mut tls = connector
        .connect(server_name, tcp)
        .await
        .expect("TLS handshake");
    tls.write_all(
        format!("GET / HTTP/1.1\r\nHost: {endpoint}\r\nConnection: close\r\n\r\n").as_bytes(),
    )
    .await
    .expect("write");
    let mut out = Vec::new();
    let _ = tls.read_to_end(&mut out).await;
    String::from_utf8_lossy(&out).into_owned()
}

/// Minimal PEM decoding (one certificate), to keep the testkit's deps small.
fn pem_to_der(pem: &[u8]) -> Vec<u8> {
    let text = std::str::from_utf8(pem).expect("utf8");
    let b64: String = text.lines().filter(|l| !l.starts_with("-----")).collect();
    let table = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = Vec::new();
    let (mut acc, mut bits) = (0u32, 0);
    for c in b64.bytes().filter(|&c| c != b'=') {
        let v = table.iter().position(|&t| t == c).expect("base64") as u32;
        acc = (acc << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    out
}

#[tokio::test]
async fn moto_tls_from_a_current_thread_runtime() {
    let s = newtera_testkit::moto_tls();
    assert!(s.secure && s.url().starts_with("https://"));
    let ca = s.ca_pem.as_deref().expect("ca");
    for name in ["127.0.0.1", "localhost"] {
        let answer = get_over_tls(&s.endpoint, ca, name).await;
        assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    }
}

#[test]
fn garage_tls_outside_a_runtime() {
    let s = newtera_testkit::garage_tls();
    let ca = s.ca_pem.clone().expect("ca");
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("rt");
    let answer = rt.block_on(get_over_tls(&s.endpoint, &ca, "127.0.0.1"));
    assert!(answer.starts_with("HTTP/1.1 403"), "{answer}");
}
