//! Hostile input: truncation at every byte, garbage, deep nesting, DTDs,
//! bad numbers, missing fields. Every parser must return an `XmlError`,
//! never panic.
#![allow(clippy::unwrap_used)] // tests may panic on purpose

mod common;

use common::*;
use newtera_xml::*;

type ParseFn = fn(&[u8]) -> Result<(), XmlError>;

fn parsers() -> Vec<(&'static str, &'static str, ParseFn)> {
    vec![
        ("Error", ERROR, |b| parse_error(b).map(drop)),
        ("ListAllMyBucketsResult", LIST_BUCKETS, |b| {
            ListAllMyBucketsResult::from_xml(b).map(drop)
        }),
        ("ListBucketResult", LIST_V2, |b| {
            ListBucketResult::from_xml(b).map(drop)
        }),
        ("ListBucketResult", LIST_V1, |b| {
            ListBucketResult::from_xml(b).map(drop)
        }),
        ("ListVersionsResult", LIST_VERSIONS, |b| {
            ListVersionsResult::from_xml(b).map(drop)
        }),
        ("InitiateMultipartUploadResult", INITIATE, |b| {
            InitiateMultipartUploadResult::from_xml(b).map(drop)
        }),
        ("CompleteMultipartUploadResult", COMPLETE_RESULT, |b| {
            CompleteMultipartUploadResult::from_xml(b).map(drop)
        }),
        ("CopyObjectResult", COPY_OBJECT_RESULT, |b| {
            CopyObjectResult::from_xml(b).map(drop)
        }),
        ("CopyPartResult", COPY_PART_RESULT, |b| {
            CopyPartResult::from_xml(b).map(drop)
        }),
        ("DeleteResult", DELETE_RESULT, |b| {
            DeleteResult::from_xml(b).map(drop)
        }),
        ("Tagging", TAGGING, |b| Tagging::from_xml(b).map(drop)),
        ("Retention", RETENTION, |b| Retention::from_xml(b).map(drop)),
        ("LegalHold", LEGAL_HOLD, |b| {
            LegalHold::from_xml(b).map(drop)
        }),
        ("VersioningConfiguration", VERSIONING, |b| {
            VersioningConfiguration::from_xml(b).map(drop)
        }),
        ("LocationConstraint", LOCATION, |b| {
            parse_location_constraint(b).map(drop)
        }),
        ("ListMultipartUploadsResult", LIST_UPLOADS, |b| {
            ListMultipartUploadsResult::from_xml(b).map(drop)
        }),
        ("ListPartsResult", LIST_PARTS, |b| {
            ListPartsResult::from_xml(b).map(drop)
        }),
    ]
}

#[test]
fn every_sample_parses() {
    for (doc, sample, parse) in parsers() {
        parse(sample.as_bytes()).unwrap_or_else(|e| panic!("{doc}: {e}"));
    }
}

#[test]
fn truncated_at_every_offset() {
    for (doc, sample, parse) in parsers() {
        let bytes = sample.as_bytes();
        let root_end = sample.rfind("</").unwrap();
        for cut in 0..bytes.len() {
            let r = parse(&bytes[..cut]);
            // Cut before the root closes: must be an error, and a typed one.
            if cut <= root_end {
                let e = r.expect_err(&format!("{doc} cut at {cut} parsed"));
                assert_eq!(e.document(), doc);
                assert!(e.to_string().len() < 400, "{doc}: error too long: {e}");
            }
            let _ = is_error_document(&bytes[..cut]);
        }
    }
}

#[test]
fn garbage_and_binary() {
    let mut inputs: Vec<Vec<u8>> = vec![
        vec![],
        b" ".to_vec(),
        b"not xml at all".to_vec(),
        vec![0xff, 0xfe, 0x00, 0x3c],
        b"<".to_vec(),
        b"<>".to_vec(),
        b"</Error>".to_vec(),
        b"<Error><Code>x</Cod></Error>".to_vec(),
        b"<Error><Code>\xff\xfe</Code></Error>".to_vec(),
        b"<Error><Code>&unknown;</Code></Error>".to_vec(),
        b"<Error><Code>&#0;</Code></Error>".to_vec(),
        b"<Error><Code>&#xFFFFFFFF;</Code></Error>".to_vec(),
        b"<Error><Code>&#xD800;</Code></Error>".to_vec(),
        b"<Error><Code>&</Code></Error>".to_vec(),
        b"<Error><Code><![CDATA[x</Code></Error>".to_vec(),
        b"<Error a=\"1 b=2><Code>x</Code></Error>".to_vec(),
        b"<Error><Code><Nested/>x</Code></Error>".to_vec(),
        b"<?xml version=\"1.0\"?><!-- unterminated".to_vec(),
        b"text<Error><Code>x</Code></Error>".to_vec(),
    ];
    // Deterministic pseudo-random bytes, and samples with bytes flipped.
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for len in [1usize, 7, 64, 1000] {
        inputs.push((0..len).map(|_| next() as u8).collect());
    }
    for (_, sample, _) in parsers() {
        for _ in 0..40 {
            let mut b = sample.as_bytes().to_vec();
            let i = (next() as usize) % b.len();
            b[i] = next() as u8;
            inputs.push(b);
        }
    }
    for input in &inputs {
        for (_, _, parse) in parsers() {
            let _ = parse(input);
        }
        let _ = is_error_document(input);
    }
    // Those that are not documents at all fail.
    for input in &inputs[..19] {
        assert!(
            parse_error(input).is_err(),
            "{:?}",
            String::from_utf8_lossy(input)
        );
    }
}

#[test]
fn deeply_nested_is_refused() {
    for depth in [MAX_DEPTH, MAX_DEPTH + 1, 10_000] {
        let mut xml = String::from("<ListBucketResult><Name>b</Name>");
        for _ in 0..depth {
            xml.push_str("<X>");
        }
        for _ in 0..depth {
            xml.push_str("</X>");
        }
        xml.push_str("</ListBucketResult>");
        let r = ListBucketResult::from_xml(xml.as_bytes());
        if depth + 1 > MAX_DEPTH {
            assert!(
                matches!(
                    r,
                    Err(XmlError::TooDeep {
                        limit: MAX_DEPTH,
                        ..
                    })
                ),
                "{depth}: {r:?}"
            );
        } else {
            assert!(r.is_ok(), "{depth}: {r:?}");
        }
        // Unclosed deep nesting too.
        let open_only = "<Error>".to_string() + &"<A>".repeat(depth);
        assert!(parse_error(open_only.as_bytes()).is_err());
    }
}

#[test]
fn doctype_and_entities_refused() {
    let billion_laughs = br#"<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<Error><Code>&lol3;</Code></Error>"#;
    assert!(matches!(
        parse_error(billion_laughs),
        Err(XmlError::DoctypeNotAllowed { document: "Error" })
    ));
    let xxe = br#"<?xml version="1.0"?><!DOCTYPE foo [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><Tagging><TagSet><Tag><Key>&xxe;</Key></Tag></TagSet></Tagging>"#;
    assert!(matches!(
        Tagging::from_xml(xxe),
        Err(XmlError::DoctypeNotAllowed { .. })
    ));
    // An undeclared entity without a DTD is malformed, not expanded or kept.
    let r = parse_error(b"<Error><Code>&xxe;</Code></Error>");
    assert!(matches!(r, Err(XmlError::Malformed { .. })), "{r:?}");
    // A DOCTYPE inside the document is refused too.
    let r = parse_error(b"<Error><!DOCTYPE x><Code>a</Code></Error>");
    assert!(r.is_err());
}

#[test]
fn bad_numbers_and_booleans() {
    let cases: [&[u8]; 6] = [
        b"<ListBucketResult><Name>b</Name><Contents><Key>k</Key><Size>18446744073709551616</Size></Contents></ListBucketResult>",
        b"<ListBucketResult><Name>b</Name><Contents><Key>k</Key><Size>99999999999999999999999999999999999</Size></Contents></ListBucketResult>",
        b"<ListBucketResult><Name>b</Name><Contents><Key>k</Key><Size>-1</Size></Contents></ListBucketResult>",
        b"<ListBucketResult><Name>b</Name><Contents><Key>k</Key><Size>12abc</Size></Contents></ListBucketResult>",
        b"<ListBucketResult><Name>b</Name><Contents><Key>k</Key><Size></Size></Contents></ListBucketResult>",
        b"<ListBucketResult><Name>b</Name><MaxKeys>1e3</MaxKeys></ListBucketResult>",
    ];
    for xml in cases {
        let r = ListBucketResult::from_xml(xml);
        assert!(matches!(r, Err(XmlError::InvalidNumber { .. })), "{r:?}");
    }
    let max = b"<ListBucketResult><Name>b</Name><Contents><Key>k</Key><Size>18446744073709551615</Size></Contents></ListBucketResult>";
    assert_eq!(
        ListBucketResult::from_xml(max).unwrap().contents[0].size,
        u64::MAX
    );
    let part = b"<ListPartsResult><Part><PartNumber>4294967296</PartNumber><ETag>e</ETag><Size>1</Size></Part></ListPartsResult>";
    assert!(matches!(
        ListPartsResult::from_xml(part),
        Err(XmlError::InvalidNumber {
            field: "PartNumber",
            ..
        })
    ));
    let b = b"<ListBucketResult><Name>b</Name><IsTruncated>yes</IsTruncated></ListBucketResult>";
    assert!(matches!(
        ListBucketResult::from_xml(b),
        Err(XmlError::InvalidBool {
            field: "IsTruncated",
            ..
        })
    ));
    // A huge bad value is not copied whole into the error.
    let long = format!(
        "<ListBucketResult><Name>b</Name><MaxKeys>{}</MaxKeys></ListBucketResult>",
        "9".repeat(100_000)
    );
    let e = ListBucketResult::from_xml(long.as_bytes()).unwrap_err();
    assert!(e.to_string().len() < 300);
}

#[test]
fn missing_required_fields() {
    fn missing(r: Result<(), XmlError>, field: &str) {
        match r {
            Err(XmlError::MissingField { field: f, .. }) => assert_eq!(f, field),
            other => panic!("expected missing {field}, got {other:?}"),
        }
    }
    missing(
        parse_error(b"<Error><Message>m</Message></Error>").map(drop),
        "Code",
    );
    missing(parse_error(b"<Error/>").map(drop), "Code");
    missing(
        ListBucketResult::from_xml(
            b"<ListBucketResult><Contents><Key>k</Key><Size>1</Size></Contents></ListBucketResult>",
        )
        .map(drop),
        "Name",
    );
    missing(ListBucketResult::from_xml(b"<ListBucketResult><Name>b</Name><Contents><Size>1</Size></Contents></ListBucketResult>").map(drop), "Key");
    missing(
        ListBucketResult::from_xml(
            b"<ListBucketResult><Name>b</Name><Contents><Key>k</Key></Contents></ListBucketResult>",
        )
        .map(drop),
        "Size",
    );
    missing(ListVersionsResult::from_xml(b"<ListVersionsResult><Name>b</Name><Version><Key>k</Key><Size>1</Size></Version></ListVersionsResult>").map(drop), "VersionId");
    missing(ListVersionsResult::from_xml(b"<ListVersionsResult><Name>b</Name><Version><Key>k</Key><VersionId>v</VersionId></Version></ListVersionsResult>").map(drop), "Size");
    assert!(ListVersionsResult::from_xml(b"<ListVersionsResult><Name>b</Name><DeleteMarker><Key>k</Key><VersionId>v</VersionId></DeleteMarker></ListVersionsResult>").is_ok());
    missing(ListAllMyBucketsResult::from_xml(b"<ListAllMyBucketsResult><Buckets><Bucket><CreationDate>x</CreationDate></Bucket></Buckets></ListAllMyBucketsResult>").map(drop), "Name");
    missing(InitiateMultipartUploadResult::from_xml(b"<InitiateMultipartUploadResult><Bucket>b</Bucket><Key>k</Key></InitiateMultipartUploadResult>").map(drop), "UploadId");
    missing(
        CompleteMultipartUploadResult::from_xml(
            b"<CompleteMultipartUploadResult><Bucket>b</Bucket></CompleteMultipartUploadResult>",
        )
        .map(drop),
        "ETag",
    );
    missing(
        DeleteResult::from_xml(
            b"<DeleteResult><Deleted><VersionId>v</VersionId></Deleted></DeleteResult>",
        )
        .map(drop),
        "Key",
    );
    missing(
        DeleteResult::from_xml(b"<DeleteResult><Error><Key>k</Key></Error></DeleteResult>")
            .map(drop),
        "Code",
    );
    missing(
        Tagging::from_xml(b"<Tagging><TagSet><Tag><Value>v</Value></Tag></TagSet></Tagging>")
            .map(drop),
        "Key",
    );
    // `<Status>` is optional in S3's model of `<LegalHold>`.
    assert_eq!(LegalHold::from_xml(b"<LegalHold/>").unwrap().status, None);
    missing(ListMultipartUploadsResult::from_xml(b"<ListMultipartUploadsResult><Upload><Key>k</Key></Upload></ListMultipartUploadsResult>").map(drop), "UploadId");
    missing(ListPartsResult::from_xml(b"<ListPartsResult><Part><PartNumber>1</PartNumber><Size>1</Size></Part></ListPartsResult>").map(drop), "ETag");
}

#[test]
fn wrong_root() {
    let e = ListBucketResult::from_xml(LIST_VERSIONS.as_bytes()).unwrap_err();
    match e {
        XmlError::UnexpectedRoot {
            document,
            expected,
            found,
        } => {
            assert_eq!(document, "ListBucketResult");
            assert_eq!(expected, "ListBucketResult");
            assert_eq!(found, "ListVersionsResult");
        }
        other => panic!("{other:?}"),
    }
    let long_name = format!("<{}/>", "A".repeat(10_000));
    let e = parse_error(long_name.as_bytes()).unwrap_err();
    assert!(e.to_string().len() < 300, "{e}");
}

#[test]
fn too_large_is_refused_before_parsing() {
    let mut xml = Vec::with_capacity(MAX_INPUT_LEN + 1);
    xml.extend_from_slice(b"<Error><Code>x</Code>");
    xml.resize(MAX_INPUT_LEN + 1, b' ');
    let e = parse_error(&xml).unwrap_err();
    assert_eq!(
        e,
        XmlError::TooLarge {
            document: "Error",
            len: MAX_INPUT_LEN + 1,
            limit: MAX_INPUT_LEN
        }
    );
}

#[test]
fn trailing_content_after_root_is_ignored() {
    let xml = b"<LegalHold><Status>ON</Status></LegalHold>\n<garbage";
    assert_eq!(
        LegalHold::from_xml(xml).unwrap().status.as_deref(),
        Some("ON")
    );
}

#[test]
fn error_display_is_short_and_names_document() {
    let e = ListBucketResult::from_xml(b"<ListBucketResult><Name>b</Name><Contents>").unwrap_err();
    let s = e.to_string();
    assert!(s.starts_with("ListBucketResult: "), "{s}");
    assert_eq!(e.document(), "ListBucketResult");
}

#[test]
fn huge_key_count_does_not_preallocate() {
    // KeyCount only sizes the entry vector within what the input can hold.
    let xml = b"<ListBucketResult><Name>b</Name><KeyCount>18446744073709551615</KeyCount><Contents><Key>k</Key><Size>1</Size></Contents></ListBucketResult>";
    let r = ListBucketResult::from_xml(xml).unwrap();
    assert_eq!(r.key_count, Some(u64::MAX));
    assert_eq!(r.contents.len(), 1);
    assert!(r.contents.capacity() <= xml.len());
}
