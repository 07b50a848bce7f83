//! The listing documents: `ListObjectsV2`, `ListObjects` (v1) and
//! `ListObjectVersions`. These are on the hot path and parsed in one pass
//! over borrowed bytes: first by the specialised scanner of `fast.rs`,
//! which handles the shape servers send and falls back to the generic
//! parser below for anything else.
//!
//! Each entry is handed to the caller as a borrowed view
//! ([`ObjectEntryRef`], [`VersionEntryRef`]) from which it builds its own
//! value ([`ListBucketResult::from_xml_with`]): a client turning a page into
//! its own object type then copies each text once, and texts it only reads
//! (a timestamp it parses) not at all.

use std::borrow::Cow;

use crate::read::{required, Child, Parser};
use crate::{Owner, XmlError};

/// The `ListObjectsV2` and `ListObjects` (v1) response, `<ListBucketResult>`.
///
/// Fields that belong to only one version are `None` for the other
/// (`key_count`, `continuation_token`, `next_continuation_token` and
/// `start_after` are v2; `marker` and `next_marker` are v1).
///
/// `E` is what each `<Contents>` entry became: an owned [`ObjectEntry`]
/// with [`ListBucketResult::from_xml`], the caller's own type with
/// [`ListBucketResult::from_xml_with`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListBucketResult<E = ObjectEntry> {
    /// `<Name>`: the bucket (required).
    pub name: String,
    /// `<Prefix>`.
    pub prefix: Option<String>,
    /// `<Delimiter>`.
    pub delimiter: Option<String>,
    /// `<MaxKeys>`.
    pub max_keys: Option<u64>,
    /// `<KeyCount>` (v2).
    pub key_count: Option<u64>,
    /// `<IsTruncated>`; `false` when absent.
    pub is_truncated: bool,
    /// `<ContinuationToken>` (v2).
    pub continuation_token: Option<String>,
    /// `<NextContinuationToken>` (v2).
    pub next_continuation_token: Option<String>,
    /// `<StartAfter>` (v2).
    pub start_after: Option<String>,
    /// `<Marker>` (v1).
    pub marker: Option<String>,
    /// `<NextMarker>` (v1; only sent when a delimiter was given).
    pub next_marker: Option<String>,
    /// `<EncodingType>`: `url` when keys and prefixes are URL-encoded.
    pub encoding_type: Option<String>,
    /// The `<Contents>` entries, in document order.
    pub contents: Vec<E>,
    /// The `<CommonPrefixes><Prefix>` values, in document order.
    pub common_prefixes: Vec<String>,
}

/// One `<Contents>` entry of a [`ListBucketResult`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ObjectEntry {
    /// `<Key>` (required; URL-encoded when `encoding_type` is `url`).
    pub key: String,
    /// `<LastModified>` as sent (ISO 8601); empty when absent.
    pub last_modified: String,
    /// `<ETag>` as sent, quotes included; empty when absent.
    pub etag: String,
    /// `<Size>` (required).
    pub size: u64,
    /// `<StorageClass>`.
    pub storage_class: Option<String>,
    /// `<Owner>` (sent with `fetch-owner=true`, and by v1).
    pub owner: Option<Owner>,
    /// MinIO's `<UserMetadata>` extension (`metadata=true`): one
    /// `(element name, value)` pair per child, e.g.
    /// `("X-Amz-Meta-Foo", "bar")` or `("content-type", "text/plain")`.
    pub user_metadata: Vec<(String, String)>,
    /// MinIO's `<UserTags>` extension: the tags as a URL query string.
    pub user_tags: Option<String>,
}

/// The `ListObjectVersions` response, `<ListVersionsResult>`.
///
/// `E` is what each `<Version>` and `<DeleteMarker>` became: an owned
/// [`VersionEntry`] with [`ListVersionsResult::from_xml`], the caller's own
/// type with [`ListVersionsResult::from_xml_with`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListVersionsResult<E = VersionEntry> {
    /// `<Name>`: the bucket (required).
    pub name: String,
    /// `<Prefix>`.
    pub prefix: Option<String>,
    /// `<Delimiter>`.
    pub delimiter: Option<String>,
    /// `<MaxKeys>`.
    pub max_keys: Option<u64>,
    /// `<KeyMarker>`.
    pub key_marker: Option<String>,
    /// `<VersionIdMarker>`.
    pub version_id_marker: Option<String>,
    /// `<NextKeyMarker>`.
    pub next_key_marker: Option<String>,
    /// `<NextVersionIdMarker>`.
    pub next_version_id_marker: Option<String>,
    /// `<IsTruncated>`; `false` when absent.
    pub is_truncated: bool,
    /// `<EncodingType>`.
    pub encoding_type: Option<String>,
    /// The `<Version>` and `<DeleteMarker>` entries, interleaved in document
    /// order (which S3 sorts by key, then newest first).
    pub entries: Vec<E>,
    /// The `<CommonPrefixes><Prefix>` values, in document order.
    pub common_prefixes: Vec<String>,
}

/// One `<Version>` or `<DeleteMarker>` of a [`ListVersionsResult`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VersionEntry {
    /// `<Key>` (required).
    pub key: String,
    /// `<VersionId>` (required; `null` for objects written while
    /// versioning was off).
    pub version_id: String,
    /// `<IsLatest>`; `false` when absent.
    pub is_latest: bool,
    /// `<LastModified>` as sent; empty when absent.
    pub last_modified: String,
    /// `<ETag>`; `None` for delete markers.
    pub etag: Option<String>,
    /// `<Size>` (required for a `<Version>`); 0 for delete markers.
    pub size: u64,
    /// `<StorageClass>`.
    pub storage_class: Option<String>,
    /// `<Owner>`.
    pub owner: Option<Owner>,
    /// `true` for a `<DeleteMarker>` entry.
    pub is_delete_marker: bool,
    /// MinIO's `<UserMetadata>` extension; see [`ObjectEntry::user_metadata`].
    pub user_metadata: Vec<(String, String)>,
}

/// A borrowed view of one `<Contents>` entry, handed to the function of
/// [`ListBucketResult::from_xml_with`]. Texts borrow the document where it
/// holds them verbatim and are owned where entities had to be resolved; the
/// fields mean what those of [`ObjectEntry`] mean.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ObjectEntryRef<'a> {
    /// `<Key>` (required; URL-encoded when `encoding_type` is `url`).
    pub key: Cow<'a, str>,
    /// `<LastModified>` as sent (ISO 8601); empty when absent.
    pub last_modified: Cow<'a, str>,
    /// `<ETag>` as sent, quotes included; empty when absent.
    pub etag: Cow<'a, str>,
    /// `<Size>` (required).
    pub size: u64,
    /// `<StorageClass>`.
    pub storage_class: Option<Cow<'a, str>>,
    /// `<Owner>`.
    pub owner: Option<Owner>,
    /// MinIO's `<UserMetadata>`; see [`ObjectEntry::user_metadata`].
    pub user_metadata: Vec<(String, String)>,
    /// MinIO's `<UserTags>`.
    pub user_tags: Option<Cow<'a, str>>,
}

impl ObjectEntryRef<'_> {
    /// The owned entry.
    pub fn into_owned(self) -> ObjectEntry {
        ObjectEntry {
            key: self.key.into_owned(),
            last_modified: self.last_modified.into_owned(),
            etag: self.etag.into_owned(),
            size: self.size,
            storage_class: self.storage_class.map(Cow::into_owned),
            owner: self.owner,
            user_metadata: self.user_metadata,
            user_tags: self.user_tags.map(Cow::into_owned),
        }
    }
}

/// A borrowed view of one `<Version>` or `<DeleteMarker>`, handed to the
/// function of [`ListVersionsResult::from_xml_with`]; the fields mean what
/// those of [`VersionEntry`] mean.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VersionEntryRef<'a> {
    /// `<Key>` (required).
    pub key: Cow<'a, str>,
    /// `<VersionId>` (required).
    pub version_id: Cow<'a, str>,
    /// `<IsLatest>`; `false` when absent.
    pub is_latest: bool,
    /// `<LastModified>` as sent; empty when absent.
    pub last_modified: Cow<'a, str>,
    /// `<ETag>`.
    pub etag: Option<Cow<'a, str>>,
    /// `<Size>` (required for a `<Version>`); 0 for delete markers.
    pub size: u64,
    /// `<StorageClass>`.
    pub storage_class: Option<Cow<'a, str>>,
    /// `<Owner>`.
    pub owner: Option<Owner>,
    /// `true` for a `<DeleteMarker>` entry.
    pub is_delete_marker: bool,
    /// MinIO's `<UserMetadata>`; see [`ObjectEntry::user_metadata`].
    pub user_metadata: Vec<(String, String)>,
}

impl VersionEntryRef<'_> {
    /// The owned entry.
    pub fn into_owned(self) -> VersionEntry {
        VersionEntry {
            key: self.key.into_owned(),
            version_id: self.version_id.into_owned(),
            is_latest: self.is_latest,
            last_modified: self.last_modified.into_owned(),
            etag: self.etag.map(Cow::into_owned),
            size: self.size,
            storage_class: self.storage_class.map(Cow::into_owned),
            owner: self.owner,
            is_delete_marker: self.is_delete_marker,
            user_metadata: self.user_metadata,
        }
    }
}

// Written out rather than derived: an empty result needs no `E: Default`.
impl<E> Default for ListBucketResult<E> {
    fn default() -> Self {
        ListBucketResult {
            name: String::new(),
            prefix: None,
            delimiter: None,
            max_keys: None,
            key_count: None,
            is_truncated: false,
            continuation_token: None,
            next_continuation_token: None,
            start_after: None,
            marker: None,
            next_marker: None,
            encoding_type: None,
            contents: Vec::new(),
            common_prefixes: Vec::new(),
        }
    }
}

impl<E> Default for ListVersionsResult<E> {
    fn default() -> Self {
        ListVersionsResult {
            name: String::new(),
            prefix: None,
            delimiter: None,
            max_keys: None,
            key_marker: None,
            version_id_marker: None,
            next_key_marker: None,
            next_version_id_marker: None,
            is_truncated: false,
            encoding_type: None,
            entries: Vec::new(),
            common_prefixes: Vec::new(),
        }
    }
}

impl ListBucketResult {
    /// Parses a `<ListBucketResult>` document (v1 or v2).
    pub fn from_xml(xml: &[u8]) -> Result<Self, XmlError> {
        Self::from_xml_with(xml, |e| e.into_owned())
    }

    /// The fast path of [`ListBucketResult::from_xml`] alone: `None` when
    /// it does not handle the input. Exposed for the differential tests and
    /// the fuzz target; not part of the supported API.
    #[doc(hidden)]
    pub fn parse_fast(xml: &[u8]) -> Option<Self> {
        crate::fast::list_bucket_result(xml, &mut |e| e.into_owned())
    }

    /// The generic parser behind [`ListBucketResult::from_xml`] alone (the
    /// reference for semantics and errors). Exposed for the differential
    /// tests and the fuzz target; not part of the supported API.
    #[doc(hidden)]
    pub fn parse_generic(xml: &[u8]) -> Result<Self, XmlError> {
        parse_bucket_generic(xml, &mut |e| e.into_owned())
    }
}

impl<E> ListBucketResult<E> {
    /// Parses a `<ListBucketResult>` document (v1 or v2), turning each
    /// `<Contents>` entry into an `E` with `entry` as it is read.
    ///
    /// `entry` may see the same entries twice: when the fast path gives
    /// up part-way through (on a shape it does not handle), the values it
    /// built are dropped and the generic parser starts again. It should
    /// only build its value.
    pub fn from_xml_with<F>(xml: &[u8], mut entry: F) -> Result<Self, XmlError>
    where
        F: FnMut(ObjectEntryRef<'_>) -> E,
    {
        // The common shape goes through a specialised scanner that gives
        // either the generic parser's exact result or up (see `fast.rs`).
        match crate::fast::list_bucket_result(xml, &mut entry) {
            Some(out) => Ok(out),
            None => parse_bucket_generic(xml, &mut entry),
        }
    }
}

fn parse_bucket_generic<E>(
    xml: &[u8],
    entry: &mut dyn FnMut(ObjectEntryRef<'_>) -> E,
) -> Result<ListBucketResult<E>, XmlError> {
    let (mut p, root) = Parser::open(xml, "ListBucketResult", "ListBucketResult")?;
    let mut out = ListBucketResult::default();
    let mut name = None;
    p.children(&root, |p, c| {
        match c.name() {
            b"Contents" => {
                let e = parse_object(p, &c)?;
                out.contents.push(entry(e));
            }
            b"CommonPrefixes" => p.common_prefixes(&c, &mut out.common_prefixes)?,
            b"Name" => name = Some(p.text(&c)?),
            b"Prefix" => out.prefix = p.opt_text(&c)?,
            b"Delimiter" => out.delimiter = p.opt_text(&c)?,
            b"MaxKeys" => out.max_keys = Some(p.number(&c, "MaxKeys")?),
            b"KeyCount" => {
                let n: u64 = p.number(&c, "KeyCount")?;
                out.key_count = Some(n);
                // S3 sends KeyCount before the entries: size the vector
                // once, within what the input could possibly hold.
                let cap = usize::try_from(n).unwrap_or(usize::MAX).min(xml.len() / 64);
                out.contents.reserve(cap.saturating_sub(out.contents.len()));
            }
            b"IsTruncated" => out.is_truncated = p.boolean(&c, "IsTruncated")?,
            b"ContinuationToken" => out.continuation_token = p.opt_text(&c)?,
            b"NextContinuationToken" => out.next_continuation_token = p.opt_text(&c)?,
            b"StartAfter" => out.start_after = p.opt_text(&c)?,
            b"Marker" => out.marker = p.opt_text(&c)?,
            b"NextMarker" => out.next_marker = p.opt_text(&c)?,
            b"EncodingType" => out.encoding_type = p.opt_text(&c)?,
            _ => p.skip(&c)?,
        }
        Ok(())
    })?;
    out.name = required(name, &p, "Name")?;
    Ok(out)
}

fn parse_object<'a>(
    p: &mut Parser<'a>,
    parent: &Child<'a>,
) -> Result<ObjectEntryRef<'static>, XmlError> {
    let mut entry = ObjectEntryRef::default();
    let mut key = None;
    let mut size = None;
    p.children(parent, |p, c| {
        match c.name() {
            b"Key" => key = Some(p.text(&c)?),
            b"LastModified" => entry.last_modified = p.text(&c)?.into(),
            b"ETag" => entry.etag = p.text(&c)?.into(),
            b"Size" => size = Some(p.number(&c, "Size")?),
            b"StorageClass" => entry.storage_class = p.opt_text(&c)?.map(Cow::Owned),
            b"Owner" => entry.owner = Some(p.owner(&c)?),
            b"UserMetadata" => entry.user_metadata = p.name_value_pairs(&c)?,
            b"UserTags" => entry.user_tags = p.opt_text(&c)?.map(Cow::Owned),
            _ => p.skip(&c)?,
        }
        Ok(())
    })?;
    entry.key = required(key, p, "Key")?.into();
    entry.size = required(size, p, "Size")?;
    Ok(entry)
}

impl ListVersionsResult {
    /// Parses a `<ListVersionsResult>` document.
    pub fn from_xml(xml: &[u8]) -> Result<Self, XmlError> {
        Self::from_xml_with(xml, |e| e.into_owned())
    }

    /// The fast path of [`ListVersionsResult::from_xml`] alone: `None` when
    /// it does not handle the input. Exposed for the differential tests and
    /// the fuzz target; not part of the supported API.
    #[doc(hidden)]
    pub fn parse_fast(xml: &[u8]) -> Option<Self> {
        crate::fast::list_versions_result(xml, &mut |e| e.into_owned())
    }

    /// The generic parser behind [`ListVersionsResult::from_xml`] alone.
    /// Exposed for the differential tests and the fuzz target; not part of
    /// the supported API.
    #[doc(hidden)]
    pub fn parse_generic(xml: &[u8]) -> Result<Self, XmlError> {
        parse_versions_generic(xml, &mut |e| e.into_owned())
    }
}

impl<E> ListVersionsResult<E> {
    /// Parses a `<ListVersionsResult>` document, turning each `<Version>`
    /// and `<DeleteMarker>` into an `E` with `entry` as it is read. As
    /// with [`ListBucketResult::from_xml_with`], `entry` may see the same
    /// entries twice and should only build its value.
    pub fn from_xml_with<F>(xml: &[u8], mut entry: F) -> Result<Self, XmlError>
    where
        F: FnMut(VersionEntryRef<'_>) -> E,
    {
        match crate::fast::list_versions_result(xml, &mut entry) {
            Some(out) => Ok(out),
            None => parse_versions_generic(xml, &mut entry),
        }
    }
}

fn parse_versions_generic<E>(
    xml: &[u8],
    entry: &mut dyn FnMut(VersionEntryRef<'_>) -> E,
) -> Result<ListVersionsResult<E>, XmlError> {
    let (mut p, root) = Parser::open(xml, "ListVersionsResult", "ListVersionsResult")?;
    let mut out = ListVersionsResult::default();
    let mut name = None;
    p.children(&root, |p, c| {
        match c.name() {
            b"Version" => {
                let e = parse_version(p, &c, false)?;
                out.entries.push(entry(e));
            }
            b"DeleteMarker" => {
                let e = parse_version(p, &c, true)?;
                out.entries.push(entry(e));
            }
            b"CommonPrefixes" => p.common_prefixes(&c, &mut out.common_prefixes)?,
            b"Name" => name = Some(p.text(&c)?),
            b"Prefix" => out.prefix = p.opt_text(&c)?,
            b"Delimiter" => out.delimiter = p.opt_text(&c)?,
            b"MaxKeys" => out.max_keys = Some(p.number(&c, "MaxKeys")?),
            b"KeyMarker" => out.key_marker = p.opt_text(&c)?,
            b"VersionIdMarker" => out.version_id_marker = p.opt_text(&c)?,
            b"NextKeyMarker" => out.next_key_marker = p.opt_text(&c)?,
            b"NextVersionIdMarker" => out.next_version_id_marker = p.opt_text(&c)?,
            b"IsTruncated" => out.is_truncated = p.boolean(&c, "IsTruncated")?,
            b"EncodingType" => out.encoding_type = p.opt_text(&c)?,
            _ => p.skip(&c)?,
        }
        Ok(())
    })?;
    out.name = required(name, &p, "Name")?;
    Ok(out)
}

fn parse_version<'a>(
    p: &mut Parser<'a>,
    parent: &Child<'a>,
    is_delete_marker: bool,
) -> Result<VersionEntryRef<'static>, XmlError> {
    let mut entry = VersionEntryRef {
        is_delete_marker,
        ..VersionEntryRef::default()
    };
    let mut key = None;
    let mut version_id = None;
    let mut size = None;
    p.children(parent, |p, c| {
        match c.name() {
            b"Key" => key = Some(p.text(&c)?),
            b"VersionId" => version_id = Some(p.text(&c)?),
            b"IsLatest" => entry.is_latest = p.boolean(&c, "IsLatest")?,
            b"LastModified" => entry.last_modified = p.text(&c)?.into(),
            b"ETag" => entry.etag = p.opt_text(&c)?.map(Cow::Owned),
            b"Size" => size = Some(p.number(&c, "Size")?),
            b"StorageClass" => entry.storage_class = p.opt_text(&c)?.map(Cow::Owned),
            b"Owner" => entry.owner = Some(p.owner(&c)?),
            b"UserMetadata" => entry.user_metadata = p.name_value_pairs(&c)?,
            _ => p.skip(&c)?,
        }
        Ok(())
    })?;
    entry.key = required(key, p, "Key")?.into();
    entry.version_id = required(version_id, p, "VersionId")?.into();
    entry.size = match size {
        Some(s) => s,
        None if is_delete_marker => 0,
        None => return Err(p.missing("Size")),
    };
    Ok(entry)
}
