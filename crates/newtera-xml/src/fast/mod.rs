//! A fast path for the listing documents.
//!
//! Listing is the one place where XML parsing dominates the client's CPU
//! time: a 1,000-key `ListObjectsV2` page is about 250 KB of small leaf
//! elements, and the generic pull parser ([`crate::read`], over quick-xml)
//! spends most of its time producing and dispatching events for them. This
//! module scans the bytes directly, for the shape every S3 server actually
//! sends:
//!
//! - an optional `<?xml …?>` declaration at the very start, whitespace;
//! - the root, without a namespace prefix, with `name="value"` attributes;
//! - leaf elements `<X>text</X>` and `<X/>` (no prefix, no attributes, no
//!   whitespace inside the tags), entries (`<Contents>`, `<Version>`,
//!   `<Owner>`, `<CommonPrefixes>` …) whose children are all leaves, and
//!   only whitespace between elements;
//! - text that is UTF-8, without CR, with the five predefined entities and
//!   character references.
//!
//! # The invariant
//!
//! The fast path returns either exactly the value the generic parser returns
//! for the same input, or `None` ("not handled"), after which the caller
//! runs the generic parser. It never reports an error itself: anything it
//! does not recognise, anything the generic parser might reject (an unknown
//! entity, a bad number, a missing required field, a size over
//! [`MAX_INPUT_LEN`], a DTD, a comment, CDATA, CR in text, a mismatched end
//! tag, nesting deeper than an entry's leaves, …) gives `None`, so the
//! generic parser stays the only source of both semantics and errors. The
//! unit tests below, `tests/fast_path.rs` (thousands of damaged samples)
//! and the `list_bucket_result`/`list_versions_result` fuzz targets check
//! that the two agree whenever the fast path answers.

use crate::list::{ListBucketResult, ListVersionsResult, ObjectEntry, VersionEntry};

/// "Not handled": the generic parser must run. A plain `Option` so that `?`
/// reads as "give up".
type Fast<T> = Option<T>;

mod scanner;
#[cfg(test)]
mod tests;

use scanner::*;

/// The fast path of [`ListBucketResult::from_xml`]; see the module docs.
pub(crate) fn list_bucket_result(xml: &[u8]) -> Fast<ListBucketResult> {
    const ROOT: &[u8] = b"ListBucketResult";
    let mut s = Scanner::open(xml, ROOT)?;
    let mut out = ListBucketResult::default();
    let mut name = None;
    while let Some(c) = s.child(ROOT)? {
        match c.name {
            b"Contents" => {
                // Filled where it lies rather than moved in: the entry is
                // about 200 bytes. On `None` the whole result is dropped.
                out.contents.push(ObjectEntry::default());
                object(&mut s, c, out.contents.last_mut()?)?;
            }
            b"CommonPrefixes" => s.common_prefixes(c, &mut out.common_prefixes)?,
            // Anything else is a leaf; unknown ones are skipped, but their
            // text is still checked as quick-xml checks references.
            leaf => {
                let text = s.text(c)?;
                match leaf {
                    b"Name" => name = Some(text.into_owned()),
                    b"Prefix" => out.prefix = Some(text.into_owned()),
                    b"Delimiter" => out.delimiter = Some(text.into_owned()),
                    b"MaxKeys" => out.max_keys = Some(number(&text)?),
                    b"KeyCount" => {
                        let n: u64 = number(&text)?;
                        out.key_count = Some(n);
                        // As the generic parser does: size the vector once.
                        let cap = usize::try_from(n).unwrap_or(usize::MAX).min(xml.len() / 64);
                        out.contents.reserve(cap.saturating_sub(out.contents.len()));
                    }
                    b"IsTruncated" => out.is_truncated = boolean(&text)?,
                    b"ContinuationToken" => out.continuation_token = Some(text.into_owned()),
                    b"NextContinuationToken" => {
                        out.next_continuation_token = Some(text.into_owned());
                    }
                    b"StartAfter" => out.start_after = Some(text.into_owned()),
                    b"Marker" => out.marker = Some(text.into_owned()),
                    b"NextMarker" => out.next_marker = Some(text.into_owned()),
                    b"EncodingType" => out.encoding_type = Some(text.into_owned()),
                    _ => {}
                }
            }
        }
    }
    out.name = name?;
    Some(out)
}

/// Reads a `<Contents>` entry into `entry` (a default one); `<UserMetadata>`
/// (MinIO) is not handled.
fn object<'a>(s: &mut Scanner<'a>, c: Child<'a>, entry: &mut ObjectEntry) -> Fast<()> {
    let mut key = None;
    let mut size = None;
    if !c.empty {
        while let Some(f) = s.child(c.name)? {
            match f.name {
                b"Owner" => entry.owner = Some(s.owner(f)?),
                b"UserMetadata" => return None,
                leaf => {
                    let text = s.text(f)?;
                    match leaf {
                        b"Key" => key = Some(text.into_owned()),
                        b"LastModified" => entry.last_modified = text.into_owned(),
                        b"ETag" => entry.etag = text.into_owned(),
                        b"Size" => size = Some(number(&text)?),
                        b"StorageClass" => entry.storage_class = Some(text.into_owned()),
                        b"UserTags" => entry.user_tags = Some(text.into_owned()),
                        _ => {}
                    }
                }
            }
        }
    }
    entry.key = key?;
    entry.size = size?;
    Some(())
}

/// The fast path of [`ListVersionsResult::from_xml`]; see the module docs.
pub(crate) fn list_versions_result(xml: &[u8]) -> Fast<ListVersionsResult> {
    const ROOT: &[u8] = b"ListVersionsResult";
    let mut s = Scanner::open(xml, ROOT)?;
    let mut out = ListVersionsResult::default();
    let mut name = None;
    while let Some(c) = s.child(ROOT)? {
        match c.name {
            b"Version" => {
                let entry = version(&mut s, c, false)?;
                out.entries.push(entry);
            }
            b"DeleteMarker" => {
                let entry = version(&mut s, c, true)?;
                out.entries.push(entry);
            }
            b"CommonPrefixes" => s.common_prefixes(c, &mut out.common_prefixes)?,
            leaf => {
                let text = s.text(c)?;
                match leaf {
                    b"Name" => name = Some(text.into_owned()),
                    b"Prefix" => out.prefix = Some(text.into_owned()),
                    b"Delimiter" => out.delimiter = Some(text.into_owned()),
                    b"MaxKeys" => out.max_keys = Some(number(&text)?),
                    b"KeyMarker" => out.key_marker = Some(text.into_owned()),
                    b"VersionIdMarker" => out.version_id_marker = Some(text.into_owned()),
                    b"NextKeyMarker" => out.next_key_marker = Some(text.into_owned()),
                    b"NextVersionIdMarker" => {
                        out.next_version_id_marker = Some(text.into_owned());
                    }
                    b"IsTruncated" => out.is_truncated = boolean(&text)?,
                    b"EncodingType" => out.encoding_type = Some(text.into_owned()),
                    _ => {}
                }
            }
        }
    }
    out.name = name?;
    Some(out)
}

/// A `<Version>` or `<DeleteMarker>`; `<UserMetadata>` is not handled.
fn version<'a>(s: &mut Scanner<'a>, c: Child<'a>, is_delete_marker: bool) -> Fast<VersionEntry> {
    let mut entry = VersionEntry {
        is_delete_marker,
        ..VersionEntry::default()
    };
    let mut key = None;
    let mut version_id = None;
    let mut size = None;
    if !c.empty {
        while let Some(f) = s.child(c.name)? {
            match f.name {
                b"Owner" => entry.owner = Some(s.owner(f)?),
                b"UserMetadata" => return None,
                leaf => {
                    let text = s.text(f)?;
                    match leaf {
                        b"Key" => key = Some(text.into_owned()),
                        b"VersionId" => version_id = Some(text.into_owned()),
                        b"IsLatest" => entry.is_latest = boolean(&text)?,
                        b"LastModified" => entry.last_modified = text.into_owned(),
                        b"ETag" => entry.etag = Some(text.into_owned()),
                        b"Size" => size = Some(number(&text)?),
                        b"StorageClass" => entry.storage_class = Some(text.into_owned()),
                        _ => {}
                    }
                }
            }
        }
    }
    entry.key = key?;
    entry.version_id = version_id?;
    entry.size = match size {
        Some(n) => n,
        None if is_delete_marker => 0,
        None => return None,
    };
    Some(entry)
}
