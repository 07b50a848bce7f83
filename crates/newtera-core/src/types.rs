//! The value types of the API reference: Object, ObjectWriteResult, SSE
//! settings, Tags, Retention, DeleteObject, DeleteError and Progress.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use http::{HeaderMap, HeaderName, HeaderValue};
use md5::{Digest as _, Md5};

use crate::error::{Error, Result};

/// Object information, from `stat_object`, `list_objects` or `fget_object`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Object {
    /// The bucket. Shared (`Arc<str>`): every object of a listing names
    /// the same bucket, and a listing yields thousands of objects per page.
    pub bucket_name: Arc<str>,
    /// The object's key, or the common prefix when [`Object::is_dir`].
    pub object_name: String,
    /// When it was last modified.
    pub last_modified: Option<SystemTime>,
    /// The entity tag, without quotes.
    pub etag: Option<String>,
    /// Size in bytes.
    pub size: Option<u64>,
    /// The `Content-Type`.
    pub content_type: Option<String>,
    /// True when the name ends in `/`: a common prefix ("directory") of a
    /// non-recursive listing, or an object whose key ends in `/`.
    pub is_dir: bool,
    /// The version id, on versioned buckets.
    pub version_id: Option<String>,
    /// In a version listing: whether this is the latest version.
    pub is_latest: Option<bool>,
    /// In a version listing: whether this is a delete marker.
    pub is_delete_marker: bool,
    /// The storage class.
    pub storage_class: Option<String>,
    /// Owner id.
    pub owner_id: Option<String>,
    /// Owner display name.
    pub owner_name: Option<String>,
    /// User metadata (`x-amz-meta-*`), keys without the prefix, lowercase.
    pub user_metadata: BTreeMap<String, String>,
    /// All response headers (for `stat_object`/`fget_object`).
    pub metadata: HeaderMap,
    /// The object's tags as MinIO lists them with
    /// [`ListObjects::include_user_meta`](crate::ListObjects::include_user_meta)
    /// (its `<UserTags>` element); empty otherwise.
    pub user_tags: BTreeMap<String, String>,
}

/// What a write (`put_object`, `fput_object`) returns.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ObjectWriteResult {
    /// The bucket.
    pub bucket_name: String,
    /// The object.
    pub object_name: String,
    /// The entity tag, without quotes.
    pub etag: Option<String>,
    /// The version id, on versioned buckets.
    pub version_id: Option<String>,
    /// The response headers of the final request.
    pub headers: HeaderMap,
    /// `Last-Modified`, when the server sent it.
    pub last_modified: Option<SystemTime>,
    /// The object's location, from CompleteMultipartUpload.
    pub location: Option<String>,
}

/// Server-side encryption with a customer-provided key (SSE-C): exactly 32 bytes.
#[derive(Clone, PartialEq, Eq)]
pub struct SseCustomerKey {
    key_b64: String,
    key_md5_b64: String,
}

impl SseCustomerKey {
    /// Wraps a 32-byte AES-256 key.
    pub fn new(key: &[u8]) -> Result<Self> {
        if key.len() != 32 {
            return Err(Error::arg(
                "ssec",
                format!("an SSE-C key must be 32 bytes long, not {}", key.len()),
            ));
        }
        let b64 = base64::engine::general_purpose::STANDARD;
        Ok(SseCustomerKey {
            key_b64: b64.encode(key),
            key_md5_b64: b64.encode(Md5::digest(key)),
        })
    }

    /// Headers for PUT/GET/HEAD of an SSE-C object.
    pub(crate) fn headers(&self, h: &mut HeaderMap) {
        self.put_headers(h, "x-amz-server-side-encryption-customer-");
    }

    /// Headers naming this as the key of a copy's source object.
    pub(crate) fn copy_headers(&self, h: &mut HeaderMap) {
        self.put_headers(h, "x-amz-copy-source-server-side-encryption-customer-");
    }

    fn put_headers(&self, h: &mut HeaderMap, prefix: &str) {
        let mut set = |suffix: &str, v: &str| {
            if let (Ok(n), Ok(v)) = (
                HeaderName::try_from(format!("{prefix}{suffix}")),
                HeaderValue::from_str(v),
            ) {
                let mut v = v;
                v.set_sensitive(true);
                h.insert(n, v);
            }
        };
        set("algorithm", "AES256");
        set("key", &self.key_b64);
        set("key-md5", &self.key_md5_b64);
    }
}

impl fmt::Debug for SseCustomerKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SseCustomerKey(***)")
    }
}

/// Server-side encryption with a KMS key (SSE-KMS).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SseKms {
    key_id: String,
    context: Option<BTreeMap<String, String>>,
}

impl SseKms {
    /// Encrypt with KMS key `key_id`, with an optional encryption context.
    pub fn new<K, V>(key_id: impl Into<String>, context: impl IntoIterator<Item = (K, V)>) -> Self
    where
        K: Into<String>,
        V: Into<String>,
    {
        let ctx: BTreeMap<String, String> = context
            .into_iter()
            .map(|(k, v)| (k.into(), v.into()))
            .collect();
        SseKms {
            key_id: key_id.into(),
            context: (!ctx.is_empty()).then_some(ctx),
        }
    }

    fn headers(&self, h: &mut HeaderMap) -> Result<()> {
        h.insert(
            "x-amz-server-side-encryption",
            HeaderValue::from_static("aws:kms"),
        );
        h.insert(
            "x-amz-server-side-encryption-aws-kms-key-id",
            HeaderValue::from_str(&self.key_id)
                .map_err(|_| Error::arg("sse", "the KMS key id is not a valid header value"))?,
        );
        if let Some(ctx) = &self.context {
            let json = serde_json::to_string(ctx)
                .map_err(|e| Error::arg("sse", format!("KMS context: {e}")))?;
            let b64 = base64::engine::general_purpose::STANDARD.encode(json);
            h.insert(
                "x-amz-server-side-encryption-context",
                HeaderValue::from_str(&b64)
                    .map_err(|_| Error::arg("sse", "KMS context is not a valid header"))?,
            );
        }
        Ok(())
    }
}

/// Server-side encryption with S3-managed keys (SSE-S3).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SseS3;

impl SseS3 {
    /// SSE-S3.
    pub fn new() -> Self {
        SseS3
    }
}

/// Any kind of server-side encryption.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Sse {
    /// SSE-C.
    CustomerKey(SseCustomerKey),
    /// SSE-KMS.
    Kms(SseKms),
    /// SSE-S3.
    S3(SseS3),
}

impl Sse {
    /// True when the server must only see this over TLS (SSE-C and SSE-KMS).
    pub fn tls_required(&self) -> bool {
        !matches!(self, Sse::S3(_))
    }

    pub(crate) fn headers(&self, h: &mut HeaderMap) -> Result<()> {
        match self {
            Sse::CustomerKey(k) => k.headers(h),
            Sse::Kms(k) => k.headers(h)?,
            Sse::S3(_) => {
                h.insert(
                    "x-amz-server-side-encryption",
                    HeaderValue::from_static("AES256"),
                );
            }
        }
        Ok(())
    }

    /// The subset of headers an UploadPart needs (SSE-C only).
    pub(crate) fn part_headers(&self, h: &mut HeaderMap) {
        if let Sse::CustomerKey(k) = self {
            k.headers(h);
        }
    }
}

impl From<SseCustomerKey> for Sse {
    fn from(k: SseCustomerKey) -> Self {
        Sse::CustomerKey(k)
    }
}
impl From<SseKms> for Sse {
    fn from(k: SseKms) -> Self {
        Sse::Kms(k)
    }
}
impl From<SseS3> for Sse {
    fn from(k: SseS3) -> Self {
        Sse::S3(k)
    }
}

/// Object or bucket tags, checked against the S3 limits on insertion.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Tags {
    for_object: bool,
    map: BTreeMap<String, String>,
}

impl Tags {
    /// Tags for an object: at most 10.
    pub fn new_object_tags() -> Self {
        Tags {
            for_object: true,
            map: BTreeMap::new(),
        }
    }

    /// Tags for a bucket: at most 50.
    pub fn new_bucket_tags() -> Self {
        Tags {
            for_object: false,
            map: BTreeMap::new(),
        }
    }

    /// Adds or replaces a tag. Keys are 1..=128 characters, values at most
    /// 256, both of letters, digits, spaces and `_ . : / = + - @` (S3's rule).
    pub fn insert(&mut self, key: impl Into<String>, value: impl Into<String>) -> Result<()> {
        let (key, value) = (key.into(), value.into());
        let klen = key.chars().count();
        if klen == 0 || klen > 128 {
            return Err(Error::arg(
                "tags",
                "a tag key must be 1 to 128 characters long",
            ));
        }
        if value.chars().count() > 256 {
            return Err(Error::arg(
                "tags",
                "a tag value must be at most 256 characters long",
            ));
        }
        let allowed = |c: char| c.is_alphanumeric() || c == ' ' || "_.:/=+-@".contains(c);
        if !key.chars().all(allowed) || !value.chars().all(allowed) {
            return Err(Error::arg(
                "tags",
                "tags may hold only letters, digits, spaces and _ . : / = + - @",
            ));
        }
        let max = if self.for_object { 10 } else { 50 };
        if !self.map.contains_key(&key) && self.map.len() >= max {
            return Err(Error::arg(
                "tags",
                format!("at most {max} tags are allowed"),
            ));
        }
        self.map.insert(key, value);
        Ok(())
    }

    /// The tags, sorted by key.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.map.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// Number of tags.
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// True when there are no tags.
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    /// The value of tag `key`.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.map.get(key).map(String::as_str)
    }

    /// True for object tags (at most 10), false for bucket tags (at most 50).
    pub fn is_for_object(&self) -> bool {
        self.for_object
    }

    /// Tags as a server sent them: kept as they are, without the client's
    /// checks, so that a server with laxer rules never makes a read fail.
    pub(crate) fn from_server(for_object: bool, pairs: Vec<(String, String)>) -> Self {
        Tags {
            for_object,
            map: pairs.into_iter().collect(),
        }
    }

    /// The `<Tagging>` document of these tags (PutObjectTagging,
    /// PutBucketTagging).
    pub(crate) fn to_tagging(&self) -> newtera_xml::Tagging {
        newtera_xml::Tagging {
            tags: self
                .map
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        }
    }

    /// The `x-amz-tagging` header value (URL query form).
    pub(crate) fn header_value(&self) -> String {
        let mut s = String::new();
        for (i, (k, v)) in self.map.iter().enumerate() {
            if i > 0 {
                s.push('&');
            }
            crate::url::encode_component(k, &mut s);
            s.push('=');
            crate::url::encode_component(v, &mut s);
        }
        s
    }
}

impl<K: Into<String>, V: Into<String>> TryFrom<Vec<(K, V)>> for Tags {
    type Error = Error;
    fn try_from(v: Vec<(K, V)>) -> Result<Self> {
        let mut t = Tags::new_object_tags();
        for (k, val) in v {
            t.insert(k, val)?;
        }
        Ok(t)
    }
}

/// Object-lock retention mode.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RetentionMode {
    /// Users with special permission may shorten or remove it.
    Governance,
    /// Nobody can shorten or remove it.
    Compliance,
}

impl RetentionMode {
    /// The S3 spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            RetentionMode::Governance => "GOVERNANCE",
            RetentionMode::Compliance => "COMPLIANCE",
        }
    }

    /// Parses the S3 spelling (`GOVERNANCE`, `COMPLIANCE`).
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "GOVERNANCE" => Some(RetentionMode::Governance),
            "COMPLIANCE" => Some(RetentionMode::Compliance),
            _ => None,
        }
    }
}

impl std::str::FromStr for RetentionMode {
    type Err = Error;
    /// Parses `GOVERNANCE` or `COMPLIANCE` (exactly as S3 spells them);
    /// anything else is [`Error::InvalidArgument`].
    fn from_str(s: &str) -> Result<Self> {
        RetentionMode::parse(s).ok_or_else(|| {
            Error::arg(
                "retention",
                format!("unknown retention mode {s:?}: expected GOVERNANCE or COMPLIANCE"),
            )
        })
    }
}

impl fmt::Display for RetentionMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Object-lock retention: a mode and a retain-until date.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Retention {
    /// The mode.
    pub mode: RetentionMode,
    /// Until when the object version is protected.
    pub retain_until_date: SystemTime,
}

impl Retention {
    /// Retention `mode` until `retain_until_date`.
    pub fn new(mode: RetentionMode, retain_until_date: SystemTime) -> Self {
        Retention {
            mode,
            retain_until_date,
        }
    }

    /// Checks that the retain-until date can be sent: in the future (S3
    /// refuses any other) and no later than 9999-12-31T23:59:59Z (the last
    /// instant an ISO 8601 date with a four-digit year can name).
    pub(crate) fn check(&self) -> Result<()> {
        const LAST: Duration = Duration::from_secs(253_402_300_799);
        if self.retain_until_date > UNIX_EPOCH + LAST {
            return Err(Error::arg(
                "retention",
                "the retain-until date must be no later than 9999-12-31T23:59:59Z",
            ));
        }
        if self.retain_until_date <= SystemTime::now() {
            return Err(Error::arg(
                "retention",
                "the retain-until date must be in the future",
            ));
        }
        Ok(())
    }

    /// The retain-until date as S3 writes it (`2030-01-01T00:00:00.000Z`);
    /// call [`Retention::check`] first (a date the format cannot hold is an
    /// error here too, never a panic).
    pub(crate) fn date_iso8601(&self) -> Result<String> {
        crate::time::format_iso8601(self.retain_until_date).ok_or_else(|| {
            Error::arg(
                "retention",
                "the retain-until date must lie between the years 0000 and 9999",
            )
        })
    }
}

/// An object (version) to delete with `remove_objects`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeleteObject {
    /// The object's key.
    pub name: String,
    /// A specific version.
    pub version_id: Option<String>,
}

impl DeleteObject {
    /// Delete `name` (its latest version, or add a delete marker).
    pub fn new(name: impl Into<String>) -> Self {
        DeleteObject {
            name: name.into(),
            version_id: None,
        }
    }

    /// Delete one version of `name`.
    pub fn with_version(name: impl Into<String>, version_id: impl Into<String>) -> Self {
        DeleteObject {
            name: name.into(),
            version_id: Some(version_id.into()),
        }
    }
}

impl From<&str> for DeleteObject {
    fn from(s: &str) -> Self {
        DeleteObject::new(s)
    }
}
impl From<String> for DeleteObject {
    fn from(s: String) -> Self {
        DeleteObject::new(s)
    }
}

/// A key that `remove_objects` could not delete.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct DeleteError {
    /// The S3 error code.
    pub code: String,
    /// The message.
    pub message: String,
    /// The object's key.
    pub name: String,
    /// The version, if one was named.
    pub version_id: Option<String>,
}

impl fmt::Display for DeleteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "cannot delete {:?}: {} {}",
            self.name, self.code, self.message
        )
    }
}

/// Receives transfer progress. For uploads, `update` counts bytes the
/// server has acknowledged (a part or object it answered 200 to), not bytes
/// read. For downloads (`get_object`, `fget_object`), it counts bytes
/// delivered (yielded by the body stream, or written to the file), each
/// byte of the object once: bytes fetched again when a cut read resumes or
/// a damaged download is read again are not counted twice, so the updates
/// add up to the total.
pub trait Progress: Send + Sync {
    /// The total number of bytes, once known (`None` for unknown lengths).
    fn set_total(&self, total: Option<u64>);
    /// `bytes` more bytes were acknowledged by the server.
    fn update(&self, bytes: u64);
}
