//! SigV4 signing for the Newtera S3 SDK, credentials and the credentials
//! providers that need no network.
//!
//! - [`Credentials`]: access key, secret key, optional session token and
//!   expiration; `Debug` masks the secret and the token.
//! - [`Provider`]: where credentials come from — [`StaticProvider`],
//!   [`EnvAwsProvider`], [`EnvMinioProvider`], [`AwsConfigProvider`],
//!   [`MinioClientConfigProvider`], and [`ChainedProvider`] to try several.
//! - [`Signer`]: signs a request's headers ([`Signer::sign`]) or presigns a URL
//!   ([`Signer::presign`]) with S3's SigV4 settings, caching derived signing
//!   keys. [`PayloadHash`] says what goes in `x-amz-content-sha256`.
//!   [`Signer::sign_post_policy`] signs the policy of a browser-style POST
//!   form upload.
//!
//! ```
//! use std::time::SystemTime;
//! use newtera_signer::{PayloadHash, Provider, Signer, SigningParams, StaticProvider};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let provider = StaticProvider::new("AKIDEXAMPLE", "SECRET", None);
//! let credentials = provider.retrieve().await?;
//! let signer = Signer::new();
//!
//! let uri: http::Uri = "https://my-bucket.s3.amazonaws.com/my-object".parse()?;
//! let mut headers = http::HeaderMap::new();
//! let params = SigningParams {
//!     credentials: &credentials,
//!     region: "us-east-1",
//!     service: "s3",
//!     time: SystemTime::now(),
//! };
//! signer.sign(&http::Method::GET, &uri, &mut headers, &PayloadHash::Unsigned, &params)?;
//! assert!(headers.contains_key(http::header::AUTHORIZATION));
//!
//! let url = signer.presign(
//!     &http::Method::GET,
//!     &uri,
//!     &http::HeaderMap::new(),
//!     std::time::Duration::from_secs(3600),
//!     &params,
//! )?;
//! assert!(url.query().unwrap_or_default().contains("X-Amz-Signature="));
//! # Ok(())
//! # }
//! ```

mod canonical;
mod credentials;
mod post_policy;
mod presign;
mod provider;
mod sign;

pub use credentials::{Credentials, CredentialsError, EXPIRY_SKEW};
pub use post_policy::PostPolicyScope;
pub use presign::MAX_PRESIGN_EXPIRES;
pub use provider::{
    AwsConfigProvider, ChainedProvider, EnvAwsProvider, EnvMinioProvider,
    MinioClientConfigProvider, Provider, ProviderFuture, StaticProvider,
};
pub use sign::{PayloadHash, SignError, Signer, SigningParams};
