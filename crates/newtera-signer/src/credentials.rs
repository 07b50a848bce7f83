//! [`Credentials`] and [`CredentialsError`].

use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use sha2::{Digest, Sha256};

/// How long before their expiration time credentials already count as expired
/// in [`Credentials::is_expired`], so that a request signed now does not reach
/// the server with credentials that expired on the way.
pub const EXPIRY_SKEW: Duration = Duration::from_secs(10);

/// The text shown in place of a secret in `Debug` output.
pub(crate) const MASK: &str = "***";

/// An access key, its secret key and, for temporary credentials, a session
/// token and an expiration time.
///
/// `Debug` shows the access key but never the secret key or the session token.
/// Cloning is cheap (one reference count): every signed request takes a copy
/// from its provider.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    keys: Arc<Keys>,
    expiration: Option<SystemTime>,
}

#[derive(PartialEq, Eq)]
struct Keys {
    access_key: String,
    secret_key: String,
    /// SHA-256 of `secret_key`, computed once here so that the signer's key
    /// cache can tell secrets apart without holding them and without hashing
    /// the secret on every request. Never shown (see `Debug`).
    secret_fingerprint: [u8; 32],
    session_token: Option<String>,
}

impl Credentials {
    /// Credentials that do not expire (see [`with_expiration`](Self::with_expiration)).
    pub fn new(
        access_key: impl Into<String>,
        secret_key: impl Into<String>,
        session_token: Option<String>,
    ) -> Self {
        let secret_key = secret_key.into();
        Self {
            keys: Arc::new(Keys {
                access_key: access_key.into(),
                secret_fingerprint: Sha256::digest(secret_key.as_bytes()).into(),
                secret_key,
                session_token,
            }),
            expiration: None,
        }
    }

    /// The same credentials, expiring at `at`.
    #[must_use]
    pub fn with_expiration(mut self, at: SystemTime) -> Self {
        self.expiration = Some(at);
        self
    }

    /// The access key id.
    pub fn access_key(&self) -> &str {
        &self.keys.access_key
    }

    /// The secret access key. Never log or print it.
    pub fn secret_key(&self) -> &str {
        &self.keys.secret_key
    }

    /// SHA-256 of the secret key (see the field).
    pub(crate) fn secret_fingerprint(&self) -> &[u8; 32] {
        &self.keys.secret_fingerprint
    }

    /// The session token of temporary credentials. Never log or print it.
    pub fn session_token(&self) -> Option<&str> {
        self.keys.session_token.as_deref()
    }

    /// When the credentials expire, if they do.
    pub fn expiration(&self) -> Option<SystemTime> {
        self.expiration
    }

    /// Whether the credentials have expired, or expire within
    /// [`EXPIRY_SKEW`] (10 s). Credentials without an expiration never expire.
    pub fn is_expired(&self) -> bool {
        self.expires_within(EXPIRY_SKEW)
    }

    /// Whether the credentials expire within `d` from now (or have expired).
    /// Credentials without an expiration never expire.
    pub fn expires_within(&self, d: Duration) -> bool {
        match self.expiration {
            None => false,
            Some(at) => match SystemTime::now().checked_add(d) {
                Some(deadline) => at <= deadline,
                // `now + d` is not representable: everything expires before it.
                None => true,
            },
        }
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("access_key", &self.keys.access_key)
            .field("secret_key", &MASK)
            .field(
                "session_token",
                &self.keys.session_token.as_ref().map(|_| MASK),
            )
            .field("expiration", &self.expiration)
            .finish()
    }
}

/// Why a [`Provider`](crate::Provider) could not yield credentials.
///
/// No variant ever carries a secret key or session token.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CredentialsError {
    /// Nothing is configured for this provider (variable unset, file or
    /// profile absent, ...).
    #[error("no credentials from {provider}: {reason}")]
    NotFound {
        /// The provider's name (see [`Provider::name`](crate::Provider::name)).
        provider: &'static str,
        /// What was looked for and not found.
        reason: String,
    },
    /// A credentials file exists but could not be read.
    #[error("cannot read credentials file {}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A credentials file could not be understood.
    #[error("cannot parse credentials file {}: {reason}", path.display())]
    Parse {
        /// The file.
        path: PathBuf,
        /// What is wrong, with a line number where known; never a value from
        /// the file.
        reason: String,
    },
    /// Any other failure of a provider (e.g. a network provider).
    #[error("credentials provider {provider} failed")]
    Provider {
        /// The provider's name.
        provider: &'static str,
        /// The underlying error; it must not carry secrets either.
        source: Box<dyn std::error::Error + Send + Sync>,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_masks_secret_and_token() {
        let c = Credentials::new("AKIDEXAMPLE", "s3cr3t-value", Some("t0ken-value".into()));
        let dbg = format!("{c:?}");
        assert!(dbg.contains("AKIDEXAMPLE"), "{dbg}");
        assert!(!dbg.contains("s3cr3t-value"), "{dbg}");
        assert!(!dbg.contains("t0ken-value"), "{dbg}");
        assert!(dbg.contains("***"), "{dbg}");
        let alt = format!("{c:#?}");
        assert!(!alt.contains("s3cr3t-value") && !alt.contains("t0ken-value"));
        // Nor the secret's fingerprint.
        assert!(!alt.contains("fingerprint"), "{alt}");
    }

    #[test]
    fn fingerprint_follows_the_secret() {
        let c = Credentials::new("a", "s", None);
        assert_eq!(
            c.secret_fingerprint(),
            &<[u8; 32]>::from(Sha256::digest(b"s"))
        );
        let later = c.clone().with_expiration(SystemTime::now());
        assert_eq!(later.secret_fingerprint(), c.secret_fingerprint());
        let other = Credentials::new("a", "t", None);
        assert_ne!(other.secret_fingerprint(), c.secret_fingerprint());
    }

    #[test]
    fn accessors_and_eq() {
        let c = Credentials::new("a", "s", None);
        assert_eq!(c.access_key(), "a");
        assert_eq!(c.secret_key(), "s");
        assert_eq!(c.session_token(), None);
        assert_eq!(c.expiration(), None);
        assert_eq!(c.clone(), c);
        assert_ne!(c, Credentials::new("a", "other", None));
    }

    #[test]
    fn expiry() {
        let now = SystemTime::now();
        let never = Credentials::new("a", "s", None);
        assert!(!never.is_expired());
        assert!(!never.expires_within(Duration::from_secs(1 << 40)));

        let past = never.clone().with_expiration(now - Duration::from_secs(1));
        assert!(past.is_expired());

        // Within the skew counts as expired.
        let soon = never.clone().with_expiration(now + Duration::from_secs(5));
        assert!(soon.is_expired());

        let later = never
            .clone()
            .with_expiration(now + Duration::from_secs(3600));
        assert!(!later.is_expired());
        assert!(!later.expires_within(Duration::from_secs(60)));
        assert!(later.expires_within(Duration::from_secs(7200)));
        assert!(later.expires_within(Duration::MAX));
    }
}
