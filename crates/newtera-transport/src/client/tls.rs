//! rustls client configuration (ring provider only).

use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{verify_tls12_signature, verify_tls13_signature, CryptoProvider};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme};

use crate::error::{ErrorKind, TransportError};

/// Builds the TLS configuration: the roots of [`root_store`], or no
/// certificate check at all when `cert_check` is false.
pub(crate) fn client_config(
    cert_check: bool,
    extra_pems: &[Vec<u8>],
) -> Result<ClientConfig, TransportError> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| {
            TransportError::with_source(ErrorKind::Tls, e).context("TLS protocol versions")
        })?;
    let config = if cert_check {
        let roots = root_store(extra_pems, std::env::var_os("SSL_CERT_FILE").as_deref())?;
        builder.with_root_certificates(roots).with_no_client_auth()
    } else {
        builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(AcceptAnyCert { provider }))
            .with_no_client_auth()
    };
    Ok(config)
}

/// The trusted roots: Mozilla's (feature `webpki-roots`, default), the
/// platform store (feature `native-roots`), the certificates of the PEM file
/// `ssl_cert_file` (`SSL_CERT_FILE`), and `extra_pems`.
///
/// With `native-roots`, rustls-native-certs reads `SSL_CERT_FILE` (and
/// `SSL_CERT_DIR`) itself, instead of the platform store, as OpenSSL does.
fn root_store(
    extra_pems: &[Vec<u8>],
    ssl_cert_file: Option<&std::ffi::OsStr>,
) -> Result<RootCertStore, TransportError> {
    let mut roots = RootCertStore::empty();
    #[cfg(feature = "webpki-roots")]
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    #[cfg(feature = "native-roots")]
    {
        let _ = ssl_cert_file;
        // Certificates of the store that rustls cannot parse are skipped,
        // like an unreadable store: the other roots still apply.
        let native = rustls_native_certs::load_native_certs();
        for e in &native.errors {
            tracing::debug!(error = %e, "skipping part of the platform certificate store");
        }
        let (added, skipped) = roots.add_parsable_certificates(native.certs);
        tracing::debug!(added, skipped, "platform root certificates");
    }
    #[cfg(not(feature = "native-roots"))]
    if let Some(path) = ssl_cert_file.filter(|p| !p.is_empty()) {
        let pem = std::fs::read(path).map_err(|e| {
            TransportError::with_source(ErrorKind::Config, e)
                .context("cannot read the SSL_CERT_FILE root certificates")
        })?;
        add_pem(&mut roots, &pem, "invalid PEM in SSL_CERT_FILE")?;
    }
    for pem in extra_pems {
        add_pem(&mut roots, pem, "invalid PEM root certificate")?;
    }
    Ok(roots)
}

/// Adds every certificate of `pem`; none at all is an error too.
fn add_pem(
    roots: &mut RootCertStore,
    pem: &[u8],
    what: &'static str,
) -> Result<(), TransportError> {
    let mut found = false;
    for cert in rustls_pemfile::certs(&mut &pem[..]) {
        let cert =
            cert.map_err(|e| TransportError::with_source(ErrorKind::Config, e).context(what))?;
        roots.add(cert).map_err(|e| {
            TransportError::with_source(ErrorKind::Config, e).context("invalid root certificate")
        })?;
        found = true;
    }
    if found {
        Ok(())
    } else {
        Err(TransportError::new(ErrorKind::Config).context(what))
    }
}

/// Accepts any server certificate, but still checks that the server holds the
/// key of the certificate it sent (handshake signatures are verified with the
/// ring provider's algorithms). Used only when the user turned the
/// certificate check off.
#[derive(Debug)]
struct AcceptAnyCert {
    provider: Arc<CryptoProvider>,
}

impl ServerCertVerifier for AcceptAnyCert {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_with_and_without_check() {
        assert!(client_config(true, &[]).is_ok());
        assert!(client_config(false, &[]).is_ok());
    }

    #[test]
    fn roots_follow_the_features() {
        let roots = root_store(&[], None).map(|r| r.len()).unwrap_or(0);
        if cfg!(feature = "webpki-roots") {
            assert!(roots >= webpki_count(), "{roots}");
        }
    }

    fn webpki_count() -> usize {
        #[cfg(feature = "webpki-roots")]
        return webpki_roots::TLS_SERVER_ROOTS.len();
        #[cfg(not(feature = "webpki-roots"))]
        0
    }

    #[cfg(not(feature = "native-roots"))]
    #[test]
    fn ssl_cert_file_is_read() {
        let missing = std::ffi::OsStr::new("/nonexistent/newtera-ca.pem");
        let e = root_store(&[], Some(missing)).err().map(|e| e.kind());
        assert_eq!(e, Some(ErrorKind::Config));
        let dir = std::env::temp_dir().join(format!("newtera-tls-{}", std::process::id()));
        let _ = std::fs::create_dir_all(&dir);
        let bad = dir.join("bad.pem");
        let _ = std::fs::write(&bad, b"no certificate here");
        let e = root_store(&[], Some(bad.as_os_str()))
            .err()
            .map(|e| e.kind());
        assert_eq!(e, Some(ErrorKind::Config));
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn bad_pem_is_config_error() {
        let e = client_config(true, &[b"not a pem".to_vec()])
            .err()
            .map(|e| e.kind());
        assert_eq!(e, Some(ErrorKind::Config));
    }
}
