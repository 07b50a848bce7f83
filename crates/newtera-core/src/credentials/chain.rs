//! [`default_chain`].

use std::sync::Arc;

use newtera_signer::{
    AwsConfigProvider, ChainedProvider, EnvAwsProvider, EnvMinioProvider,
    MinioClientConfigProvider, Provider,
};

use super::{CachedProvider, EcsProvider, ImdsProvider, WebIdentityProvider};

/// The default credentials chain, asked in this order until one yields
/// credentials:
///
/// 1. [`EnvAwsProvider`] (`AWS_ACCESS_KEY_ID`, ...),
/// 2. [`EnvMinioProvider`] (`MINIO_ACCESS_KEY`, ...),
/// 3. [`AwsConfigProvider`] (`~/.aws/credentials`, default profile),
/// 4. [`MinioClientConfigProvider`] (`~/.mc/config.json`, default alias),
/// 5. [`WebIdentityProvider::from_env`] (when `AWS_WEB_IDENTITY_TOKEN_FILE`
///    and `AWS_ROLE_ARN` are set),
/// 6. [`EcsProvider::from_env`] (when `AWS_CONTAINER_CREDENTIALS_*_URI` is
///    set),
/// 7. [`ImdsProvider::new`] (unless `AWS_EC2_METADATA_DISABLED=true`).
///
/// The network providers (5–7) are each wrapped in a [`CachedProvider`]. The
/// environment is read at each call, so variables set after the chain was
/// built count. When all fail, the error names each provider and why it
/// failed, without secrets.
pub fn default_chain() -> ChainedProvider {
    let providers: Vec<Arc<dyn Provider>> = vec![
        Arc::new(EnvAwsProvider::new()),
        Arc::new(EnvMinioProvider::new()),
        Arc::new(AwsConfigProvider::new(None, None)),
        Arc::new(MinioClientConfigProvider::new(None, None)),
        Arc::new(CachedProvider::new(WebIdentityProvider::from_env())),
        Arc::new(CachedProvider::new(EcsProvider::from_env())),
        Arc::new(CachedProvider::new(ImdsProvider::new())),
    ];
    ChainedProvider::new(providers)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order() {
        let chain = default_chain();
        let names: Vec<_> = chain.providers().iter().map(|p| p.name()).collect();
        assert_eq!(
            names,
            [
                "env-aws",
                "env-minio",
                "aws-config",
                "minio-client-config",
                "web-identity",
                "ecs",
                "imds"
            ]
        );
    }
}
