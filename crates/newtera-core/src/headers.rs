//! The headers that describe an object being written, shared by every
//! write: PutObject, CreateMultipartUpload, CopyObject.

use http::{HeaderMap, HeaderName, HeaderValue};

use crate::error::{Error, Result};
use crate::types::{Retention, Sse, Tags};

/// What a write says about the object it creates.
#[derive(Default)]
pub(crate) struct ObjectHeaders<'a> {
    /// Metadata pairs, see [`ObjectHeaders::build`].
    pub(crate) metadata: &'a [(String, String)],
    /// An explicit `Content-Type`.
    pub(crate) content_type: Option<&'a str>,
    /// Send `application/octet-stream` when neither `content_type` nor the
    /// metadata names one.
    pub(crate) default_content_type: bool,
    /// Server-side encryption of the object.
    pub(crate) sse: Option<&'a Sse>,
    /// Tags (`x-amz-tagging`); empty tags send nothing.
    pub(crate) tags: Option<&'a Tags>,
    /// Object-lock retention.
    pub(crate) retention: Option<&'a Retention>,
    /// Object-lock legal hold.
    pub(crate) legal_hold: bool,
}

/// Is this metadata key sent as is rather than as `x-amz-meta-<key>`?
fn passes_through(lower: &str) -> bool {
    lower.starts_with("x-amz-")
        || matches!(
            lower,
            "cache-control"
                | "content-disposition"
                | "content-encoding"
                | "content-language"
                | "content-type"
                | "expires"
        )
}

impl ObjectHeaders<'_> {
    /// The headers. Metadata user keys are sent as `x-amz-meta-<key>`;
    /// standard headers and `x-amz-*` keys pass through; values must be
    /// US-ASCII.
    pub(crate) fn build(&self) -> Result<HeaderMap> {
        let mut h = HeaderMap::new();
        let bad = |k: &str, why: &str| Error::arg("metadata", format!("{k:?}: {why}"));
        for (k, v) in self.metadata {
            if !v.is_ascii() {
                return Err(bad(k, "values must be US-ASCII"));
            }
            let lower = k.to_ascii_lowercase();
            let name = if passes_through(&lower) {
                lower
            } else {
                format!("x-amz-meta-{lower}")
            };
            let name = HeaderName::try_from(name).map_err(|_| bad(k, "not a valid header name"))?;
            let value = HeaderValue::from_str(v).map_err(|_| bad(k, "not a valid header value"))?;
            h.append(name, value);
        }
        let ct = self.content_type;
        let defaulted = self.default_content_type && !h.contains_key(http::header::CONTENT_TYPE);
        if ct.is_some() || defaulted {
            let ct = ct.unwrap_or("application/octet-stream");
            h.insert(
                http::header::CONTENT_TYPE,
                HeaderValue::from_str(ct)
                    .map_err(|_| Error::arg("content_type", "not a valid header value"))?,
            );
        }
        if let Some(sse) = self.sse {
            sse.headers(&mut h)?;
        }
        if let Some(tags) = self.tags.filter(|t| !t.is_empty()) {
            h.insert(
                "x-amz-tagging",
                HeaderValue::from_str(&tags.header_value())
                    .map_err(|_| Error::arg("tags", "not a valid header value"))?,
            );
        }
        if let Some(r) = self.retention {
            h.insert(
                "x-amz-object-lock-mode",
                HeaderValue::from_static(r.mode.as_str()),
            );
            let date = r.date_iso8601()?;
            h.insert(
                "x-amz-object-lock-retain-until-date",
                HeaderValue::from_str(&date).map_err(|_| Error::arg("retention", "bad date"))?,
            );
        }
        if self.legal_hold {
            h.insert(
                "x-amz-object-lock-legal-hold",
                HeaderValue::from_static("ON"),
            );
        }
        Ok(h)
    }
}

/// A condition on the object a write replaces (S3 conditional writes),
/// given to `put_object(..).condition(..)`, `copy_object(..).condition(..)`
/// or `complete_multipart_upload(..).condition(..)`.
///
/// A condition that does not hold fails the write with HTTP 412
/// ([`Error::is_precondition_failed`]); an `If-Match` on a missing object
/// fails with 404 ([`Error::is_not_found`]) on S3. A server without
/// conditional writes refuses the header (commonly `NotImplemented`) or may
/// ignore it.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum WriteCondition {
    /// Write only if no object has the name (`If-None-Match: *`).
    NotExists,
    /// Write only if the current object has this ETag (`If-Match`); the
    /// ETag may be given with or without its quotes.
    Matches(String),
}

impl WriteCondition {
    /// Adds the condition's header to `h`.
    pub(crate) fn apply(&self, h: &mut HeaderMap) {
        match self {
            WriteCondition::NotExists => {
                h.insert(http::header::IF_NONE_MATCH, HeaderValue::from_static("*"));
            }
            WriteCondition::Matches(etag) => {
                if let Some(v) = etag_header(etag) {
                    h.insert(http::header::IF_MATCH, v);
                }
            }
        }
    }

    /// Refuses an ETag that cannot be sent; nothing is sent then.
    pub(crate) fn check(&self) -> Result<()> {
        match self {
            WriteCondition::Matches(etag) if etag_header(etag).is_none() => Err(Error::arg(
                "condition",
                format!("{etag:?} is not a valid ETag"),
            )),
            _ => Ok(()),
        }
    }
}

/// `etag` as the value of an `If-Match` / `If-None-Match` header: `*` as
/// is, a bare ETag in quotes (`"abc"`), an already quoted one (or a list of
/// quoted ones) as given. `None` when it is empty or cannot be a header
/// value.
pub(crate) fn etag_header(etag: &str) -> Option<HeaderValue> {
    let t = etag.trim();
    if t.is_empty() {
        return None;
    }
    if t == "*" {
        return Some(HeaderValue::from_static("*"));
    }
    if t.contains('"') {
        // A list of entity tags: each `"…"` or `W/"…"`, no quote inside.
        let tag_ok = |tag: &str| {
            let tag = tag.trim();
            let tag = tag.strip_prefix("W/").unwrap_or(tag);
            tag.len() >= 2
                && tag.starts_with('"')
                && tag.ends_with('"')
                && !tag[1..tag.len() - 1].contains('"')
        };
        if !t.split(',').all(tag_ok) {
            return None;
        }
        return HeaderValue::from_str(t).ok();
    }
    HeaderValue::from_str(&format!("\"{t}\"")).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn etag_headers() {
        let h = |s: &str| etag_header(s).map(|v| v.to_str().unwrap_or_default().to_owned());
        assert_eq!(h("abc").as_deref(), Some("\"abc\""));
        assert_eq!(h(" \"abc\" ").as_deref(), Some("\"abc\""));
        assert_eq!(h("*").as_deref(), Some("*"));
        assert_eq!(h("\"a\", W/\"b\"").as_deref(), Some("\"a\", W/\"b\""));
        for bad in ["", " ", "a\"b", "\"a", "\"a\"b\"", "\"a\", b", "a\nb"] {
            assert_eq!(h(bad), None, "{bad:?}");
        }
    }
}
