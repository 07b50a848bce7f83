//! The source of a server-side copy: [`CopySource`] for `copy_object`,
//! [`ComposeSource`] for `compose_object`, and the headers that name it.

use std::time::SystemTime;

use http::{HeaderMap, HeaderName, HeaderValue};

use crate::client::Newtera;
use crate::error::{Error, Result};
use crate::time;
use crate::types::SseCustomerKey;
use crate::url;
use crate::validate::{check_bucket_name, check_object_name};

/// What both kinds of source hold.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct SourceSpec {
    pub(crate) bucket: String,
    pub(crate) object: String,
    pub(crate) version_id: Option<String>,
    pub(crate) ssec: Option<SseCustomerKey>,
    pub(crate) offset: Option<u64>,
    pub(crate) length: Option<u64>,
    pub(crate) match_etag: Option<String>,
    pub(crate) not_match_etag: Option<String>,
    pub(crate) modified_since: Option<SystemTime>,
    pub(crate) unmodified_since: Option<SystemTime>,
}

impl SourceSpec {
    fn new(bucket: String, object: String) -> Self {
        SourceSpec {
            bucket,
            object,
            version_id: None,
            ssec: None,
            offset: None,
            length: None,
            match_etag: None,
            not_match_etag: None,
            modified_since: None,
            unmodified_since: None,
        }
    }

    /// True when only a byte range of the object is copied.
    pub(crate) fn is_ranged(&self) -> bool {
        self.offset.is_some() || self.length.is_some()
    }

    /// `bucket/object` (and `?versionId=…`) for error messages.
    pub(crate) fn describe(&self) -> String {
        match &self.version_id {
            Some(v) => format!("{}/{}?versionId={v}", self.bucket, self.object),
            None => format!("{}/{}", self.bucket, self.object),
        }
    }

    /// Everything that can be checked before a request is sent.
    pub(crate) fn check(&self, client: &Newtera) -> Result<()> {
        check_bucket_name(&self.bucket)?;
        check_object_name(&self.object)?;
        if self.length == Some(0) {
            return Err(Error::arg(
                "length",
                format!(
                    "source {}: length must be greater than zero",
                    self.describe()
                ),
            ));
        }
        if self.match_etag.as_deref() == Some("") {
            return Err(Error::arg("match_etag", "must not be empty"));
        }
        if self.not_match_etag.as_deref() == Some("") {
            return Err(Error::arg("not_match_etag", "must not be empty"));
        }
        if self.version_id.as_deref() == Some("") {
            return Err(Error::arg("version_id", "must not be empty"));
        }
        if self.ssec.is_some() && !client.is_secure() {
            return Err(Error::arg(
                "ssec",
                "SSE-C keys are only sent over HTTPS; this client uses plain HTTP",
            ));
        }
        self.headers(None).map(drop)
    }

    /// The copy-source headers: the source's name, its SSE-C key, and the
    /// conditions. `pinned_etag` is the ETag the object had when it was
    /// sized; it becomes the `if-match` condition unless one was given.
    pub(crate) fn headers(&self, pinned_etag: Option<&str>) -> Result<HeaderMap> {
        let mut h = HeaderMap::new();
        let value = |param: &'static str, v: &str| {
            HeaderValue::from_str(v).map_err(|_| Error::arg(param, "not a valid header value"))
        };
        let source = url::copy_source(&self.bucket, &self.object, self.version_id.as_deref());
        h.insert(
            HeaderName::from_static("x-amz-copy-source"),
            value("version_id", &source)?,
        );
        if let Some(k) = &self.ssec {
            k.copy_headers(&mut h);
        }
        if let Some(etag) = self.match_etag.as_deref().or(pinned_etag) {
            h.insert(
                HeaderName::from_static("x-amz-copy-source-if-match"),
                value("match_etag", etag)?,
            );
        }
        if let Some(etag) = &self.not_match_etag {
            h.insert(
                HeaderName::from_static("x-amz-copy-source-if-none-match"),
                value("not_match_etag", etag)?,
            );
        }
        if let Some(t) = self.modified_since {
            h.insert(
                HeaderName::from_static("x-amz-copy-source-if-modified-since"),
                value("modified_since", &time::format_http_date(t))?,
            );
        }
        if let Some(t) = self.unmodified_since {
            h.insert(
                HeaderName::from_static("x-amz-copy-source-if-unmodified-since"),
                value("unmodified_since", &time::format_http_date(t))?,
            );
        }
        Ok(h)
    }

    /// Checks `offset`/`length` against the object's size (as the stat gave
    /// it) and returns the offset and the number of bytes to copy.
    pub(crate) fn range_in(&self, size: u64) -> Result<(u64, u64)> {
        let beyond = |what: &str, v: u64| {
            Error::arg(
                "sources",
                format!(
                    "source {}: {what} {v} is beyond the object's size {size}",
                    self.describe()
                ),
            )
        };
        let offset = self.offset.unwrap_or(0);
        if self.offset.is_some() && offset >= size {
            return Err(beyond("offset", offset));
        }
        match self.length {
            Some(len) => {
                let end = offset
                    .checked_add(len)
                    .ok_or_else(|| beyond("length", len))?;
                if end > size {
                    return Err(beyond("offset + length", end));
                }
                Ok((offset, len))
            }
            None => Ok((offset, size - offset)),
        }
    }
}

/// The source object of [`Newtera::copy_object`]: a bucket and object, and
/// optionally a version, the SSE-C key it was written with, a byte range
/// and copy conditions.
///
/// ```
/// use newtera_core::CopySource;
/// let src = CopySource::new("my-sourcebucket", "my-sourceobject")
///     .match_etag("31624deb84149d2f8ef9c385918b653a")
///     .offset(1024)
///     .length(5 * 1024 * 1024);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CopySource(pub(crate) SourceSpec);

/// One source object of [`Newtera::compose_object`]: the same settings as a
/// [`CopySource`]. Its size comes from a `stat_object` of it, and the copy
/// is made conditional on the ETag that stat saw, so that a source changed
/// in between fails the compose instead of mixing versions.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ComposeSource(pub(crate) SourceSpec);

macro_rules! source_setters {
    ($ty:ident) => {
        impl $ty {
            /// The object `object_name` of bucket `bucket_name`.
            pub fn new(bucket_name: impl Into<String>, object_name: impl Into<String>) -> Self {
                $ty(SourceSpec::new(bucket_name.into(), object_name.into()))
            }
            /// A specific version of the source object.
            pub fn version_id(mut self, v: impl Into<String>) -> Self {
                self.0.version_id = Some(v.into());
                self
            }
            /// The SSE-C key the source object was written with (sent only
            /// over HTTPS).
            pub fn ssec(mut self, key: SseCustomerKey) -> Self {
                self.0.ssec = Some(key);
                self
            }
            /// Copy from this byte offset on (0-based).
            pub fn offset(mut self, offset: u64) -> Self {
                self.0.offset = Some(offset);
                self
            }
            /// Copy this many bytes (more than zero).
            pub fn length(mut self, length: u64) -> Self {
                self.0.length = Some(length);
                self
            }
            /// Copy only if the source's ETag is this one.
            pub fn match_etag(mut self, etag: impl Into<String>) -> Self {
                self.0.match_etag = Some(etag.into());
                self
            }
            /// Copy only if the source's ETag is not this one.
            pub fn not_match_etag(mut self, etag: impl Into<String>) -> Self {
                self.0.not_match_etag = Some(etag.into());
                self
            }
            /// Copy only if the source was modified after this time.
            pub fn modified_since(mut self, t: SystemTime) -> Self {
                self.0.modified_since = Some(t);
                self
            }
            /// Copy only if the source was not modified after this time.
            pub fn unmodified_since(mut self, t: SystemTime) -> Self {
                self.0.unmodified_since = Some(t);
                self
            }
            /// The source bucket.
            pub fn bucket_name(&self) -> &str {
                &self.0.bucket
            }
            /// The source object.
            pub fn object_name(&self) -> &str {
                &self.0.object
            }
        }
    };
}
source_setters!(CopySource);
source_setters!(ComposeSource);

impl From<CopySource> for ComposeSource {
    fn from(s: CopySource) -> Self {
        ComposeSource(s.0)
    }
}

impl From<ComposeSource> for CopySource {
    fn from(s: ComposeSource) -> Self {
        CopySource(s.0)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use std::time::Duration;

    #[test]
    fn headers_name_the_source_and_its_conditions() {
        let t = SystemTime::UNIX_EPOCH + Duration::from_secs(1_255_369_830);
        let key = SseCustomerKey::new(&[1u8; 32]).unwrap();
        let src = CopySource::new("b", "dir/a b+c%?.txt")
            .version_id("v1")
            .ssec(key)
            .not_match_etag("x")
            .modified_since(t)
            .unmodified_since(t);
        let h = src.0.headers(Some("pinned")).unwrap();
        assert_eq!(
            h["x-amz-copy-source"],
            "/b/dir/a%20b%2Bc%25%3F.txt?versionId=v1"
        );
        assert_eq!(h["x-amz-copy-source-if-match"], "pinned");
        assert_eq!(h["x-amz-copy-source-if-none-match"], "x");
        assert_eq!(
            h["x-amz-copy-source-if-modified-since"],
            "Mon, 12 Oct 2009 17:50:30 GMT"
        );
        assert_eq!(
            h["x-amz-copy-source-if-unmodified-since"],
            "Mon, 12 Oct 2009 17:50:30 GMT"
        );
        assert_eq!(
            h["x-amz-copy-source-server-side-encryption-customer-algorithm"],
            "AES256"
        );
        // A given match_etag wins over the pinned one.
        let h = src.match_etag("mine").0.headers(Some("pinned")).unwrap();
        assert_eq!(h["x-amz-copy-source-if-match"], "mine");
    }

    #[test]
    fn ranges_are_checked_against_the_size() {
        let s = |o: Option<u64>, l: Option<u64>| {
            let mut c = ComposeSource::new("b", "k");
            c.0.offset = o;
            c.0.length = l;
            c.0.range_in(100)
        };
        assert_eq!(s(None, None).unwrap(), (0, 100));
        assert_eq!(s(Some(10), None).unwrap(), (10, 90));
        assert_eq!(s(Some(10), Some(90)).unwrap(), (10, 90));
        assert_eq!(s(None, Some(100)).unwrap(), (0, 100));
        assert!(s(Some(100), None).is_err());
        assert!(s(Some(10), Some(91)).is_err());
        assert!(s(None, Some(101)).is_err());
        assert!(s(Some(1), Some(u64::MAX)).is_err());
    }
}
