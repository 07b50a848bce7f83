//! Credentials providers that fetch credentials over the network, a cache
//! that refreshes them before they expire, and the default chain.
//!
//! | provider | source |
//! |---|---|
//! | [`AssumeRoleProvider`] | STS `AssumeRole`, signed with the credentials of another provider |
//! | [`WebIdentityProvider`] | STS `AssumeRoleWithWebIdentity` with a token file (EKS/IRSA, OIDC) |
//! | [`EcsProvider`] | the ECS / EKS Pod Identity container credentials endpoint |
//! | [`ImdsProvider`] | the EC2 instance metadata service, v2 (session token first) |
//! | [`CachedProvider`] | wraps any provider: caches, refreshes early, one refresh at a time |
//! | [`default_chain`] | environment, files, then the network providers above, each cached |
//!
//! Every provider here fetches anew at each [`Provider::retrieve`]; wrap it
//! in a [`CachedProvider`] (as [`default_chain`] does) before giving it to a
//! client, which asks for credentials at every request.
//!
//! Failures are [`CredentialsError::NotFound`] when the provider is not
//! configured (e.g. its environment variables are unset) and
//! [`CredentialsError::Provider`] otherwise, whose source is a
//! [`NetworkCredentialsError`]. No error, and no provider's `Debug`, ever
//! shows a secret key, a session token, an authorization token or the
//! content of a token file.
//!
//! ```no_run
//! use std::sync::Arc;
//! use newtera_core::credentials::{AssumeRoleProvider, CachedProvider};
//! use newtera_core::signer::EnvAwsProvider;
//!
//! # fn demo() -> Result<(), newtera_core::Error> {
//! let role = AssumeRoleProvider::new(
//!     Arc::new(EnvAwsProvider::new()),
//!     "arn:aws:iam::123456789012:role/reader",
//! )
//! .session_name("nightly-report")
//! .region("eu-west-1");
//! let client = newtera_core::Newtera::builder("s3.eu-west-1.amazonaws.com")
//!     .credentials(CachedProvider::new(role))
//!     .build()?;
//! # let _ = client; Ok(()) }
//! ```

mod cache;
mod chain;
mod ecs;
mod fetch;
mod imds;
mod sts;
mod web_identity;

use std::fmt;
use std::path::PathBuf;

use newtera_signer::{Credentials, CredentialsError};
use newtera_transport::TransportError;

pub use cache::{CachedProvider, DEFAULT_REFRESH_BEFORE, DEFAULT_TTL};
pub use chain::default_chain;
pub use ecs::{EcsProvider, ECS_DEFAULT_BASE};
pub use fetch::TransportConfig;
pub use imds::{ImdsProvider, IMDS_DEFAULT_ENDPOINT, IMDS_DEFAULT_TOKEN_TTL};
pub use sts::{AssumeRoleProvider, DEFAULT_STS_ENDPOINT};
pub use web_identity::WebIdentityProvider;

#[cfg(doc)]
use newtera_signer::Provider;

/// Why a network credentials provider failed: the source of
/// [`CredentialsError::Provider`].
///
/// No variant carries a secret key, a session token, an authorization token
/// or the content of a token file; endpoints are shown without their query.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum NetworkCredentialsError {
    /// The provider's settings are invalid (e.g. a malformed endpoint URL).
    #[error("invalid configuration: {0}")]
    Config(String),
    /// A file (token file, authorization token file) could not be read.
    #[error("cannot read {}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The request could not be sent or its response not received
    /// (connection refused, timeout, body too large, ...).
    #[error("request to {endpoint} failed")]
    Transport {
        /// The endpoint, without query.
        endpoint: String,
        /// The transport error.
        #[source]
        source: TransportError,
    },
    /// The endpoint answered with an error status.
    #[error("{endpoint} answered HTTP {status}{}", detail(.code, .message))]
    Status {
        /// The endpoint, without query.
        endpoint: String,
        /// The HTTP status code.
        status: u16,
        /// The error code of the response body, if any (e.g. STS's
        /// `AccessDenied`).
        code: Option<String>,
        /// The error message of the response body, if any (shortened).
        message: Option<String>,
    },
    /// The response could not be understood (malformed XML or JSON, missing
    /// fields, bad timestamp).
    #[error("invalid response from {endpoint}: {reason}")]
    InvalidResponse {
        /// The endpoint, without query.
        endpoint: String,
        /// What is wrong; never a value from the response.
        reason: String,
    },
}

fn detail(code: &Option<String>, message: &Option<String>) -> String {
    match (code, message) {
        (Some(c), Some(m)) => format!(" {c}: {m}"),
        (Some(c), None) => format!(" {c}"),
        (None, Some(m)) => format!(": {m}"),
        (None, None) => String::new(),
    }
}

impl NetworkCredentialsError {
    /// Wraps the error as [`CredentialsError::Provider`] of `provider`.
    pub fn into_credentials_error(self, provider: &'static str) -> CredentialsError {
        CredentialsError::Provider {
            provider,
            source: Box::new(self),
        }
    }

    /// The HTTP status, for [`Status`](Self::Status).
    pub fn status(&self) -> Option<u16> {
        match self {
            NetworkCredentialsError::Status { status, .. } => Some(*status),
            _ => None,
        }
    }
}

/// A "not configured" error.
pub(crate) fn not_found(provider: &'static str, reason: impl Into<String>) -> CredentialsError {
    CredentialsError::NotFound {
        provider,
        reason: reason.into(),
    }
}

/// Reads an environment variable; unset, empty and non-Unicode values count
/// as unset (the value itself is never reported).
pub(crate) fn env_var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

/// The region from `AWS_REGION` or `AWS_DEFAULT_REGION`.
pub(crate) fn env_region() -> Option<String> {
    env_var("AWS_REGION").or_else(|| env_var("AWS_DEFAULT_REGION"))
}

/// A string shortened to at most `max` characters, for messages from servers.
pub(crate) fn shorten(s: &str, max: usize) -> String {
    let s = s.trim();
    match s.char_indices().nth(max) {
        Some((i, _)) => format!("{}...", &s[..i]),
        None => s.to_owned(),
    }
}

/// The credentials document of the ECS and EC2 metadata endpoints:
/// `{"AccessKeyId", "SecretAccessKey", "Token", "Expiration"}` (and for EC2
/// `"Code": "Success"`).
#[derive(serde::Deserialize)]
#[serde(rename_all = "PascalCase")]
struct JsonCredentials {
    code: Option<String>,
    message: Option<String>,
    access_key_id: Option<String>,
    secret_access_key: Option<String>,
    token: Option<String>,
    expiration: Option<String>,
}

impl fmt::Debug for JsonCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JsonCredentials")
            .field("code", &self.code)
            .field("access_key_id", &self.access_key_id)
            .finish_non_exhaustive()
    }
}

/// Parses the JSON credentials document of the ECS and EC2 endpoints.
pub(crate) fn parse_json_credentials(
    body: &[u8],
    endpoint: &str,
) -> Result<Credentials, NetworkCredentialsError> {
    let invalid = |reason: String| NetworkCredentialsError::InvalidResponse {
        endpoint: endpoint.to_owned(),
        reason,
    };
    // serde_json's messages can quote values from the input: report only
    // the category and position.
    let doc: JsonCredentials = serde_json::from_slice(body).map_err(|e| {
        invalid(format!(
            "malformed JSON ({:?} error at line {} column {})",
            e.classify(),
            e.line(),
            e.column()
        ))
    })?;
    if let Some(code) = doc.code.as_deref() {
        if !code.eq_ignore_ascii_case("success") {
            return Err(NetworkCredentialsError::Status {
                endpoint: endpoint.to_owned(),
                status: 200,
                code: Some(shorten(code, 64)),
                message: doc.message.as_deref().map(|m| shorten(m, 256)),
            });
        }
    }
    let field = |v: Option<String>, name: &str| {
        v.filter(|s| !s.is_empty())
            .ok_or_else(|| invalid(format!("no {name}")))
    };
    let access_key = field(doc.access_key_id, "AccessKeyId")?;
    let secret_key = field(doc.secret_access_key, "SecretAccessKey")?;
    let token = doc.token.filter(|t| !t.is_empty());
    let mut creds = Credentials::new(access_key, secret_key, token);
    if let Some(exp) = doc.expiration.as_deref() {
        let at = crate::time::parse_iso8601(exp)
            .ok_or_else(|| invalid("Expiration is not an ISO 8601 timestamp".to_owned()))?;
        creds = creds.with_expiration(at);
    }
    Ok(creds)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_credentials() {
        let c = parse_json_credentials(
            br#"{"Code":"Success","AccessKeyId":"AK","SecretAccessKey":"SK","Token":"TK","Expiration":"2030-01-01T00:00:00Z","Extra":1}"#,
            "e",
        )
        .expect("valid");
        assert_eq!(c.access_key(), "AK");
        assert_eq!(c.secret_key(), "SK");
        assert_eq!(c.session_token(), Some("TK"));
        assert!(c.expiration().is_some());

        let c = parse_json_credentials(br#"{"AccessKeyId":"AK","SecretAccessKey":"SK"}"#, "e")
            .expect("valid");
        assert_eq!(c.session_token(), None);
        assert_eq!(c.expiration(), None);
    }

    #[test]
    fn json_credentials_errors_hide_values() {
        for body in [
            &br#"{"AccessKeyId":"AK","SecretAccessKey":"SUPERSECRET","Expiration":"SUPERSECRET"}"#
                [..],
            br#"{"AccessKeyId":"AK","SecretAccessKey":["SUPERSECRET"]}"#,
            br#"{"AccessKeyId":"AK","SecretAccessKey":"SUPERSECRET""#,
            br#"{"AccessKeyId":"AK"}"#,
            br#"{"AccessKeyId":5,"SecretAccessKey":"SUPERSECRET"}"#,
            b"\xff\xfe",
            b"",
            b"null",
            br#"{"Code":"Failed","Message":"nope"}"#,
        ] {
            let e = parse_json_credentials(body, "http://x/").expect_err("invalid");
            let msg = format!("{e} {e:?}");
            assert!(!msg.contains("SUPERSECRET"), "{msg}");
        }
    }

    #[test]
    fn shorten_is_char_safe() {
        assert_eq!(shorten("héllo", 2), "hé...");
        assert_eq!(shorten("hi", 5), "hi");
    }
}
