//! Checks shared by the fuzz targets of `newtera-xml`.
//!
//! Every parser target feeds the raw input to one parser and asserts:
//!
//! - it returns, without panicking (libFuzzer reports a panic as a crash;
//!   `-rss_limit_mb`/`-malloc_limit_mb` catch unbounded allocation and
//!   `-timeout` a hang);
//! - an error is a typed [`XmlError`] naming the right document, whose
//!   message stays short (errors carry excerpts, never the document) and
//!   whose byte position lies inside the input;
//! - a success holds no more text than the input had (no amplification:
//!   every string comes from the input, entities only shrink), and, for the
//!   documents that have a serializer too, serializing the result and
//!   parsing it again gives the same value (or a typed `Unrepresentable`).

use newtera_xml::{
    BucketEntry, CompleteMultipartUploadResult, CopyObjectResult, CopyPartResult, DeleteErrorEntry,
    DeleteResult, Deleted, ErrorDocument, InitiateMultipartUploadResult, LegalHold,
    ListAllMyBucketsResult, ListBucketResult, ListMultipartUploadsResult, ListPartsResult,
    ListVersionsResult, LocationConstraint, ObjectEntry, Owner, PartEntry, Retention, Tagging,
    UploadEntry, VersionEntry, VersioningConfiguration, XmlError,
};

pub mod config;
pub mod rules;
pub mod rules_input;
pub mod tree;

/// Longest `Display` of an [`XmlError`] accepted. Each variant carries at
/// most a 64-character excerpt plus fixed text.
pub const MAX_ERROR_MESSAGE: usize = 512;

/// Checks an error returned for `input` by the parser of `document`.
pub fn check_error(input: &[u8], document: &str, e: &XmlError) {
    assert_eq!(
        e.document(),
        document,
        "error names the wrong document: {e:?}"
    );
    let msg = e.to_string();
    assert!(
        msg.len() <= MAX_ERROR_MESSAGE,
        "error message of {} bytes (limit {MAX_ERROR_MESSAGE}): {msg}",
        msg.len()
    );
    if let XmlError::Malformed { position, .. } = e {
        assert!(
            *position <= input.len() as u64,
            "error position {position} past the input's {} bytes",
            input.len()
        );
    }
    if let XmlError::Unrepresentable { .. } = e {
        panic!("a parser returned a serializer error: {e:?}");
    }
}

/// Runs `parse` on `input`, checks its error or the size of its result, and
/// returns the result.
pub fn parse<T: TextLen>(
    input: &[u8],
    document: &str,
    parse: impl Fn(&[u8]) -> Result<T, XmlError>,
) -> Option<T> {
    match parse(input) {
        Ok(v) => {
            let text = v.text_len();
            assert!(
                text <= input.len(),
                "{document}: result holds {text} bytes of text, more than the {}-byte input",
                input.len()
            );
            Some(v)
        }
        Err(e) => {
            check_error(input, document, &e);
            None
        }
    }
}

/// Serializes `value` with `to_xml`, parses the document with `from_xml`
/// and asserts the same value comes back; a serializer error must be
/// `Unrepresentable` and only for a value holding such a character.
pub fn reserialize<T: PartialEq + std::fmt::Debug>(
    value: &T,
    strings: &[&str],
    to_xml: impl Fn(&T) -> Result<String, XmlError>,
    from_xml: impl Fn(&[u8]) -> Result<T, XmlError>,
) {
    match to_xml(value) {
        Ok(xml) => {
            assert!(
                strings.iter().all(|s| representable(s)),
                "to_xml accepted an unrepresentable value: {value:?}"
            );
            match from_xml(xml.as_bytes()) {
                Ok(back) => assert_eq!(&back, value, "round trip changed the value; xml: {xml}"),
                Err(e) => panic!("cannot parse our own document {xml:?}: {e}"),
            }
        }
        Err(e) => check_serializer_error(&e, strings),
    }
}

/// Checks a `to_xml` error: `Unrepresentable`, naming a character that one
/// of `strings` really holds.
pub fn check_serializer_error(e: &XmlError, strings: &[&str]) {
    match e {
        XmlError::Unrepresentable { character, .. } => {
            assert!(
                !representable(&character.to_string()),
                "Unrepresentable names a character XML can carry: {character:?}"
            );
            assert!(
                strings.iter().any(|s| s.contains(*character)),
                "Unrepresentable names a character not in the value: {character:?}"
            );
        }
        other => panic!("to_xml failed with something else than Unrepresentable: {other:?}"),
    }
}

/// Whether XML 1.0 can carry every character of `s` (as itself or as a
/// character reference).
pub fn representable(s: &str) -> bool {
    // XML 1.0 `Char`; Rust chars are never surrogates.
    s.chars()
        .all(|c| matches!(c, '\t' | '\n' | '\r' | ' '..='\u{fffd}' | '\u{10000}'..))
}

/// Total bytes of text a parsed value holds.
pub trait TextLen {
    /// Sum of the lengths of every string in `self`.
    fn text_len(&self) -> usize;
}

impl TextLen for String {
    fn text_len(&self) -> usize {
        self.len()
    }
}

impl<T: TextLen> TextLen for Option<T> {
    fn text_len(&self) -> usize {
        self.as_ref().map_or(0, TextLen::text_len)
    }
}

impl<T: TextLen> TextLen for Vec<T> {
    fn text_len(&self) -> usize {
        self.iter().map(TextLen::text_len).sum()
    }
}

impl<A: TextLen, B: TextLen> TextLen for (A, B) {
    fn text_len(&self) -> usize {
        self.0.text_len() + self.1.text_len()
    }
}

macro_rules! text_len {
    ($($ty:ty => [$($field:ident),* $(,)?]),* $(,)?) => {$(
        impl TextLen for $ty {
            fn text_len(&self) -> usize {
                0 $(+ self.$field.text_len())*
            }
        }
    )*};
}

text_len! {
    Owner => [id, display_name],
    ErrorDocument => [code, message, resource, request_id, host_id, bucket_name, key],
    LocationConstraint => [region],
    ListAllMyBucketsResult => [owner, buckets, continuation_token, prefix],
    BucketEntry => [name, creation_date, region],
    ListBucketResult => [name, prefix, delimiter, continuation_token, next_continuation_token,
        start_after, marker, next_marker, encoding_type, contents, common_prefixes],
    ObjectEntry => [key, last_modified, etag, storage_class, owner, user_metadata, user_tags],
    ListVersionsResult => [name, prefix, delimiter, key_marker, version_id_marker,
        next_key_marker, next_version_id_marker, encoding_type, entries, common_prefixes],
    VersionEntry => [key, version_id, last_modified, etag, storage_class, owner, user_metadata],
    InitiateMultipartUploadResult => [bucket, key, upload_id],
    CompleteMultipartUploadResult => [location, bucket, key, etag, checksum_crc32c,
        checksum_crc64nvme],
    CopyObjectResult => [etag, last_modified, checksum_crc32c, checksum_crc64nvme],
    CopyPartResult => [etag, last_modified, checksum_crc32c, checksum_crc64nvme],
    DeleteResult => [deleted, errors],
    Deleted => [key, version_id, delete_marker_version_id],
    DeleteErrorEntry => [key, version_id, code, message],
    ListMultipartUploadsResult => [bucket, key_marker, upload_id_marker, next_key_marker,
        next_upload_id_marker, prefix, delimiter, encoding_type, uploads, common_prefixes],
    UploadEntry => [key, upload_id, initiated, storage_class, owner, initiator],
    ListPartsResult => [bucket, key, upload_id, parts],
    PartEntry => [etag, last_modified, checksum_crc32c, checksum_crc64nvme],
    Tagging => [tags],
    Retention => [mode, retain_until_date],
    LegalHold => [status],
    VersioningConfiguration => [status, mfa_delete, excluded_prefixes],
}

#[cfg(test)]
mod tests {
    use super::representable;

    #[test]
    fn representable_chars() {
        assert!(representable("a\t\n\r é \u{7f} \u{85} \u{fffd} \u{10000}"));
        for bad in [
            "\0", "\u{1}", "\u{b}", "\u{c}", "\u{1f}", "\u{fffe}", "\u{ffff}",
        ] {
            assert!(!representable(bad), "{bad:?}");
        }
    }
}
