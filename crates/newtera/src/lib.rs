//! # Newtera
//!
//! An S3 client for async Rust, following the MinIO-style client API:
//! `list_buckets`, `make_bucket`, `put_object`, `get_object`, `fget_object`,
//! `stat_object`, `list_objects`, `remove_objects` and the rest, each a
//! builder whose optional parameters are setters and which runs when awaited.
//!
//! ```no_run
//! use newtera::{Newtera, ObjectContent};
//!
//! # async fn demo() -> Result<(), newtera::Error> {
//! let client = Newtera::builder("localhost:9000")
//!     .secure(false)
//!     .access_key("ACCESS-KEY")
//!     .secret_key("SECRET-KEY")
//!     .build()?;
//! if !client.bucket_exists("my-bucket").await? {
//!     client.make_bucket("my-bucket").await?;
//! }
//! let written = client
//!     .put_object("my-bucket", "hello.txt", "hello, world")
//!     .content_type("text/plain")
//!     .await?;
//! println!("etag {:?}", written.etag);
//! let data = client.get_object("my-bucket", "hello.txt").await?.bytes().await?;
//! assert_eq!(&data[..], b"hello, world");
//! # Ok(()) }
//! ```
//!
//! The layers underneath are separate crates that can be used on their own:
//! [`signer`] (SigV4 and credentials), [`xml`] (S3 documents), [`transport`]
//! (the tower stack with signing and retries) and `newtera-core`
//! (the operations).

pub use newtera_core::*;
pub use newtera_xml as xml;

/// Credentials and credential providers.
pub mod credentials {
    pub use newtera_core::credentials::{
        default_chain, AssumeRoleProvider, CachedProvider, EcsProvider, ImdsProvider,
        NetworkCredentialsError, WebIdentityProvider,
    };
    pub use newtera_signer::{
        AwsConfigProvider, ChainedProvider, Credentials, CredentialsError, EnvAwsProvider,
        EnvMinioProvider, MinioClientConfigProvider, Provider, StaticProvider,
    };
}
