//! The fast path against the generic parser, sample by sample.
#![allow(clippy::unwrap_used)]
use super::*;
use crate::{Owner, XmlError, MAX_INPUT_LEN};

/// The fast path on `xml`, after checking the invariant: when it
/// handles the input, the generic parser returns the same value.
fn fast(xml: &str) -> Option<ListBucketResult> {
    let out = crate::ListBucketResult::parse_fast(xml.as_bytes());
    if let Some(v) = &out {
        assert_eq!(
            ListBucketResult::parse_generic(xml.as_bytes()).as_ref(),
            Ok(v),
            "{xml}"
        );
    }
    assert_eq!(
        ListBucketResult::from_xml(xml.as_bytes()),
        ListBucketResult::parse_generic(xml.as_bytes()),
        "{xml}"
    );
    out
}

fn fast_versions(xml: &str) -> Option<ListVersionsResult> {
    let out = crate::ListVersionsResult::parse_fast(xml.as_bytes());
    if let Some(v) = &out {
        assert_eq!(
            ListVersionsResult::parse_generic(xml.as_bytes()).as_ref(),
            Ok(v),
            "{xml}"
        );
    }
    out
}

/// A `<ListBucketResult>` around `body`.
fn doc(body: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ListBucketResult xmlns=\"{}\">\
         <Name>b</Name>{body}</ListBucketResult>",
        crate::S3_NAMESPACE
    )
}

/// A document with one `<Contents>` holding `fields`.
fn entry(fields: &str) -> String {
    doc(&format!("<Contents>{fields}</Contents>"))
}

const KEY: &str = "<Key>k</Key><Size>1</Size>";

#[test]
fn bytes_equal_flags_the_first_match_exactly() {
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    for _ in 0..100_000 {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        // Bytes drawn mostly from a few values, so that matches and
        // near-misses (b ± 1) are frequent.
        let bytes = state
            .to_le_bytes()
            .map(|b| b"<;=&%\r\x0c\x0e"[usize::from(b % 8)] ^ (b & 0x80));
        let word = u64::from_le_bytes(bytes);
        for b in [b'<', b'&', b'\r'] {
            let flags = bytes_equal(word, b);
            let first = bytes.iter().position(|&x| x == b);
            assert_eq!(flags == 0, first.is_none(), "{bytes:?} {b}");
            if let Some(i) = first {
                assert_eq!(flags.trailing_zeros() / 8, i as u32, "{bytes:?} {b}");
                assert_eq!(flags.trailing_zeros() % 8, 7);
            }
        }
    }
}

#[test]
fn benchmark_page_shape() {
    let mut body = String::from(
        "<Prefix>p/</Prefix><KeyCount>2</KeyCount><MaxKeys>1000</MaxKeys>\
         <IsTruncated>true</IsTruncated><ContinuationToken>1</ContinuationToken>\
         <NextContinuationToken>2</NextContinuationToken>",
    );
    for k in 0..2 {
        body.push_str(&format!(
            "<Contents><Key>p/{k:06}</Key><LastModified>2024-01-01T00:00:00.000Z</LastModified>\
             <ETag>&quot;0123456789abcdef0123456789abcdef&quot;</ETag><Size>4096</Size>\
             <StorageClass>STANDARD</StorageClass></Contents>"
        ));
    }
    let r = fast(&doc(&body)).unwrap();
    assert_eq!(r.name, "b");
    assert_eq!(r.prefix.as_deref(), Some("p/"));
    assert_eq!((r.key_count, r.max_keys), (Some(2), Some(1000)));
    assert!(r.is_truncated);
    assert_eq!(r.next_continuation_token.as_deref(), Some("2"));
    assert_eq!(r.contents.len(), 2);
    let e = &r.contents[1];
    assert_eq!(e.key, "p/000001");
    assert_eq!(e.etag, "\"0123456789abcdef0123456789abcdef\"");
    assert_eq!(e.size, 4096);
    assert_eq!(e.storage_class.as_deref(), Some("STANDARD"));
    assert_eq!(e.last_modified, "2024-01-01T00:00:00.000Z");
}

#[test]
fn entities_and_character_references() {
    let r = fast(&entry(
        "<Key>&lt;&gt;&amp;&apos;&quot; &#65;&#x42;&#x6a;&#x1F600;&#233; é</Key><Size>1</Size>",
    ))
    .unwrap();
    assert_eq!(r.contents[0].key, "<>&'\" ABj😀é é");
    // A reference to CR is kept as CR (only literal CRs are normalised).
    let r = fast(&entry("<Key>a&#13;b&#xD;&#10;</Key><Size>1</Size>")).unwrap();
    assert_eq!(r.contents[0].key, "a\rb\r\n");
}

#[test]
fn empty_elements_and_whitespace() {
    let xml = "<ListBucketResult>\n  <Name></Name>\n  <Prefix/>\n  <Delimiter>/</Delimiter>\r\n\
               \t<Contents>\n    <Key> k </Key>\n    <Size> 7 </Size>\n    <ETag/>\n  </Contents>\n\
               <IsTruncated> False </IsTruncated>\n</ListBucketResult>trailing <junk";
    let r = fast(xml).unwrap();
    assert_eq!(r.name, "");
    assert_eq!(r.prefix.as_deref(), Some(""));
    assert_eq!(r.contents[0].key, " k ");
    assert_eq!(r.contents[0].size, 7);
    assert_eq!(r.contents[0].etag, "");
    assert!(!r.is_truncated);
    // Root attributes of either kind of spacing.
    assert!(
        fast("<ListBucketResult  a=\"1\"\tb:c=\"x>y\" ><Name>b</Name></ListBucketResult>")
            .is_some()
    );
    // A declaration without encoding, or with UTF-8 in any case.
    assert!(
        fast("<?xml version='1.0'?><ListBucketResult><Name>b</Name></ListBucketResult>").is_some()
    );
    assert!(fast("<?xml version=\"1.0\" encoding='utf-8'?><ListBucketResult><Name>b</Name></ListBucketResult>").is_some());
}

#[test]
fn common_prefixes_owner_and_unknown_leaves() {
    let r = fast(&doc(
        "<CommonPrefixes><Prefix>a/</Prefix></CommonPrefixes><Unknown>x&amp;y</Unknown>\
         <CommonPrefixes><Other/><Prefix>b&amp;c/</Prefix><Prefix>d/</Prefix></CommonPrefixes>\
         <CommonPrefixes/><Contents><Key>k</Key><ChecksumAlgorithm>CRC32</ChecksumAlgorithm>\
         <Size>1</Size><Owner><ID>i</ID><Other>o</Other><DisplayName>n</DisplayName></Owner>\
         <UserTags>a=1&amp;b=2</UserTags></Contents><Contents><Key>l</Key><Size>2</Size><Owner/></Contents>",
    ))
    .unwrap();
    assert_eq!(r.common_prefixes, ["a/", "b&c/", "d/"]);
    let owner = r.contents[0].owner.as_ref().unwrap();
    assert_eq!(owner.id.as_deref(), Some("i"));
    assert_eq!(owner.display_name.as_deref(), Some("n"));
    assert_eq!(r.contents[0].user_tags.as_deref(), Some("a=1&b=2"));
    assert_eq!(r.contents[1].owner, Some(Owner::default()));
    // Repeated fields: the last one wins, as in the generic parser.
    let r = fast(&doc(
        "<Name>c</Name><Contents><Key>a</Key><Key>b</Key><Size>1</Size><Size>2</Size></Contents>",
    ))
    .unwrap();
    assert_eq!(
        (
            r.name.as_str(),
            r.contents[0].key.as_str(),
            r.contents[0].size
        ),
        ("c", "b", 2)
    );
}

#[test]
fn unusual_input_falls_back() {
    let cases = [
        entry("<Key><![CDATA[k]]></Key><Size>1</Size>"),
        entry("<Key>k<!-- c --></Key><Size>1</Size>"),
        entry("<Key>k</Key><!-- c --><Size>1</Size>"),
        entry("<Key>k<?pi x?></Key><Size>1</Size>"),
        entry("<Key>a\r\nb</Key><Size>1</Size>"),
        entry("<Key>a\rb</Key><Size>1</Size>"),
        entry(&format!("{KEY}<UserMetadata><X-Amz-Meta-A>1</X-Amz-Meta-A></UserMetadata>")),
        entry(&format!("{KEY}<Owner><ID>i</ID><Nested><X/></Nested></Owner>")),
        entry(&format!("{KEY}<RestoreStatus><IsRestoreInProgress>false</IsRestoreInProgress></RestoreStatus>")),
        entry("<Key a=\"1\">k</Key><Size>1</Size>"),
        entry("<Key >k</Key><Size>1</Size>"),
        entry("<Key>k</Key ><Size>1</Size>"),
        entry("<s3:Key>k</s3:Key><Size>1</Size>"),
        entry("<Key>k</Key>text<Size>1</Size>"),
        entry("<Key />k<Size>1</Size>"),
        doc("<Prefix>a</Prefix >"),
        "<s3:ListBucketResult xmlns:s3=\"x\"><s3:Name>b</s3:Name></s3:ListBucketResult>".to_owned(),
        "\u{feff}<ListBucketResult><Name>b</Name></ListBucketResult>".to_owned(),
        " <?xml version=\"1.0\"?><ListBucketResult><Name>b</Name></ListBucketResult>".to_owned(),
        "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><ListBucketResult><Name>b</Name></ListBucketResult>".to_owned(),
        "<!-- c --><ListBucketResult><Name>b</Name></ListBucketResult>".to_owned(),
        "<ListBucketResult a=1><Name>b</Name></ListBucketResult>".to_owned(),
        "<ListBucketResult a=\"1\"b=\"2\"><Name>b</Name></ListBucketResult>".to_owned(),
        "<ListBucketResult a='1'><Name>b</Name></ListBucketResult>".to_owned(),
        // Nested deeper than the fast path goes (the generic parser
        // skips it).
        doc("<Unknown><A><B>x</B></A></Unknown>"),
    ];
    for xml in &cases {
        assert_eq!(fast(xml), None, "{xml}");
        assert!(ListBucketResult::from_xml(xml.as_bytes()).is_ok(), "{xml}");
    }
}

#[test]
fn errors_stay_with_the_generic_parser() {
    let cases = [
        (
            "<!DOCTYPE x><ListBucketResult><Name>b</Name></ListBucketResult>".to_owned(),
            "doctype",
        ),
        (doc("<!DOCTYPE x>"), "doctype"),
        (entry("<Key>&xxe;</Key><Size>1</Size>"), "entity"),
        (entry("<Key>&#0;</Key><Size>1</Size>"), "nul"),
        (entry("<Key>&#xD800;</Key><Size>1</Size>"), "surrogate"),
        (entry("<Key>&#X41;</Key><Size>1</Size>"), "upper X"),
        (entry("<Key>&#+65;</Key><Size>1</Size>"), "sign"),
        (entry("<Key>&#;</Key><Size>1</Size>"), "empty ref"),
        (entry("<Key>&#x110000;</Key><Size>1</Size>"), "out of range"),
        (entry("<Key>&#99999999999;</Key><Size>1</Size>"), "overflow"),
        (entry("<Key>a & b</Key><Size>1</Size>"), "bare &"),
        (entry("<Key>a &amp b;</Key><Size>1</Size>"), "unclosed ref"),
        (entry("<Key>k</Key><Size>-1</Size>"), "negative"),
        (
            entry("<Key>k</Key><Size>18446744073709551616</Size>"),
            "too big",
        ),
        (entry("<Key>k</Key><Size/>"), "empty size"),
        (entry("<Size>1</Size>"), "no key"),
        (entry("<Key>k</Key>"), "no size"),
        (doc("<Contents/>"), "empty entry"),
        (doc("<IsTruncated>yes</IsTruncated>"), "bool"),
        (doc("<MaxKeys>1e3</MaxKeys>"), "number"),
        (entry("<Key>k</Kez><Size>1</Size>"), "mismatched"),
        (entry("<Key/ ><Size>1</Size>"), "space after slash"),
        (
            entry(&format!("{KEY}<Owner><ID><X/></ID></Owner>")),
            "element in text",
        ),
        (
            "<ListBucketResult><Name>b</Name></ListBucketResultX>".to_owned(),
            "mismatched root",
        ),
        (
            "<ListBucketResult><Prefix>b</Prefix></ListBucketResult>".to_owned(),
            "no name",
        ),
        ("<ListBucketResult/>".to_owned(), "empty root"),
        ("<ListBucketResult xmlns=\"x\"/>".to_owned(), "empty root"),
        (
            "<ListVersionsResult><Name>b</Name></ListVersionsResult>".to_owned(),
            "root",
        ),
        (doc("<Contents><Key>k</Key><Size>1</Size>"), "truncated"),
        ("<ListBucketResult><Name>b</Name>".to_owned(), "truncated"),
    ];
    for (xml, what) in &cases {
        assert_eq!(fast(xml), None, "{what}: {xml}");
        assert!(
            ListBucketResult::from_xml(xml.as_bytes()).is_err(),
            "{what}: {xml}"
        );
    }
    // Not UTF-8.
    let mut bad = entry("<Key>k</Key><Size>1</Size>").into_bytes();
    let at = bad.windows(3).position(|w| w == b">k<").unwrap() + 1;
    bad[at] = 0xff;
    assert_eq!(crate::ListBucketResult::parse_fast(&bad), None);
    assert!(ListBucketResult::from_xml(&bad).is_err());
    // Over the size cap, even though well formed.
    let mut big = doc("<Unknown>").into_bytes();
    let tail = b"</Unknown></ListBucketResult>";
    big.truncate(big.len() - b"</ListBucketResult>".len());
    big.resize(MAX_INPUT_LEN + 1 - tail.len(), b'x');
    big.extend_from_slice(tail);
    assert_eq!(crate::ListBucketResult::parse_fast(&big), None);
    assert!(matches!(
        ListBucketResult::from_xml(&big),
        Err(XmlError::TooLarge { .. })
    ));
}

#[test]
fn version_listing() {
    let xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ListVersionsResult xmlns=\"x\">\
        <Name>b</Name><KeyMarker/><NextKeyMarker>k2</NextKeyMarker><IsTruncated>true</IsTruncated>\
        <Version><Key>k</Key><VersionId>v1</VersionId><IsLatest>true</IsLatest>\
        <ETag>&quot;e&quot;</ETag><Size>3</Size><Owner><ID>i</ID></Owner></Version>\
        <DeleteMarker><Key>k2</Key><VersionId>v2</VersionId><IsLatest>false</IsLatest></DeleteMarker>\
        <CommonPrefixes><Prefix>d/</Prefix></CommonPrefixes></ListVersionsResult>";
    let r = fast_versions(xml).unwrap();
    assert_eq!(r.entries.len(), 2);
    assert_eq!(r.entries[0].etag.as_deref(), Some("\"e\""));
    assert!(r.entries[1].is_delete_marker);
    assert_eq!(r.entries[1].size, 0);
    assert_eq!(r.key_marker.as_deref(), Some(""));
    assert_eq!(r.common_prefixes, ["d/"]);
    // A version without a size is the generic parser's error.
    let bad = xml.replace("<Size>3</Size>", "");
    assert_eq!(fast_versions(&bad), None);
    assert!(ListVersionsResult::from_xml(bad.as_bytes()).is_err());
    let meta = xml.replace("<Size>3</Size>", "<Size>3</Size><UserMetadata/>");
    assert_eq!(fast_versions(&meta), None);
    assert!(ListVersionsResult::from_xml(meta.as_bytes()).is_ok());
}

#[test]
fn entries_borrow_the_document_where_they_can() {
    use std::borrow::Cow;
    let xml = "<ListBucketResult><Name>b</Name><Contents><Key>a&amp;b</Key>\
        <LastModified>2024-01-01T00:00:00Z</LastModified><ETag>\"e\"</ETag><Size>1</Size>\
        </Contents></ListBucketResult>";
    let shapes = |e: crate::ObjectEntryRef<'_>| {
        (
            matches!(e.key, Cow::Owned(_)),
            matches!(e.last_modified, Cow::Borrowed(_)),
            matches!(e.etag, Cow::Borrowed(_)),
            e.key.into_owned(),
        )
    };
    let r = crate::ListBucketResult::from_xml_with(xml.as_bytes(), shapes).unwrap();
    assert_eq!(r.contents, [(true, true, true, "a&b".to_owned())]);
    // A shape the fast path leaves to the generic parser (MinIO's
    // <UserMetadata>): the same entries, built from owned texts.
    let xml = xml.replace("<Size>1</Size>", "<Size>1</Size><UserMetadata/>");
    let r = crate::ListBucketResult::from_xml_with(xml.as_bytes(), shapes).unwrap();
    assert_eq!(r.contents, [(true, false, false, "a&b".to_owned())]);
}
