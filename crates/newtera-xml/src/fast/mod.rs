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

use crate::list::{ListBucketResult, ListVersionsResult, ObjectEntryRef, VersionEntryRef};

/// "Not handled": the generic parser must run. A plain `Option` so that `?`
/// reads as "give up".
type Fast<T> = Option<T>;

mod scanner;
#[cfg(test)]
mod tests;

use scanner::*;

/// The fast path of [`ListBucketResult::from_xml_with`]; see the module
/// docs.
pub(crate) fn list_bucket_result<E>(
    xml: &[u8],
    entry: &mut impl FnMut(ObjectEntryRef<'_>) -> E,
) -> Fast<ListBucketResult<E>> {
    const ROOT: &[u8] = b"ListBucketResult";
    let mut s = Scanner::open(xml, ROOT)?;
    let mut out = ListBucketResult::default();
    let mut name = None;
    loop {
        // Entries come back to back: the expected tag first.
        let c = match s.expect(b"<Contents>", b"Contents") {
            Some(c) => c,
            None => match s.child(ROOT)? {
                Some(c) => c,
                None => break,
            },
        };
        match c.name {
            b"Contents" => {
                let e = object(&mut s, c)?;
                out.contents.push(entry(e));
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

/// Reads a `<Contents>` entry; `<UserMetadata>` (MinIO) is not handled.
#[inline(always)]
fn object<'a>(s: &mut Scanner<'a>, c: Child<'a>) -> Fast<ObjectEntryRef<'a>> {
    let mut entry = ObjectEntryRef::default();
    let mut key = None;
    let mut size = None;
    if !c.empty {
        // The fields in the order S3 sends them, as far as they come so;
        // the loop below reads whatever follows, in any order.
        'in_order: {
            let Some(f) = s.expect(b"<Key>", b"Key") else {
                break 'in_order;
            };
            key = Some(s.text(f)?);
            let Some(f) = s.expect(b"<LastModified>", b"LastModified") else {
                break 'in_order;
            };
            entry.last_modified = s.text(f)?;
            let Some(f) = s.expect(b"<ETag>", b"ETag") else {
                break 'in_order;
            };
            entry.etag = s.text(f)?;
            let Some(f) = s.expect(b"<Size>", b"Size") else {
                break 'in_order;
            };
            size = Some(number(&s.text(f)?)?);
            let Some(f) = s.expect(b"<StorageClass>", b"StorageClass") else {
                break 'in_order;
            };
            entry.storage_class = Some(s.text(f)?);
        }
        while let Some(f) = s.child(c.name)? {
            match f.name {
                b"Owner" => entry.owner = Some(s.owner(f)?),
                b"UserMetadata" => return None,
                leaf => {
                    let text = s.text(f)?;
                    match leaf {
                        b"Key" => key = Some(text),
                        b"LastModified" => entry.last_modified = text,
                        b"ETag" => entry.etag = text,
                        b"Size" => size = Some(number(&text)?),
                        b"StorageClass" => entry.storage_class = Some(text),
                        b"UserTags" => entry.user_tags = Some(text),
                        _ => {}
                    }
                }
            }
        }
    }
    entry.key = key?;
    entry.size = size?;
    Some(entry)
}

/// The fast path of [`ListVersionsResult::from_xml_with`]; see the module
/// docs.
pub(crate) fn list_versions_result<E>(
    xml: &[u8],
    entry: &mut impl FnMut(VersionEntryRef<'_>) -> E,
) -> Fast<ListVersionsResult<E>> {
    const ROOT: &[u8] = b"ListVersionsResult";
    let mut s = Scanner::open(xml, ROOT)?;
    let mut out = ListVersionsResult::default();
    let mut name = None;
    loop {
        let c = match s.expect(b"<Version>", b"Version") {
            Some(c) => c,
            None => match s.child(ROOT)? {
                Some(c) => c,
                None => break,
            },
        };
        match c.name {
            b"Version" => {
                let e = version(&mut s, c, false)?;
                out.entries.push(entry(e));
            }
            b"DeleteMarker" => {
                let e = version(&mut s, c, true)?;
                out.entries.push(entry(e));
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
fn version<'a>(
    s: &mut Scanner<'a>,
    c: Child<'a>,
    is_delete_marker: bool,
) -> Fast<VersionEntryRef<'a>> {
    let mut entry = VersionEntryRef {
        is_delete_marker,
        ..VersionEntryRef::default()
    };
    let mut key = None;
    let mut version_id = None;
    let mut size = None;
    if !c.empty {
        // As for `<Contents>`: S3's order first (a delete marker stops
        // after `<LastModified>`), then anything in any order.
        'in_order: {
            let Some(f) = s.expect(b"<Key>", b"Key") else {
                break 'in_order;
            };
            key = Some(s.text(f)?);
            let Some(f) = s.expect(b"<VersionId>", b"VersionId") else {
                break 'in_order;
            };
            version_id = Some(s.text(f)?);
            let Some(f) = s.expect(b"<IsLatest>", b"IsLatest") else {
                break 'in_order;
            };
            entry.is_latest = boolean(&s.text(f)?)?;
            let Some(f) = s.expect(b"<LastModified>", b"LastModified") else {
                break 'in_order;
            };
            entry.last_modified = s.text(f)?;
            let Some(f) = s.expect(b"<ETag>", b"ETag") else {
                break 'in_order;
            };
            entry.etag = Some(s.text(f)?);
            let Some(f) = s.expect(b"<Size>", b"Size") else {
                break 'in_order;
            };
            size = Some(number(&s.text(f)?)?);
            let Some(f) = s.expect(b"<StorageClass>", b"StorageClass") else {
                break 'in_order;
            };
            entry.storage_class = Some(s.text(f)?);
        }
        while let Some(f) = s.child(c.name)? {
            match f.name {
                b"Owner" => entry.owner = Some(s.owner(f)?),
                b"UserMetadata" => return None,
                leaf => {
                    let text = s.text(f)?;
                    match leaf {
                        b"Key" => key = Some(text),
                        b"VersionId" => version_id = Some(text),
                        b"IsLatest" => entry.is_latest = boolean(&text)?,
                        b"LastModified" => entry.last_modified = text,
                        b"ETag" => entry.etag = Some(text),
                        b"Size" => size = Some(number(&text)?),
                        b"StorageClass" => entry.storage_class = Some(text),
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
