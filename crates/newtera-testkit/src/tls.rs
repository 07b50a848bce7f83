//! A TLS terminator in front of a plain-HTTP server, with a per-process test
//! CA (rcgen) and a leaf certificate for `127.0.0.1` and `localhost`.
//!
//! It runs on its own thread with its own tokio runtime, so it works whether
//! or not the caller is inside a runtime (and from current-thread runtimes
//! that would otherwise starve it).

use std::net::SocketAddr;
use std::sync::{Arc, OnceLock};

use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose, SanType,
};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::TlsAcceptor;

use crate::{ServerKind, TestServer};

pub(crate) struct Pki {
    pub(crate) ca_pem: Vec<u8>,
    config: Arc<rustls::ServerConfig>,
}

/// The test CA and the terminators' server configuration, made once.
pub(crate) fn pki() -> &'static Pki {
    static PKI: OnceLock<Pki> = OnceLock::new();
    PKI.get_or_init(|| make_pki().unwrap_or_else(|e| panic!("newtera-testkit: test PKI: {e}")))
}

fn make_pki() -> Result<Pki, Box<dyn std::error::Error>> {
    let ca_key = KeyPair::generate()?;
    let mut ca_params = CertificateParams::new(Vec::new())?;
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(DnType::CommonName, "Newtera test CA");
    ca_params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    let ca_cert = ca_params.self_signed(&ca_key)?;
    let issuer = Issuer::new(ca_params, ca_key);

    let leaf_key = KeyPair::generate()?;
    let mut leaf_params = CertificateParams::new(vec!["localhost".to_owned()])?;
    leaf_params
        .subject_alt_names
        .push(SanType::IpAddress(std::net::Ipv4Addr::LOCALHOST.into()));
    leaf_params
        .distinguished_name
        .push(DnType::CommonName, "newtera test server");
    leaf_params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    leaf_params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    let leaf_cert = leaf_params.signed_by(&leaf_key, &issuer)?;

    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_no_client_auth()
        .with_single_cert(
            vec![
                CertificateDer::from(leaf_cert.der().to_vec()),
                CertificateDer::from(ca_cert.der().to_vec()),
            ],
            PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(leaf_key.serialize_der())),
        )?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Pki {
        ca_pem: ca_cert.pem().into_bytes(),
        config: Arc::new(config),
    })
}

/// The terminators' runtime, on a thread of its own that lives as long as the
/// process.
fn runtime() -> &'static tokio::runtime::Handle {
    static HANDLE: OnceLock<tokio::runtime::Handle> = OnceLock::new();
    HANDLE.get_or_init(|| {
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::Builder::new()
            .name("newtera-testkit-tls".into())
            .spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .unwrap_or_else(|e| panic!("newtera-testkit: tokio runtime: {e}"));
                let _ = tx.send(rt.handle().clone());
                rt.block_on(std::future::pending::<()>());
            })
            .unwrap_or_else(|e| panic!("newtera-testkit: cannot start the TLS thread: {e}"));
        rx.recv()
            .unwrap_or_else(|e| panic!("newtera-testkit: TLS thread failed: {e}"))
    })
}

/// Starts a terminator that forwards to `upstream` and returns its address.
pub(crate) fn terminate(upstream: SocketAddr) -> std::io::Result<SocketAddr> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    listener.set_nonblocking(true)?;
    let addr = listener.local_addr()?;
    let acceptor = TlsAcceptor::from(pki().config.clone());
    runtime().spawn(async move {
        let listener = match TcpListener::from_std(listener) {
            Ok(l) => l,
            Err(e) => {
                eprintln!("newtera-testkit: TLS terminator on {addr}: {e}");
                return;
            }
        };
        loop {
            let Ok((socket, _)) = listener.accept().await else {
                continue;
            };
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                let _ = socket.set_nodelay(true);
                let Ok(mut tls) = acceptor.accept(socket).await else {
                    return;
                };
                let Ok(mut plain) = TcpStream::connect(upstream).await else {
                    return;
                };
                let _ = plain.set_nodelay(true);
                let _ = tokio::io::copy_bidirectional(&mut tls, &mut plain).await;
            });
        }
    });
    Ok(addr)
}

/// `inner` behind a new terminator.
pub(crate) fn wrap(inner: &TestServer, kind: ServerKind) -> TestServer {
    let upstream: SocketAddr = inner
        .endpoint
        .parse()
        .unwrap_or_else(|e| panic!("newtera-testkit: bad endpoint {}: {e}", inner.endpoint));
    let addr = terminate(upstream)
        .unwrap_or_else(|e| panic!("newtera-testkit: cannot start a TLS terminator: {e}"));
    TestServer {
        kind,
        endpoint: addr.to_string(),
        secure: true,
        access_key: inner.access_key.clone(),
        secret_key: inner.secret_key.clone(),
        region: inner.region.clone(),
        ca_pem: Some(pki().ca_pem.clone()),
        default_bucket: inner.default_bucket.clone(),
    }
}
