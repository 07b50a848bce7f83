//! Bucket configuration operations (`?versioning`, `?policy`, `?tagging`, …),
//! one module per configuration group, and the request path they share:
//!
//! - [`Newtera::put_bucket_config`] PUTs a document to `?sub-resource` with
//!   its `Content-MD5` (S3 requires it, or a checksum, for several of these
//!   PUTs; sending it on every one is harmless and guards the body);
//! - [`Newtera::get_bucket_config`] GETs `?sub-resource` and answers `None`
//!   when the server says, with one of the codes given or with an empty
//!   answer, that the bucket has no such configuration;
//! - [`Newtera::delete_bucket_config`] DELETEs `?sub-resource`, treating the
//!   codes given as "already gone".
//!
//! Every one checks the bucket name before anything is sent.

mod cors;
mod encryption;
mod lifecycle;
mod notification;
mod object_lock;
mod policy;
mod replication;
mod tags;
mod versioning;

pub use cors::{DeleteBucketCors, GetBucketCors, SetBucketCors};
pub use encryption::{DeleteBucketEncryption, GetBucketEncryption, SetBucketEncryption};
pub use lifecycle::{DeleteBucketLifecycle, GetBucketLifecycle, SetBucketLifecycle};
pub use newtera_xml::{
    AbortIncompleteMultipartUpload, AndOperator, CloudFunctionConfiguration, Destination,
    Expiration, Filter, LifecycleConfiguration, LifecycleRule, Metrics,
    NoncurrentVersionExpiration, NoncurrentVersionTransition, NotificationCommon,
    NotificationConfiguration, QueueConfiguration, ReplicationConfiguration, ReplicationRule,
    ReplicationTime, SourceSelectionCriteria, Tag, TopicConfiguration, Transition,
};
pub use newtera_xml::{
    CorsConfiguration, CorsRule, ObjectLockConfiguration, ServerSideEncryptionConfiguration,
    SseRule, VersioningConfiguration,
};
pub use notification::{DeleteBucketNotification, GetBucketNotification, SetBucketNotification};
pub use object_lock::{DeleteObjectLockConfig, GetObjectLockConfig, SetObjectLockConfig};
pub use policy::{DeleteBucketPolicy, GetBucketPolicy, SetBucketPolicy};
pub use replication::{DeleteBucketReplication, GetBucketReplication, SetBucketReplication};
pub use tags::{DeleteBucketTags, GetBucketTags, SetBucketTags};
pub use versioning::{GetBucketVersioning, SetBucketVersioning};

use base64::Engine as _;
use bytes::Bytes;
use http::{header, HeaderName, HeaderValue, Method};
use md5::{Digest as _, Md5};
use newtera_xml::XmlError;

use crate::client::{Newtera, S3Request};
use crate::error::{Error, Result};
use crate::validate::check_bucket_name;

/// The body of a configuration PUT.
#[derive(Debug, Clone)]
pub(crate) enum ConfigBody {
    /// An S3 XML document (`application/xml`).
    Xml(String),
    /// A JSON document (`application/json`), e.g. a bucket policy.
    Json(String),
}

impl ConfigBody {
    fn into_parts(self) -> (Bytes, &'static str) {
        match self {
            ConfigBody::Xml(s) => (Bytes::from(s), "application/xml"),
            ConfigBody::Json(s) => (Bytes::from(s), "application/json"),
        }
    }
}

/// The base64 `Content-MD5` header value of `data`.
pub(crate) fn content_md5(data: &[u8]) -> HeaderValue {
    let b64 = base64::engine::general_purpose::STANDARD.encode(Md5::digest(data));
    // Base64 is always a valid header value.
    HeaderValue::from_str(&b64).unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// A PUT of `body` to `bucket?subresource`, with `Content-Type` and
/// `Content-MD5` set and the body's SHA-256 signed. Callers that need more
/// headers add them before [`Newtera::send_bucket_config`].
pub(crate) fn put_request<'a>(
    op: &'static str,
    bucket: &'a str,
    subresource: &'static str,
    body: ConfigBody,
) -> S3Request<'a> {
    let (data, content_type) = body.into_parts();
    S3Request::new(op, Method::PUT)
        .bucket(bucket)
        .query(subresource, "")
        .header(header::CONTENT_TYPE, HeaderValue::from_static(content_type))
        .header(HeaderName::from_static("content-md5"), content_md5(&data))
        .signed_body(data)
        .buffered_answer()
        // The answer's body is not used (S3 sends none; some servers send
        // text such as `True`): only its status and an embedded error count.
        .answer_check(|_| true)
        // Putting the same configuration twice leaves the same state.
        .idempotent(true)
}

impl Newtera {
    /// Sends a request built by [`put_request`] (after checking the bucket
    /// name) and discards the (empty) answer.
    pub(crate) async fn send_bucket_config(&self, req: S3Request<'_>) -> Result<()> {
        if let Some(bucket) = req.bucket {
            check_bucket_name(bucket)?;
        }
        self.send(req).await.map(drop)
    }

    /// PUTs `body` to `bucket?subresource` with its `Content-MD5`.
    pub(crate) async fn put_bucket_config(
        &self,
        op: &'static str,
        bucket: &str,
        subresource: &'static str,
        body: ConfigBody,
    ) -> Result<()> {
        check_bucket_name(bucket)?;
        self.send_bucket_config(put_request(op, bucket, subresource, body))
            .await
    }

    /// GETs `bucket?subresource`; `Ok(None)` when the server answers with
    /// one of `none_codes` (the "no such configuration" codes) or with no
    /// document at all (an empty body, 204 No Content).
    pub(crate) async fn get_bucket_config(
        &self,
        op: &'static str,
        bucket: &str,
        subresource: &'static str,
        none_codes: &[&str],
    ) -> Result<Option<Bytes>> {
        self.get_bucket_config_checked(op, bucket, subresource, none_codes, None)
            .await
    }

    /// As [`Newtera::get_bucket_config`] for an answer that is not XML:
    /// `check` tells a whole answer from one damaged in transit (which is
    /// then fetched again, like a lost answer).
    pub(crate) async fn get_bucket_config_checked(
        &self,
        op: &'static str,
        bucket: &str,
        subresource: &'static str,
        none_codes: &[&str],
        check: Option<fn(&[u8]) -> bool>,
    ) -> Result<Option<Bytes>> {
        check_bucket_name(bucket)?;
        let mut req = S3Request::new(op, Method::GET)
            .bucket(bucket)
            .query(subresource, "")
            .buffered_answer();
        if let Some(check) = check {
            req = req.answer_check(check);
        }
        match self.send(req).await {
            // Some servers answer "nothing configured" with an empty 2xx
            // (204 No Content) instead of an error code.
            Ok(resp) if resp.status() == http::StatusCode::NO_CONTENT => Ok(None),
            Ok(resp) => {
                let body = crate::read_body(op, resp).await?;
                Ok((!body.is_empty()).then_some(body))
            }
            Err(e) if e.code().is_some_and(|c| none_codes.contains(&c)) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// As [`Newtera::get_bucket_config`], parsing the document with `parse`.
    pub(crate) async fn get_bucket_config_doc<T>(
        &self,
        op: &'static str,
        bucket: &str,
        subresource: &'static str,
        none_codes: &[&str],
        parse: impl FnOnce(&[u8]) -> std::result::Result<T, XmlError>,
    ) -> Result<Option<T>> {
        match self
            .get_bucket_config(op, bucket, subresource, none_codes)
            .await?
        {
            Some(body) => parse(&body).map(Some).map_err(Error::xml(op)),
            None => Ok(None),
        }
    }

    /// DELETEs `bucket?subresource`; an answer with one of `gone_codes`
    /// (nothing was configured) counts as success.
    pub(crate) async fn delete_bucket_config(
        &self,
        op: &'static str,
        bucket: &str,
        subresource: &'static str,
        gone_codes: &[&str],
    ) -> Result<()> {
        check_bucket_name(bucket)?;
        let req = S3Request::new(op, Method::DELETE)
            .bucket(bucket)
            .query(subresource, "")
            .buffered_answer();
        match self.send(req).await {
            Ok(_) => Ok(()),
            Err(e) if e.code().is_some_and(|c| gone_codes.contains(&c)) => Ok(()),
            Err(e) => Err(e),
        }
    }
}

/// Declares the builder struct of a bucket configuration operation: a
/// client, a bucket name and the given extra fields, `#[must_use]`, with
/// `IntoFuture` over its `send` method (which the caller writes).
macro_rules! bucket_config_op {
    ($(#[$meta:meta])* $name:ident { $($field:ident : $ty:ty),* $(,)? } => $out:ty) => {
        $(#[$meta])*
        #[derive(Debug)]
        #[must_use = "a request does nothing until awaited"]
        pub struct $name {
            client: $crate::client::Newtera,
            bucket: String,
            $($field: $ty,)*
        }
        $crate::into_future!($name => $out);
    };
}
pub(crate) use bucket_config_op;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_md5_is_base64_of_the_digest() {
        // MD5("") = d41d8cd98f00b204e9800998ecf8427e
        assert_eq!(content_md5(b""), "1B2M2Y8AsgTpgAmY7PhCfg==");
    }

    #[test]
    fn put_request_carries_md5_type_and_query() {
        let req = put_request(
            "PutBucketPolicy",
            "b",
            "policy",
            ConfigBody::Json("{}".into()),
        );
        assert_eq!(req.method, Method::PUT);
        assert_eq!(req.query.len(), 1);
        assert_eq!(req.query[0].0, "policy");
        assert_eq!(req.headers[header::CONTENT_TYPE], "application/json");
        assert_eq!(req.headers["content-md5"], content_md5(b"{}"));
        assert_eq!(req.idempotent, Some(true));
    }
}
