//! The credentials [`Provider`] trait and the providers that need no network.
//!
//! Providers read the environment and files when [`Provider::retrieve`] is
//! called, not when they are built, so a long-lived client sees rotated
//! credentials. The file providers keep the last parsed result and re-read
//! the file only when its size or modification time changes, so calling
//! `retrieve` for every request costs one `stat`.

mod env;
mod file;

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use crate::credentials::{Credentials, CredentialsError};

pub use env::{EnvAwsProvider, EnvMinioProvider};
pub use file::{AwsConfigProvider, MinioClientConfigProvider};

/// The future returned by [`Provider::retrieve`].
pub type ProviderFuture<'a> =
    Pin<Box<dyn Future<Output = Result<Credentials, CredentialsError>> + Send + 'a>>;

/// A source of [`Credentials`].
///
/// Implementations must not show secrets in their `Debug` output.
pub trait Provider: Send + Sync + fmt::Debug {
    /// Returns current credentials; providers with expiring credentials
    /// refresh here.
    fn retrieve(&self) -> ProviderFuture<'_>;

    /// A short name for messages, e.g. which providers a
    /// [`ChainedProvider`] tried. Defaults to `"custom"`.
    fn name(&self) -> &'static str {
        "custom"
    }
}

impl<P: Provider + ?Sized> Provider for Arc<P> {
    fn retrieve(&self) -> ProviderFuture<'_> {
        (**self).retrieve()
    }

    fn name(&self) -> &'static str {
        (**self).name()
    }
}

impl<P: Provider + ?Sized> Provider for Box<P> {
    fn retrieve(&self) -> ProviderFuture<'_> {
        (**self).retrieve()
    }

    fn name(&self) -> &'static str {
        (**self).name()
    }
}

/// Always yields the same credentials.
#[derive(Clone, Debug)]
pub struct StaticProvider {
    credentials: Credentials,
}

impl StaticProvider {
    /// A provider of these credentials.
    pub fn new(
        access_key: impl Into<String>,
        secret_key: impl Into<String>,
        session_token: Option<String>,
    ) -> Self {
        Self {
            credentials: Credentials::new(access_key, secret_key, session_token),
        }
    }

    /// A provider of already built credentials (e.g. with an expiration).
    pub fn from_credentials(credentials: Credentials) -> Self {
        Self { credentials }
    }
}

impl Provider for StaticProvider {
    fn retrieve(&self) -> ProviderFuture<'_> {
        let c = self.credentials.clone();
        Box::pin(async move { Ok(c) })
    }

    fn name(&self) -> &'static str {
        "static"
    }
}

/// Asks several providers in turn; the first that yields credentials wins.
///
/// When all fail, [`retrieve`](Provider::retrieve) returns
/// [`CredentialsError::NotFound`] naming each provider tried and why it
/// failed (the errors carry no secrets).
#[derive(Clone, Debug)]
pub struct ChainedProvider {
    providers: Vec<Arc<dyn Provider>>,
}

impl ChainedProvider {
    /// A chain of `providers`, asked in order.
    pub fn new(providers: Vec<Arc<dyn Provider>>) -> Self {
        Self { providers }
    }

    /// The usual chain: [`EnvAwsProvider`], [`EnvMinioProvider`],
    /// [`AwsConfigProvider`] (default file and profile),
    /// [`MinioClientConfigProvider`] (default file and alias).
    pub fn default_chain() -> Self {
        Self::new(vec![
            Arc::new(EnvAwsProvider::new()),
            Arc::new(EnvMinioProvider::new()),
            Arc::new(AwsConfigProvider::new(None, None)),
            Arc::new(MinioClientConfigProvider::new(None, None)),
        ])
    }

    /// The providers of the chain, in order.
    pub fn providers(&self) -> &[Arc<dyn Provider>] {
        &self.providers
    }
}

impl Provider for ChainedProvider {
    fn retrieve(&self) -> ProviderFuture<'_> {
        Box::pin(async move {
            let mut tried = Vec::with_capacity(self.providers.len());
            for p in &self.providers {
                match p.retrieve().await {
                    Ok(c) => return Ok(c),
                    Err(e) => {
                        tracing::debug!(provider = p.name(), error = %e, "credentials provider failed");
                        let mut msg = format!("{} ({e}", p.name());
                        let mut source = std::error::Error::source(&e);
                        while let Some(s) = source {
                            msg.push_str(": ");
                            msg.push_str(&s.to_string());
                            source = s.source();
                        }
                        msg.push(')');
                        tried.push(msg);
                    }
                }
            }
            let reason = if tried.is_empty() {
                "the chain is empty".to_owned()
            } else {
                format!("tried {}", tried.join("; "))
            };
            Err(CredentialsError::NotFound {
                provider: "chain",
                reason,
            })
        })
    }

    fn name(&self) -> &'static str {
        "chain"
    }
}

/// Serialises tests that change process-wide environment variables.
#[cfg(test)]
pub(crate) static ENV_LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// Holds [`ENV_LOCK`] and restores the variables it changed when dropped.
#[cfg(test)]
pub(crate) struct EnvGuard {
    saved: Vec<(&'static str, Option<std::ffi::OsString>)>,
    _lock: std::sync::MutexGuard<'static, ()>,
}

#[cfg(test)]
impl EnvGuard {
    /// Locks the environment and clears every variable any provider reads.
    pub(crate) fn new() -> Self {
        let lock = ENV_LOCK.lock().unwrap_or_else(|e| e.into_inner());
        let mut g = Self {
            saved: Vec::new(),
            _lock: lock,
        };
        for k in [
            "AWS_ACCESS_KEY_ID",
            "AWS_ACCESS_KEY",
            "AWS_SECRET_ACCESS_KEY",
            "AWS_SECRET_KEY",
            "AWS_SESSION_TOKEN",
            "MINIO_ACCESS_KEY",
            "MINIO_SECRET_KEY",
            "AWS_SHARED_CREDENTIALS_FILE",
            "AWS_PROFILE",
            "MINIO_ALIAS",
            "HOME",
            "USERPROFILE",
        ] {
            g.remove(k);
        }
        g
    }

    fn save(&mut self, k: &'static str) {
        if !self.saved.iter().any(|(s, _)| *s == k) {
            self.saved.push((k, std::env::var_os(k)));
        }
    }

    pub(crate) fn set(&mut self, k: &'static str, v: impl AsRef<std::ffi::OsStr>) {
        self.save(k);
        std::env::set_var(k, v);
    }

    pub(crate) fn remove(&mut self, k: &'static str) {
        self.save(k);
        std::env::remove_var(k);
    }
}

#[cfg(test)]
impl Drop for EnvGuard {
    fn drop(&mut self) {
        for (k, v) in self.saved.drain(..) {
            match v {
                Some(v) => std::env::set_var(k, v),
                None => std::env::remove_var(k),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug)]
    struct Failing;
    impl Provider for Failing {
        fn retrieve(&self) -> ProviderFuture<'_> {
            Box::pin(async {
                Err(CredentialsError::Provider {
                    provider: "failing",
                    source: "boom".into(),
                })
            })
        }
        fn name(&self) -> &'static str {
            "failing"
        }
    }

    #[tokio::test]
    async fn static_provider_and_debug_mask() {
        let p = StaticProvider::new("AKID", "very-secret", Some("very-token".into()));
        let c = p.retrieve().await.unwrap();
        assert_eq!(c.secret_key(), "very-secret");
        let dbg = format!("{p:?}");
        assert!(dbg.contains("AKID"));
        assert!(
            !dbg.contains("very-secret") && !dbg.contains("very-token"),
            "{dbg}"
        );
        // Through Arc and Box too.
        let a: Arc<dyn Provider> = Arc::new(p.clone());
        assert_eq!(a.retrieve().await.unwrap(), c);
        assert_eq!(a.name(), "static");
        let b: Box<dyn Provider> = Box::new(p);
        assert_eq!(b.retrieve().await.unwrap(), c);
    }

    #[tokio::test]
    async fn chain_first_success_wins_in_order() {
        let chain = ChainedProvider::new(vec![
            Arc::new(Failing),
            Arc::new(StaticProvider::new("first", "s1", None)),
            Arc::new(StaticProvider::new("second", "s2", None)),
        ]);
        assert_eq!(chain.retrieve().await.unwrap().access_key(), "first");
        let dbg = format!("{chain:?}");
        assert!(!dbg.contains("s1") && !dbg.contains("s2"), "{dbg}");
    }

    #[tokio::test]
    async fn chain_all_fail_lists_providers() {
        let chain = ChainedProvider::new(vec![Arc::new(Failing), Arc::new(Failing)]);
        let err = chain.retrieve().await.unwrap_err();
        match &err {
            CredentialsError::NotFound { provider, reason } => {
                assert_eq!(*provider, "chain");
                assert_eq!(
                    reason,
                    "tried failing (credentials provider failing failed: boom); \
                     failing (credentials provider failing failed: boom)"
                );
            }
            other => panic!("unexpected {other:?}"),
        }
        let empty = ChainedProvider::new(vec![]);
        assert!(matches!(
            empty.retrieve().await,
            Err(CredentialsError::NotFound { .. })
        ));
    }

    #[tokio::test]
    async fn default_chain_order_and_missing() {
        let mut env = EnvGuard::new();
        let chain = ChainedProvider::default_chain();
        let names: Vec<_> = chain.providers().iter().map(|p| p.name()).collect();
        assert_eq!(
            names,
            ["env-aws", "env-minio", "aws-config", "minio-client-config"]
        );

        // Nothing configured (no HOME either): NotFound naming all four.
        let dir = tempfile::tempdir().unwrap();
        env.set("HOME", dir.path());
        let err = chain.retrieve().await.unwrap_err();
        let msg = err.to_string();
        for n in names {
            assert!(msg.contains(n), "{msg}");
        }

        // The MinIO env wins over the files; the AWS env wins over MinIO's.
        env.set("MINIO_ACCESS_KEY", "minio-ak");
        env.set("MINIO_SECRET_KEY", "minio-sk");
        assert_eq!(chain.retrieve().await.unwrap().access_key(), "minio-ak");
        env.set("AWS_ACCESS_KEY_ID", "aws-ak");
        env.set("AWS_SECRET_ACCESS_KEY", "aws-sk");
        assert_eq!(chain.retrieve().await.unwrap().access_key(), "aws-ak");

        // Errors and the chain's Debug never show secrets.
        env.remove("AWS_ACCESS_KEY_ID");
        env.remove("MINIO_ACCESS_KEY");
        let msg = chain.retrieve().await.map(|_| ()).unwrap_err().to_string();
        assert!(msg.contains("AWS_ACCESS_KEY_ID"), "{msg}");
        assert!(
            !msg.contains("aws-sk") && !msg.contains("minio-sk"),
            "{msg}"
        );
        let dbg = format!("{chain:?}");
        assert!(
            !dbg.contains("aws-sk") && !dbg.contains("minio-sk"),
            "{dbg}"
        );
    }
}
