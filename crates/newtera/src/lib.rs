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

//! ## Cargo features
//!
//! Every feature only adds to what the others do; any combination builds.
//!
//! | feature | default | adds |
//! |---|---|---|
//! | `webpki-roots` | yes | trusts Mozilla's root certificates, compiled in (the `webpki-roots` crate): the same roots on every machine |
//! | `native-roots` | no | trusts the platform's certificate store too (`rustls-native-certs`: the system bundle on Linux, the keychain on macOS, the Windows store) |
//! | `blocking` | no | the `blocking` module: the same API for synchronous code — a `blocking::Newtera` client whose calls run on a Tokio runtime of its own thread, `.call()` for every request builder, listings as `Iterator`s, object data as `std::io::Read` and uploads from one (no extra crate) |
//!
//! Whatever the features, `SSL_CERT_FILE` names a PEM bundle to trust as
//! well (with `native-roots` it replaces the platform store, and
//! `SSL_CERT_DIR` is read too, as OpenSSL does), and
//! [`NewteraBuilder::add_root_certificate_pem`] adds one more CA. With
//! neither roots feature, only those are trusted.
//!
//! ## Proxies
//!
//! By default requests go through the proxies the environment names
//! (`HTTPS_PROXY`, `HTTP_PROXY`, `ALL_PROXY`, with `NO_PROXY` exceptions,
//! lower case too): HTTPS in a `CONNECT` tunnel, plain HTTP in absolute
//! form. [`NewteraBuilder::proxy`] names one explicitly and
//! [`NewteraBuilder::no_proxy`] turns proxies off.
//!
//! ## Tracing
//!
//! With a [`tracing`](https://docs.rs/tracing) subscriber at `debug` level,
//! each S3 request is a `newtera.request` span (operation, bucket, key)
//! holding one `newtera.attempt` span per attempt (attempt number, method,
//! status, `x-amz-request-id`, bytes sent and received, duration, and why it
//! was retried). No field holds a credential, a signature or a query string.

pub use newtera_core::*;
pub use newtera_xml as xml;

#[cfg(feature = "blocking")]
pub mod blocking;

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
