//! rustls client configuration (ring provider only).

use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{verify_tls12_signature, verify_tls13_signature, CryptoProvider};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme};

use crate::error::{ErrorKind, TransportError};

/// Builds the TLS configuration: webpki roots plus `extra_pems`, or no
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
        let mut roots = RootCertStore::empty();
        roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
        for pem in extra_pems {
            let mut found = false;
            for cert in rustls_pemfile::certs(&mut pem.as_slice()) {
                let cert = cert.map_err(|e| {
                    TransportError::with_source(ErrorKind::Config, e)
                        .context("invalid PEM root certificate")
                })?;
                roots.add(cert).map_err(|e| {
                    TransportError::with_source(ErrorKind::Config, e)
                        .context("invalid root certificate")
                })?;
                found = true;
            }
            if !found {
                return Err(TransportError::new(ErrorKind::Config)
                    .context("no certificate in the PEM root certificate"));
            }
        }
        builder.with_root_certificates(roots).with_no_client_auth()
    } else {
        builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(AcceptAnyCert { provider }))
            .with_no_client_auth()
    };
    Ok(config)
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
    fn bad_pem_is_config_error() {
        let e = client_config(true, &[b"not a pem".to_vec()])
            .err()
            .map(|e| e.kind());
        assert_eq!(e, Some(ErrorKind::Config));
    }
}
