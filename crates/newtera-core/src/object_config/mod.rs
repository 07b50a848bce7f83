//! Per-object configuration: tags ([`tags`]), retention and legal hold
//! ([`lock`]). Each operation reads, writes or deletes one sub-resource of
//! an object version (`?tagging`, `?retention`, `?legal-hold`).

mod lock;
mod tags;

pub use lock::{
    GetObjectRetention, IsObjectLegalHoldEnabled, SetObjectLegalHold, SetObjectRetention,
};
pub use tags::{DeleteObjectTags, GetObjectTags, SetObjectTags};

use bytes::Bytes;
use http::{HeaderMap, HeaderName, HeaderValue, Method};

use crate::bucket_config::content_md5;
use crate::client::{Newtera, S3Request};
use crate::error::{Error, Result};
use crate::validate::{check_bucket_name, check_object_name};

/// The object version a configuration request is about.
#[derive(Debug)]
struct Target {
    client: Newtera,
    bucket: String,
    object: String,
    version_id: Option<String>,
}

impl Target {
    fn new(client: &Newtera, bucket: String, object: String) -> Self {
        Target {
            client: client.clone(),
            bucket,
            object,
            version_id: None,
        }
    }

    /// The checks made before anything is sent.
    fn check(&self) -> Result<()> {
        check_bucket_name(&self.bucket)?;
        check_object_name(&self.object)?;
        if self.version_id.as_deref() == Some("") {
            return Err(Error::arg(
                "version_id",
                "must not be empty (leave it unset for the latest version)",
            ));
        }
        Ok(())
    }

    /// A request for sub-resource `sub` of the object (version).
    fn request(&self, op: &'static str, method: Method, sub: &'static str) -> S3Request<'_> {
        S3Request::new(op, method)
            .bucket(&self.bucket)
            .object(&self.object)
            .query(sub, "")
            .query_opt("versionId", self.version_id.as_deref())
    }

    /// GETs sub-resource `sub`; `None` when the server answers with one of
    /// the `absent` codes (S3's way of saying there is no such configuration).
    async fn get_doc(
        &self,
        op: &'static str,
        sub: &'static str,
        absent: &[&str],
    ) -> Result<Option<Bytes>> {
        let req = self.request(op, Method::GET, sub).buffered_answer();
        match self.client.send(req).await {
            Ok(resp) => crate::read_body(op, resp).await.map(Some),
            Err(e) if e.code().is_some_and(|c| absent.contains(&c)) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// PUTs the XML document `xml` to sub-resource `sub`, with a signed body
    /// and its `Content-MD5` (S3 requires an integrity header on the
    /// object-lock PUTs; the tagging PUT carries one too).
    async fn put_doc(
        &self,
        op: &'static str,
        sub: &'static str,
        xml: String,
        extra: HeaderMap,
    ) -> Result<()> {
        let req = self
            .request(op, Method::PUT, sub)
            .header(
                http::header::CONTENT_TYPE,
                HeaderValue::from_static("application/xml"),
            )
            .header(
                HeaderName::from_static("content-md5"),
                content_md5(xml.as_bytes()),
            )
            .headers(extra)
            .signed_body(xml)
            .buffered_answer();
        self.client.send(req).await?;
        Ok(())
    }
}

/// Implements the `version_id` setter on a builder holding a `target`.
macro_rules! version_setter {
    ($($ty:ty),+) => {$(
        impl $ty {
            /// A specific version of the object (default: the latest).
            pub fn version_id(mut self, version_id: impl Into<String>) -> Self {
                self.target.version_id = Some(version_id.into());
                self
            }
        }
    )+};
}
use version_setter;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_version_id_is_refused() {
        let client = Newtera::builder("http://127.0.0.1:1").build().unwrap();
        let mut t = Target::new(&client, "bucket".into(), "key".into());
        assert!(t.check().is_ok());
        t.version_id = Some(String::new());
        assert!(matches!(
            t.check(),
            Err(Error::InvalidArgument {
                param: "version_id",
                ..
            })
        ));
        t.version_id = Some("v1".into());
        assert!(t.check().is_ok());
        t.object = String::new();
        assert!(matches!(t.check(), Err(Error::InvalidObjectName { .. })));
    }
}
