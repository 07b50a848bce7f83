//! One listing page, parsed, turned into [`Object`]s: keys decoded when
//! the server URL-encoded them, entries and common prefixes merged in key
//! order, ETags without quotes, MinIO's user metadata and tags sorted out.

use std::borrow::Cow;
use std::cmp::Ordering;
use std::collections::BTreeMap;
use std::sync::Arc;

use http::{HeaderMap, HeaderName, HeaderValue};
use newtera_xml::{
    ListBucketResult, ListVersionsResult, ObjectEntryRef, Owner, VersionEntryRef, XmlError,
};
use percent_encoding::percent_decode_str;

use crate::error::{Error, Result};
use crate::time;
use crate::types::Object;

pub(super) fn non_empty(s: Option<String>) -> Option<String> {
    s.filter(|s| !s.is_empty())
}

/// True when the server says it URL-encoded the keys of its answer.
pub(super) fn is_url_encoded(encoding_type: Option<&str>) -> bool {
    encoding_type.is_some_and(|e| e.trim().eq_ignore_ascii_case("url"))
}

/// Decodes a key, prefix or marker the server URL-encoded
/// (`encoding-type=url`): `+` is a space and `%XX` a byte, as in a URL query.
/// Decoded bytes that are not UTF-8 are an error: S3 keys are UTF-8.
pub(crate) fn url_decode(s: &str) -> Result<String> {
    if !s.bytes().any(|b| b == b'%' || b == b'+') {
        return Ok(s.to_owned());
    }
    let plus_as_space;
    let s = if s.contains('+') {
        plus_as_space = s.replace('+', " ");
        plus_as_space.as_str()
    } else {
        s
    };
    percent_decode_str(s)
        .decode_utf8()
        .map(|c| c.into_owned())
        .map_err(|_| Error::UnexpectedResponse {
            op: "list_objects",
            reason: format!("URL-encoded key {s:?} does not decode to UTF-8"),
        })
}

/// Decodes `s` when the server URL-encoded it; returns `s` itself (no
/// copy) when there is nothing to decode.
fn maybe_decode(s: String, decode: bool) -> Result<String> {
    if decode && s.bytes().any(|b| b == b'%' || b == b'+') {
        url_decode(&s)
    } else {
        Ok(s)
    }
}

/// Parses a ListObjects(V2) page, building each entry's [`Object`] as it is
/// read (keys still as sent: [`bucket_page`] decodes them).
pub(super) fn bucket_doc(
    bucket: &Arc<str>,
    xml: &[u8],
) -> std::result::Result<ListBucketResult<Object>, XmlError> {
    ListBucketResult::from_xml_with(xml, |e| object_from_entry(bucket, e))
}

/// Parses a ListObjectVersions page, as [`bucket_doc`] does.
pub(super) fn versions_doc(
    bucket: &Arc<str>,
    xml: &[u8],
) -> std::result::Result<ListVersionsResult<Object>, XmlError> {
    ListVersionsResult::from_xml_with(xml, |e| object_from_version(bucket, e))
}

/// Turns a parsed ListObjects(V2) page into the page's objects (entries and
/// common prefixes merged in key order), and says where a v1 listing goes
/// on: `NextMarker`, or, when the server left it out, the last key or
/// prefix of the page.
pub(super) fn bucket_page(
    bucket: &Arc<str>,
    doc: ListBucketResult<Object>,
    decode: bool,
) -> Result<(Vec<Object>, Option<String>)> {
    let mut entries = doc.contents;
    if decode {
        decode_names(&mut entries)?;
    }
    let prefixes = prefix_objects(bucket, doc.common_prefixes, decode)?;
    let objects = merge_sorted(entries, prefixes);
    let next_marker = match non_empty(doc.next_marker) {
        Some(m) => Some(maybe_decode(m, decode)?),
        None => last_name(&objects),
    };
    Ok((objects, next_marker))
}

/// Decodes the names of entries the server URL-encoded, in place.
fn decode_names(objects: &mut [Object]) -> Result<()> {
    for o in objects {
        if o.object_name.bytes().any(|b| b == b'%' || b == b'+') {
            o.object_name = url_decode(&o.object_name)?;
            o.is_dir = o.object_name.ends_with('/');
        }
    }
    Ok(())
}

/// The fallback v1 marker: the greatest name of the page.
fn last_name(objects: &[Object]) -> Option<String> {
    objects
        .iter()
        .map(|o| o.object_name.as_str())
        .max()
        .map(str::to_owned)
}

/// Turns a parsed ListObjectVersions page into objects, and says where the
/// listing goes on (next key marker and version id marker).
#[allow(clippy::type_complexity)]
pub(super) fn versions_page(
    bucket: &Arc<str>,
    doc: ListVersionsResult<Object>,
    decode: bool,
) -> Result<(Vec<Object>, Option<(String, Option<String>)>)> {
    let mut entries = doc.entries;
    if decode {
        decode_names(&mut entries)?;
    }
    let prefixes = prefix_objects(bucket, doc.common_prefixes, decode)?;
    let objects = merge_sorted(entries, prefixes);
    let next = match non_empty(doc.next_key_marker) {
        Some(k) => Some((
            maybe_decode(k, decode)?,
            non_empty(doc.next_version_id_marker),
        )),
        None => None,
    };
    Ok((objects, next))
}

fn prefix_objects(bucket: &Arc<str>, prefixes: Vec<String>, decode: bool) -> Result<Vec<Object>> {
    prefixes
        .into_iter()
        .map(|p| {
            Ok(Object {
                bucket_name: Arc::clone(bucket),
                object_name: maybe_decode(p, decode)?,
                is_dir: true,
                ..Object::default()
            })
        })
        .collect()
}

/// Merges two lists each sorted by name (S3 sorts by UTF-8 bytes) into one;
/// entries of equal name keep their order (versions of one key stay together,
/// newest first).
fn merge_sorted(entries: Vec<Object>, prefixes: Vec<Object>) -> Vec<Object> {
    if prefixes.is_empty() {
        return entries;
    }
    if entries.is_empty() {
        return prefixes;
    }
    let mut out = Vec::with_capacity(entries.len() + prefixes.len());
    let mut a = entries.into_iter().peekable();
    let mut b = prefixes.into_iter().peekable();
    loop {
        let take_b = match (a.peek(), b.peek()) {
            (Some(x), Some(y)) => y.object_name.cmp(&x.object_name) == Ordering::Less,
            (Some(_), None) => false,
            (None, Some(_)) => true,
            (None, None) => break,
        };
        let next = if take_b { b.next() } else { a.next() };
        out.extend(next);
    }
    out
}

/// The object of one `<Contents>` entry: each text the object keeps copied
/// once, the timestamp parsed where it lies.
fn object_from_entry(bucket: &Arc<str>, e: ObjectEntryRef<'_>) -> Object {
    let object_name = e.key.into_owned();
    let mut obj = Object {
        bucket_name: Arc::clone(bucket),
        is_dir: object_name.ends_with('/'),
        object_name,
        last_modified: time::parse_iso8601(&e.last_modified),
        etag: etag(e.etag),
        size: Some(e.size),
        storage_class: owned_non_empty(e.storage_class),
        ..Object::default()
    };
    set_owner(&mut obj, e.owner);
    set_user_metadata(&mut obj, e.user_metadata);
    if let Some(tags) = e.user_tags {
        obj.user_tags = parse_user_tags(&tags);
    }
    obj
}

/// The object of one `<Version>` or `<DeleteMarker>`.
fn object_from_version(bucket: &Arc<str>, e: VersionEntryRef<'_>) -> Object {
    let object_name = e.key.into_owned();
    let mut obj = Object {
        bucket_name: Arc::clone(bucket),
        is_dir: object_name.ends_with('/'),
        object_name,
        last_modified: time::parse_iso8601(&e.last_modified),
        etag: e.etag.and_then(etag),
        size: (!e.is_delete_marker).then_some(e.size),
        storage_class: owned_non_empty(e.storage_class),
        version_id: owned_non_empty(Some(e.version_id)),
        is_latest: Some(e.is_latest),
        is_delete_marker: e.is_delete_marker,
        ..Object::default()
    };
    set_owner(&mut obj, e.owner);
    set_user_metadata(&mut obj, e.user_metadata);
    obj
}

fn owned_non_empty(s: Option<Cow<'_, str>>) -> Option<String> {
    s.filter(|s| !s.is_empty()).map(Cow::into_owned)
}

/// MinIO's `<UserTags>` (listed with `metadata=true`): the object's tags
/// as a URL query string, `k1=v1&k2=v2`, form-decoded.
fn parse_user_tags(query: &str) -> BTreeMap<String, String> {
    form_urlencoded::parse(query.trim().as_bytes())
        .filter(|(k, _)| !k.is_empty())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

/// The entity tag without its quotes (and surrounding whitespace); `None`
/// when empty. This runs once per listed object: a borrowed text is copied
/// once, an owned one (entities resolved) stripped in place.
fn etag(s: Cow<'_, str>) -> Option<String> {
    let inner = etag_text(&s);
    if inner.is_empty() {
        return None;
    }
    // Where the tag lies in the text (a subslice of it).
    let start = inner.as_ptr() as usize - s.as_ptr() as usize;
    let end = start + inner.len();
    match s {
        Cow::Borrowed(s) => s.get(start..end).map(str::to_owned),
        Cow::Owned(mut s) => {
            s.truncate(end);
            s.drain(..start);
            Some(s)
        }
    }
}

/// The part of an entity tag inside its quotes and whitespace.
fn etag_text(s: &str) -> &str {
    // The usual form, `"…"` with nothing around the quotes and no second
    // quote inside next to them: byte tests instead of Unicode trims.
    if let [b'"', inner @ .., b'"'] = s.as_bytes() {
        let plain = |b: Option<&u8>| b.is_some_and(|&b| b != b'"');
        if plain(inner.first()) && plain(inner.last()) {
            // Both quotes are ASCII, so the slice is on char boundaries.
            return s.get(1..s.len() - 1).unwrap_or_default();
        }
    }
    s.trim().trim_matches('"')
}

fn set_owner(obj: &mut Object, owner: Option<Owner>) {
    if let Some(o) = owner {
        obj.owner_id = non_empty(o.id);
        obj.owner_name = non_empty(o.display_name);
    }
}

/// Sorts MinIO's `<UserMetadata>` pairs: `X-Amz-Meta-*` go to
/// `user_metadata` (lowercase key, prefix removed), `Content-Type` to
/// `content_type`, and every pair that makes a valid header to `metadata`.
fn set_user_metadata(obj: &mut Object, pairs: Vec<(String, String)>) {
    if pairs.is_empty() {
        return;
    }
    let mut user = BTreeMap::new();
    let mut headers = HeaderMap::new();
    for (name, value) in pairs {
        let lower = name.to_ascii_lowercase();
        if let (Ok(n), Ok(v)) = (
            HeaderName::from_bytes(lower.as_bytes()),
            HeaderValue::from_str(&value),
        ) {
            headers.append(n, v);
        }
        if let Some(key) = lower.strip_prefix("x-amz-meta-") {
            user.insert(key.to_owned(), value);
        } else if lower == "content-type" {
            obj.content_type = Some(value);
        }
    }
    obj.user_metadata = user;
    obj.metadata = headers;
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn url_decoding() {
        assert_eq!(url_decode("plain/key.txt").unwrap(), "plain/key.txt");
        assert_eq!(url_decode("a%20b").unwrap(), "a b");
        assert_eq!(url_decode("a+b").unwrap(), "a b");
        assert_eq!(url_decode("a%2Bb").unwrap(), "a+b");
        assert_eq!(url_decode("100%25").unwrap(), "100%");
        assert_eq!(url_decode("%25%32%30").unwrap(), "%20");
        assert_eq!(url_decode("caf%C3%A9/%E2%82%AC").unwrap(), "café/€");
        assert_eq!(url_decode("café").unwrap(), "café");
        assert_eq!(url_decode("a%2Fb%3Fc%26d").unwrap(), "a/b?c&d");
        assert!(url_decode("%FF%FE").is_err());
    }

    #[test]
    fn encoding_type_detection() {
        assert!(is_url_encoded(Some("url")));
        assert!(is_url_encoded(Some("URL")));
        assert!(!is_url_encoded(None));
        assert!(!is_url_encoded(Some("")));
    }

    const V1_PAGE: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <Name>b</Name><Prefix></Prefix><Marker></Marker><MaxKeys>3</MaxKeys>
  <EncodingType>url</EncodingType><IsTruncated>true</IsTruncated>
  <Contents><Key>a+b</Key><LastModified>2009-10-12T17:50:30.000Z</LastModified>
    <ETag>&quot;abc&quot;</ETag><Size>5</Size><StorageClass>STANDARD</StorageClass>
    <Owner><ID>id1</ID><DisplayName>me</DisplayName></Owner></Contents>
  <Contents><Key>c%25d</Key><LastModified>2009-10-12T17:50:30.000Z</LastModified>
    <ETag>"def"</ETag><Size>7</Size></Contents>
  <Contents><Key>z%C3%BC</Key><LastModified>2009-10-12T17:50:30.000Z</LastModified>
    <ETag>"def"</ETag><Size>7</Size></Contents>
</ListBucketResult>"#;

    #[test]
    fn v1_marker_falls_back_to_last_key() {
        let doc = bucket_doc(&"b".into(), V1_PAGE.as_bytes()).unwrap();
        let (objects, next) = bucket_page(&"b".into(), doc, true).unwrap();
        let names: Vec<_> = objects.iter().map(|o| o.object_name.as_str()).collect();
        assert_eq!(names, ["a b", "c%d", "zü"]);
        assert_eq!(next.as_deref(), Some("zü"));
        let first = &objects[0];
        assert_eq!(first.etag.as_deref(), Some("abc"));
        assert_eq!(first.size, Some(5));
        assert_eq!(first.owner_id.as_deref(), Some("id1"));
        assert_eq!(first.owner_name.as_deref(), Some("me"));
        assert_eq!(first.storage_class.as_deref(), Some("STANDARD"));
        assert!(first.last_modified.is_some());
        assert!(!first.is_dir);
        assert_eq!(&*first.bucket_name, "b");
    }

    #[test]
    fn v1_marker_prefers_next_marker_and_covers_prefixes() {
        let xml = r#"<ListBucketResult><Name>b</Name><IsTruncated>true</IsTruncated>
          <NextMarker>p%2Fq%20r</NextMarker><EncodingType>url</EncodingType>
          <Contents><Key>a</Key><Size>1</Size></Contents>
          <CommonPrefixes><Prefix>b/</Prefix></CommonPrefixes></ListBucketResult>"#;
        let doc = bucket_doc(&"b".into(), xml.as_bytes()).unwrap();
        let (_, next) = bucket_page(&"b".into(), doc, true).unwrap();
        assert_eq!(next.as_deref(), Some("p/q r"));

        // No NextMarker: the greatest of the last key and the last prefix.
        let xml = r#"<ListBucketResult><Name>b</Name><IsTruncated>true</IsTruncated>
          <Contents><Key>a</Key><Size>1</Size></Contents>
          <CommonPrefixes><Prefix>d%20/</Prefix></CommonPrefixes>
          <Contents><Key>c</Key><Size>1</Size></Contents></ListBucketResult>"#;
        let doc = bucket_doc(&"b".into(), xml.as_bytes()).unwrap();
        let (objects, next) = bucket_page(&"b".into(), doc, false).unwrap();
        assert_eq!(next.as_deref(), Some("d%20/"));
        let names: Vec<_> = objects
            .iter()
            .map(|o| (o.object_name.as_str(), o.is_dir))
            .collect();
        assert_eq!(names, [("a", false), ("c", false), ("d%20/", true)]);

        let xml =
            r#"<ListBucketResult><Name>b</Name><IsTruncated>true</IsTruncated></ListBucketResult>"#;
        let doc = bucket_doc(&"b".into(), xml.as_bytes()).unwrap();
        assert_eq!(bucket_page(&"b".into(), doc, false).unwrap().1, None);
    }

    #[test]
    fn no_decoding_without_encoding_type() {
        // The caller decides from the response's EncodingType.
        let xml = r#"<ListBucketResult><Name>b</Name>
          <Contents><Key>a%20b+c</Key><Size>1</Size></Contents></ListBucketResult>"#;
        let doc = bucket_doc(&"b".into(), xml.as_bytes()).unwrap();
        let decode = is_url_encoded(doc.encoding_type.as_deref());
        let (objects, _) = bucket_page(&"b".into(), doc, decode).unwrap();
        assert_eq!(objects[0].object_name, "a%20b+c");
    }

    #[test]
    fn versions_and_delete_markers() {
        let xml = r#"<ListVersionsResult><Name>b</Name><EncodingType>url</EncodingType>
          <IsTruncated>true</IsTruncated><NextKeyMarker>k%20y</NextKeyMarker>
          <NextVersionIdMarker>v2</NextVersionIdMarker>
          <DeleteMarker><Key>k%20y</Key><VersionId>v3</VersionId><IsLatest>true</IsLatest>
            <LastModified>2009-10-12T17:50:30.000Z</LastModified></DeleteMarker>
          <Version><Key>k%20y</Key><VersionId>v2</VersionId><IsLatest>false</IsLatest>
            <ETag>"e"</ETag><Size>3</Size></Version>
          <CommonPrefixes><Prefix>a/</Prefix></CommonPrefixes>
        </ListVersionsResult>"#;
        let doc = versions_doc(&"b".into(), xml.as_bytes()).unwrap();
        let (objects, next) = versions_page(&"b".into(), doc, true).unwrap();
        assert_eq!(next, Some(("k y".to_owned(), Some("v2".to_owned()))));
        assert_eq!(objects.len(), 3);
        assert!(objects[0].is_dir);
        assert_eq!(objects[0].object_name, "a/");
        let dm = &objects[1];
        assert_eq!(dm.object_name, "k y");
        assert!(dm.is_delete_marker);
        assert_eq!(dm.is_latest, Some(true));
        assert_eq!(dm.version_id.as_deref(), Some("v3"));
        assert_eq!(dm.size, None);
        assert_eq!(dm.etag, None);
        let v = &objects[2];
        assert!(!v.is_delete_marker);
        assert_eq!(v.is_latest, Some(false));
        assert_eq!(v.version_id.as_deref(), Some("v2"));
        assert_eq!(v.etag.as_deref(), Some("e"));
        assert_eq!(v.size, Some(3));
    }

    #[test]
    fn user_metadata_is_sorted_out() {
        let xml = r#"<ListBucketResult><Name>b</Name>
          <Contents><Key>k</Key><Size>1</Size><UserMetadata>
            <X-Amz-Meta-My-Project>one</X-Amz-Meta-My-Project>
            <content-type>text/csv</content-type>
          </UserMetadata></Contents></ListBucketResult>"#;
        let doc = bucket_doc(&"b".into(), xml.as_bytes()).unwrap();
        let (objects, _) = bucket_page(&"b".into(), doc, false).unwrap();
        let o = &objects[0];
        assert_eq!(
            o.user_metadata.get("my-project").map(String::as_str),
            Some("one")
        );
        assert_eq!(o.user_metadata.len(), 1);
        assert_eq!(o.content_type.as_deref(), Some("text/csv"));
        assert_eq!(
            o.metadata
                .get("x-amz-meta-my-project")
                .and_then(|v| v.to_str().ok()),
            Some("one")
        );
    }

    #[test]
    fn user_tags_and_directory_keys() {
        let xml = r#"<ListBucketResult><Name>b</Name><EncodingType>url</EncodingType>
          <Contents><Key>k</Key><Size>1</Size>
            <UserTags>project=one&amp;team=a%20b&amp;empty=</UserTags></Contents>
          <Contents><Key>dir%2F</Key><Size>0</Size></Contents></ListBucketResult>"#;
        let doc = bucket_doc(&"b".into(), xml.as_bytes()).unwrap();
        let (objects, _) = bucket_page(&"b".into(), doc, true).unwrap();
        let tags: Vec<_> = objects[0]
            .user_tags
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        assert_eq!(tags, [("empty", ""), ("project", "one"), ("team", "a b")]);
        assert!(!objects[0].is_dir);
        // A key ending in `/` is a directory, as in the reference SDK, even
        // when it is an object and not a common prefix.
        assert_eq!(objects[1].object_name, "dir/");
        assert!(objects[1].is_dir);
        assert!(objects[1].user_tags.is_empty());
    }

    #[test]
    fn merge_keeps_key_order() {
        let obj = |n: &str, dir: bool| Object {
            object_name: n.to_owned(),
            is_dir: dir,
            ..Object::default()
        };
        let merged = merge_sorted(
            vec![
                obj("a", false),
                obj("c", false),
                obj("c", false),
                obj("e", false),
            ],
            vec![obj("b/", true), obj("d/", true), obj("f/", true)],
        );
        let names: Vec<_> = merged.iter().map(|o| o.object_name.as_str()).collect();
        assert_eq!(names, ["a", "b/", "c", "c", "d/", "e", "f/"]);
    }

    #[test]
    fn etags_lose_quotes() {
        // Borrowed and owned texts give the same tag.
        let etag = |s: &str| {
            let borrowed = etag(Cow::Borrowed(s));
            assert_eq!(etag(Cow::Owned(s.to_owned())), borrowed, "{s:?}");
            borrowed
        };
        assert_eq!(etag("\"abc\"").as_deref(), Some("abc"));
        assert_eq!(etag("abc-2").as_deref(), Some("abc-2"));
        assert_eq!(etag(" \"abc-2\"\n").as_deref(), Some("abc-2"));
        assert_eq!(etag("\" a b \"").as_deref(), Some(" a b "));
        assert_eq!(etag("\"\"abc").as_deref(), Some("abc"));
        assert_eq!(etag("\"é\"").as_deref(), Some("é"));
        assert_eq!(etag(""), None);
        assert_eq!(etag(" \"\" "), None);
        assert_eq!(etag("\"a\"").as_deref(), Some("a"));
        assert_eq!(etag("\"\"\""), None);
        assert_eq!(etag("\"\"ab\"\"").as_deref(), Some("ab"));
        assert_eq!(etag("\"\u{a0}x\u{a0}\"").as_deref(), Some("\u{a0}x\u{a0}"));
        // The quick form agrees with the general trim everywhere.
        for s in [
            "\"x\"", "\"\"", "\"", "\" \"", "\"ab\"\"", "\"\"ab\"", "\"€\"", "\"a b\"",
        ] {
            let general = s.trim().trim_matches('"');
            assert_eq!(
                etag(s).as_deref(),
                (!general.is_empty()).then_some(general),
                "{s:?}"
            );
        }
    }
}
