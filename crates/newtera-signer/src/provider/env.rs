//! Providers that read environment variables.

use std::env::VarError;

use super::{Provider, ProviderFuture};
use crate::credentials::{Credentials, CredentialsError};

/// Reads the first of `names` that is set and non-empty.
///
/// `Ok(None)` when none is set; an error when one is set but not Unicode (the
/// message names the variable, never its value).
pub(super) fn first_var(
    provider: &'static str,
    names: &[&str],
) -> Result<Option<String>, CredentialsError> {
    for name in names {
        match std::env::var(name) {
            Ok(v) if !v.is_empty() => return Ok(Some(v)),
            Ok(_) | Err(VarError::NotPresent) => {}
            Err(VarError::NotUnicode(_)) => {
                return Err(CredentialsError::NotFound {
                    provider,
                    reason: format!("{name} is not valid Unicode"),
                })
            }
        }
    }
    Ok(None)
}

fn required(provider: &'static str, names: &[&str]) -> Result<String, CredentialsError> {
    first_var(provider, names)?.ok_or_else(|| CredentialsError::NotFound {
        provider,
        reason: format!("{} not set", names.join(" or ")),
    })
}

/// Credentials from `AWS_ACCESS_KEY_ID` (or `AWS_ACCESS_KEY`),
/// `AWS_SECRET_ACCESS_KEY` (or `AWS_SECRET_KEY`) and the optional
/// `AWS_SESSION_TOKEN`, read at each [`retrieve`](Provider::retrieve).
/// Empty variables count as unset.
#[derive(Clone, Debug, Default)]
pub struct EnvAwsProvider {
    _priv: (),
}

impl EnvAwsProvider {
    /// The provider.
    pub fn new() -> Self {
        Self::default()
    }

    fn read() -> Result<Credentials, CredentialsError> {
        const NAME: &str = "env-aws";
        let ak = required(NAME, &["AWS_ACCESS_KEY_ID", "AWS_ACCESS_KEY"])?;
        let sk = required(NAME, &["AWS_SECRET_ACCESS_KEY", "AWS_SECRET_KEY"])?;
        let token = first_var(NAME, &["AWS_SESSION_TOKEN"])?;
        Ok(Credentials::new(ak, sk, token))
    }
}

impl Provider for EnvAwsProvider {
    fn retrieve(&self) -> ProviderFuture<'_> {
        let r = Self::read();
        Box::pin(async move { r })
    }

    fn name(&self) -> &'static str {
        "env-aws"
    }
}

/// Credentials from `MINIO_ACCESS_KEY` and `MINIO_SECRET_KEY`, read at each
/// [`retrieve`](Provider::retrieve). Empty variables count as unset.
#[derive(Clone, Debug, Default)]
pub struct EnvMinioProvider {
    _priv: (),
}

impl EnvMinioProvider {
    /// The provider.
    pub fn new() -> Self {
        Self::default()
    }

    fn read() -> Result<Credentials, CredentialsError> {
        const NAME: &str = "env-minio";
        let ak = required(NAME, &["MINIO_ACCESS_KEY"])?;
        let sk = required(NAME, &["MINIO_SECRET_KEY"])?;
        Ok(Credentials::new(ak, sk, None))
    }
}

impl Provider for EnvMinioProvider {
    fn retrieve(&self) -> ProviderFuture<'_> {
        let r = Self::read();
        Box::pin(async move { r })
    }

    fn name(&self) -> &'static str {
        "env-minio"
    }
}

#[cfg(test)]
mod tests {
    use super::super::EnvGuard;
    use super::*;

    #[tokio::test]
    async fn env_aws() {
        let mut env = EnvGuard::new();
        let p = EnvAwsProvider::new();
        assert!(matches!(
            p.retrieve().await,
            Err(CredentialsError::NotFound {
                provider: "env-aws",
                ..
            })
        ));

        env.set("AWS_ACCESS_KEY_ID", "AKID");
        // Secret missing: NotFound naming the variables.
        let err = p.retrieve().await.unwrap_err().to_string();
        assert!(err.contains("AWS_SECRET_ACCESS_KEY"), "{err}");

        env.set("AWS_SECRET_ACCESS_KEY", "env-secret");
        let c = p.retrieve().await.unwrap();
        assert_eq!((c.access_key(), c.secret_key()), ("AKID", "env-secret"));
        assert_eq!(c.session_token(), None);

        env.set("AWS_SESSION_TOKEN", "env-token");
        assert_eq!(
            p.retrieve().await.unwrap().session_token(),
            Some("env-token")
        );

        // Alternative names, and empty counts as unset.
        env.set("AWS_ACCESS_KEY_ID", "");
        env.set("AWS_ACCESS_KEY", "AKID2");
        env.remove("AWS_SECRET_ACCESS_KEY");
        env.set("AWS_SECRET_KEY", "env-secret2");
        let c = p.retrieve().await.unwrap();
        assert_eq!((c.access_key(), c.secret_key()), ("AKID2", "env-secret2"));

        let dbg = format!("{p:?}");
        assert!(!dbg.contains("env-secret") && !dbg.contains("env-token"));
    }

    #[tokio::test]
    async fn env_minio() {
        let mut env = EnvGuard::new();
        let p = EnvMinioProvider::new();
        assert!(matches!(
            p.retrieve().await,
            Err(CredentialsError::NotFound {
                provider: "env-minio",
                ..
            })
        ));
        env.set("MINIO_ACCESS_KEY", "minio");
        env.set("MINIO_SECRET_KEY", "minio-secret");
        let c = p.retrieve().await.unwrap();
        assert_eq!((c.access_key(), c.secret_key()), ("minio", "minio-secret"));
        assert!(!format!("{p:?}").contains("minio-secret"));
    }
}
