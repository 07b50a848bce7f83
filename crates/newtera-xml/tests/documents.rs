//! Happy paths: every document, parsed from realistic samples or
//! serialised and read back.
#![allow(clippy::unwrap_used)] // tests may panic on purpose

mod common;

use common::*;
use newtera_xml::*;

#[test]
fn error_document() {
    let e = parse_error(ERROR.as_bytes()).unwrap();
    assert_eq!(e.code, "NoSuchKey");
    assert_eq!(e.message, "The specified key does not exist.");
    assert_eq!(e.key.as_deref(), Some("photos/2006/February/sample.jpg"));
    assert_eq!(e.bucket_name.as_deref(), Some("mybucket"));
    assert_eq!(
        e.resource.as_deref(),
        Some("/mybucket/photos/2006/February/sample.jpg")
    );
    assert_eq!(e.request_id.as_deref(), Some("4442587FB7D0A2F9"));
    assert_eq!(
        e.host_id.as_deref(),
        Some("kB6BrpH0ZkS9ZxJ8aI+zA5Sg6vVn1P+yQ0JvZ5h2o9w=")
    );
    assert_eq!(ErrorDocument::from_xml(ERROR.as_bytes()).unwrap(), e);
}

#[test]
fn error_document_unknown_children_and_minimal() {
    let xml = br#"<Error><Code>AuthorizationHeaderMalformed</Code><Message>bad region</Message><Region>eu-west-1</Region><Nested><A><B/></A></Nested><RequestId>X</RequestId></Error>"#;
    let e = parse_error(xml).unwrap();
    assert_eq!(e.code, "AuthorizationHeaderMalformed");
    assert_eq!(e.request_id.as_deref(), Some("X"));
    let e = parse_error(b"<Error><Code>SlowDown</Code></Error>").unwrap();
    assert_eq!(e.message, "");
    assert_eq!(e.resource, None);
}

#[test]
fn is_error_document_cases() {
    assert!(is_error_document(ERROR.as_bytes()));
    assert!(is_error_document(b"<Error/>"));
    assert!(is_error_document(
        b"\xEF\xBB\xBF  \r\n<?xml version=\"1.0\"?>\n<!-- c -->\n<Error>"
    ));
    assert!(is_error_document(
        b"<Error xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
    ));
    assert!(is_error_document(b"<s3:Error>"));
    assert!(!is_error_document(COMPLETE_RESULT.as_bytes()));
    assert!(!is_error_document(b"<Errors>"));
    assert!(!is_error_document(b"<Error"));
    assert!(!is_error_document(b""));
    assert!(!is_error_document(b"<?xml version=\"1.0\""));
    assert!(!is_error_document(b"<!-- <Error> "));
    assert!(!is_error_document(b"Error"));
}

#[test]
fn list_buckets() {
    let r = ListAllMyBucketsResult::from_xml(LIST_BUCKETS.as_bytes()).unwrap();
    let owner = r.owner.unwrap();
    assert_eq!(owner.id.as_deref(), Some("bcaf1ffd86f461ca5fb16fd081034f"));
    assert_eq!(owner.display_name.as_deref(), Some("webfile"));
    assert_eq!(r.buckets.len(), 2);
    assert_eq!(r.buckets[0].name, "quotes");
    assert_eq!(r.buckets[0].creation_date, "2006-02-03T16:45:09.000Z");
    assert_eq!(r.buckets[0].region, None);
    assert_eq!(r.buckets[1].name, "samples");
    assert_eq!(r.buckets[1].region.as_deref(), Some("eu-west-1"));

    let empty = ListAllMyBucketsResult::from_xml(
        b"<ListAllMyBucketsResult><Owner><ID>x</ID></Owner><Buckets/></ListAllMyBucketsResult>",
    )
    .unwrap();
    assert!(empty.buckets.is_empty());
}

#[test]
fn create_bucket_configuration() {
    let c = CreateBucketConfiguration {
        location_constraint: Some("eu-west-1".into()),
    };
    assert_eq!(
        c.to_xml().unwrap(),
        "<CreateBucketConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><LocationConstraint>eu-west-1</LocationConstraint></CreateBucketConfiguration>"
    );
    assert_eq!(
        CreateBucketConfiguration::default().to_xml().unwrap(),
        "<CreateBucketConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"></CreateBucketConfiguration>"
    );
}

#[test]
fn location_constraint() {
    assert_eq!(
        parse_location_constraint(LOCATION.as_bytes())
            .unwrap()
            .as_deref(),
        Some("eu-west-1")
    );
    let empty = br#"<?xml version="1.0" encoding="UTF-8"?>
<LocationConstraint xmlns="http://s3.amazonaws.com/doc/2006-03-01/"/>"#;
    assert_eq!(parse_location_constraint(empty).unwrap(), None);
    assert_eq!(
        parse_location_constraint(b"<LocationConstraint></LocationConstraint>").unwrap(),
        None
    );
    assert_eq!(
        parse_location_constraint(b"<LocationConstraint>\n  EU \n</LocationConstraint>")
            .unwrap()
            .as_deref(),
        Some("EU")
    );
    assert_eq!(
        LocationConstraint::from_xml(LOCATION.as_bytes())
            .unwrap()
            .region
            .as_deref(),
        Some("eu-west-1")
    );
}

#[test]
fn list_objects_v2() {
    let r = ListBucketResult::from_xml(LIST_V2.as_bytes()).unwrap();
    assert_eq!(r.name, "bucket");
    assert_eq!(r.prefix.as_deref(), Some("photos%2F"));
    assert_eq!(r.delimiter.as_deref(), Some("%2F"));
    assert_eq!(r.key_count, Some(2));
    assert_eq!(r.max_keys, Some(1000));
    assert!(r.is_truncated);
    assert_eq!(r.encoding_type.as_deref(), Some("url"));
    assert_eq!(
        r.continuation_token.as_deref(),
        Some("1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=")
    );
    assert_eq!(
        r.next_continuation_token.as_deref(),
        Some("1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwN=")
    );
    assert_eq!(r.start_after.as_deref(), Some("photos%2Fa"));
    assert_eq!(r.marker, None);
    assert_eq!(r.contents.len(), 2);
    let a = &r.contents[0];
    assert_eq!(a.key, "photos%2F2006%2FJanuary%2Fsample%20one.jpg");
    assert_eq!(a.last_modified, "2009-10-12T17:50:30.000Z");
    assert_eq!(a.etag, "\"fba9dede5f27731c9771645a39863328\"");
    assert_eq!(a.size, 434234);
    assert_eq!(a.storage_class.as_deref(), Some("STANDARD"));
    assert_eq!(
        a.owner.as_ref().unwrap().display_name.as_deref(),
        Some("mtd@amazon.com")
    );
    assert!(a.user_metadata.is_empty());
    let b = &r.contents[1];
    assert_eq!(b.key, "photos%2Fb%26c.txt");
    assert_eq!(b.etag, "\"0c78aef83f66abc1fa1e8477f296d394\"");
    assert_eq!(b.size, 0);
    assert_eq!(b.owner, None);
    assert_eq!(
        b.user_metadata,
        vec![
            ("X-Amz-Meta-Project".to_string(), "one".to_string()),
            ("content-type".to_string(), "text/plain".to_string())
        ]
    );
    assert_eq!(b.user_tags.as_deref(), Some("a=1&b=2"));
    assert_eq!(
        r.common_prefixes,
        vec!["photos%2F2006%2F", "photos%2F2007%2F"]
    );
}

#[test]
fn list_objects_v1() {
    let r = ListBucketResult::from_xml(LIST_V1.as_bytes()).unwrap();
    assert_eq!(r.name, "bucket");
    assert_eq!(r.prefix.as_deref(), Some(""));
    assert_eq!(r.marker.as_deref(), Some("my-image.jpg"));
    assert_eq!(r.next_marker.as_deref(), Some("my-third-image.jpg"));
    assert_eq!(r.delimiter.as_deref(), Some("/"));
    assert!(!r.is_truncated);
    assert_eq!(r.key_count, None);
    assert_eq!(r.contents.len(), 2);
    assert_eq!(r.contents[1].key, "my-third-image.jpg");
    assert_eq!(r.contents[1].size, 64994);
    assert_eq!(r.contents[1].storage_class.as_deref(), Some("STANDARD_IA"));
    assert_eq!(
        r.contents[0].owner.as_ref().unwrap().id.as_deref(),
        Some("8a6925ce4a7f21c32aa379004fef")
    );
    assert_eq!(r.common_prefixes, vec!["photos/"]);
}

#[test]
fn list_objects_empty_bucket() {
    let r = ListBucketResult::from_xml(
        b"<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Name>b</Name><Prefix></Prefix><KeyCount>0</KeyCount><MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated></ListBucketResult>",
    )
    .unwrap();
    assert!(r.contents.is_empty() && r.common_prefixes.is_empty());
    assert_eq!(r.key_count, Some(0));
}

#[test]
fn big_listing_parses() {
    // No timing here: performance is measured by the benchmarks.
    let xml = big_listing(1000);
    assert!(xml.len() > 200_000);
    let r = ListBucketResult::from_xml(xml.as_bytes()).unwrap();
    assert_eq!(r.contents.len(), 1000);
    assert_eq!(
        r.contents[999].key,
        "data/2024/07/some-longer-directory-name/object-00000999.parquet"
    );
    assert_eq!(r.contents[999].size, 999 * 1024);
    assert_eq!(r.contents[5].etag, "\"d41d8cd98f00b204e9800998ecf8427e\"");
}

#[test]
fn list_versions() {
    let r = ListVersionsResult::from_xml(LIST_VERSIONS.as_bytes()).unwrap();
    assert_eq!(r.name, "bucket");
    assert_eq!(r.prefix.as_deref(), Some("my"));
    assert_eq!(r.key_marker.as_deref(), Some(""));
    assert_eq!(r.version_id_marker.as_deref(), Some(""));
    assert_eq!(r.next_key_marker.as_deref(), Some("my-second-image.jpg"));
    assert_eq!(
        r.next_version_id_marker.as_deref(),
        Some("03jpff543dhffds434rfdsFDN943fdsFkdmqnh892")
    );
    assert_eq!(r.max_keys, Some(5));
    assert!(r.is_truncated);
    assert_eq!(r.entries.len(), 3);
    let v = &r.entries[0];
    assert!(!v.is_delete_marker && v.is_latest);
    assert_eq!(v.key, "my-image.jpg");
    assert_eq!(v.version_id, "3/L4kqtJl40Nr8X8gdRQBpUMLUo");
    assert_eq!(
        v.etag.as_deref(),
        Some("\"fba9dede5f27731c9771645a39863328\"")
    );
    assert_eq!(v.size, 434234);
    assert!(v.owner.is_some());
    let d = &r.entries[1];
    assert!(d.is_delete_marker && d.is_latest);
    assert_eq!(d.key, "my-second-image.jpg");
    assert_eq!(d.etag, None);
    assert_eq!(d.size, 0);
    assert_eq!(d.last_modified, "2009-11-12T17:50:30.000Z");
    let v2 = &r.entries[2];
    assert!(!v2.is_delete_marker && !v2.is_latest);
    assert_eq!(v2.size, 166434);
    assert_eq!(
        v2.user_metadata,
        vec![("X-Amz-Meta-Color".to_string(), "blue".to_string())]
    );
    assert_eq!(r.common_prefixes, vec!["my/dir/"]);
}

#[test]
fn initiate_multipart() {
    let r = InitiateMultipartUploadResult::from_xml(INITIATE.as_bytes()).unwrap();
    assert_eq!(r.bucket, "example-bucket");
    assert_eq!(r.key, "example-object");
    assert_eq!(
        r.upload_id,
        "VXBsb2FkIElEIGZvciA2aWWpbmcncyBteS1tb3ZpZS5tMnRzIHVwbG9hZA"
    );
}

#[test]
fn complete_multipart_request() {
    let c = CompleteMultipartUpload {
        parts: vec![
            CompletedPart {
                part_number: 1,
                etag: "\"a54357aff0632cce46d942af68356b38\"".into(),
                checksum_crc32c: Some("sOO8/Q==".into()),
                checksum_crc64nvme: None,
                checksum_crc32: None,
            },
            CompletedPart {
                part_number: 2,
                etag: "\"0c78aef83f66abc1fa1e8477f296d394\"".into(),
                checksum_crc32c: None,
                checksum_crc64nvme: Some("AAAAAAAAAAA=".into()),
                checksum_crc32: None,
            },
            CompletedPart {
                part_number: 3,
                etag: "\"b\"".into(),
                checksum_crc32: Some("NhCmhg==".into()),
                ..CompletedPart::default()
            },
        ],
    };
    assert_eq!(
        c.to_xml().unwrap(),
        concat!(
            "<CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">",
            "<Part><PartNumber>1</PartNumber><ETag>\"a54357aff0632cce46d942af68356b38\"</ETag><ChecksumCRC32C>sOO8/Q==</ChecksumCRC32C></Part>",
            "<Part><PartNumber>2</PartNumber><ETag>\"0c78aef83f66abc1fa1e8477f296d394\"</ETag><ChecksumCRC64NVME>AAAAAAAAAAA=</ChecksumCRC64NVME></Part>",
            "<Part><PartNumber>3</PartNumber><ETag>\"b\"</ETag><ChecksumCRC32>NhCmhg==</ChecksumCRC32></Part>",
            "</CompleteMultipartUpload>"
        )
    );
}

#[test]
fn complete_multipart_result() {
    let r = CompleteMultipartUploadResult::from_xml(COMPLETE_RESULT.as_bytes()).unwrap();
    assert_eq!(
        r.location,
        "http://Example-Bucket.s3.region.amazonaws.com/Example-Object"
    );
    assert_eq!(r.bucket, "Example-Bucket");
    assert_eq!(r.key, "Example-Object");
    assert_eq!(r.etag, "\"3858f62230ac3c915f300c664312c11f-9\"");
    assert_eq!(r.checksum_crc32c.as_deref(), Some("sOO8/Q==-9"));
    assert_eq!(r.checksum_crc64nvme, None);
    // An <Error> body in a 200 response is not mistaken for a result.
    let err = CompleteMultipartUploadResult::from_xml(ERROR.as_bytes()).unwrap_err();
    assert!(matches!(err, XmlError::UnexpectedRoot { found, .. } if found == "Error"));
}

#[test]
fn delete_request() {
    let d = Delete {
        quiet: true,
        objects: vec![
            ObjectIdentifier {
                key: "plain.txt".into(),
                version_id: None,
            },
            ObjectIdentifier {
                key: "a&b<c>\"d'e\u{e9}\u{1F600}/tab\there\r\n".into(),
                version_id: Some("v1".into()),
            },
        ],
    };
    let xml = d.to_xml().unwrap();
    assert_eq!(
        xml,
        concat!(
            "<Delete xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Quiet>true</Quiet>",
            "<Object><Key>plain.txt</Key></Object>",
            "<Object><Key>a&amp;b&lt;c&gt;\"d'e\u{e9}\u{1F600}/tab&#9;here&#13;&#10;</Key><VersionId>v1</VersionId></Object>",
            "</Delete>"
        )
    );
    let not_quiet = Delete {
        quiet: false,
        objects: vec![],
    }
    .to_xml()
    .unwrap();
    assert_eq!(
        not_quiet,
        "<Delete xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"></Delete>"
    );
}

#[test]
fn delete_request_round_trips_through_a_parser() {
    // The written key reads back unchanged, CR LF included.
    let key = "a&b<c>\"d'e\u{e9}\r\n\tz";
    let tagging = Tagging {
        tags: vec![(key.to_string(), key.to_string())],
    };
    let back = Tagging::from_xml(tagging.to_xml().unwrap().as_bytes()).unwrap();
    assert_eq!(back, tagging);
}

#[test]
fn delete_request_unrepresentable() {
    for bad in [
        "a\u{0}b",
        "\u{1}",
        "x\u{1f}",
        "\u{b}",
        "\u{c}",
        "\u{fffe}",
        "end\u{ffff}",
    ] {
        let d = Delete {
            quiet: false,
            objects: vec![ObjectIdentifier {
                key: bad.into(),
                version_id: None,
            }],
        };
        match d.to_xml() {
            Err(XmlError::Unrepresentable {
                document,
                field,
                character,
            }) => {
                assert_eq!(document, "Delete");
                assert_eq!(field, "Key");
                assert!(bad.contains(character));
            }
            other => panic!("{bad:?}: {other:?}"),
        }
    }
    // Characters that are merely discouraged are written.
    let ok = Delete {
        quiet: false,
        objects: vec![ObjectIdentifier {
            key: "\u{7f}\u{85}\u{fdd0}\u{fffd}".into(),
            version_id: None,
        }],
    };
    assert!(ok.to_xml().is_ok());
}

#[test]
fn delete_result() {
    let r = DeleteResult::from_xml(DELETE_RESULT.as_bytes()).unwrap();
    assert_eq!(r.deleted.len(), 2);
    assert_eq!(r.deleted[0].key, "sample1.txt");
    assert!(!r.deleted[0].delete_marker);
    assert_eq!(
        r.deleted[1].version_id.as_deref(),
        Some("OYcLXagmS.WaD..oyH4KRguB95_YhLs7")
    );
    assert!(r.deleted[1].delete_marker);
    assert_eq!(
        r.deleted[1].delete_marker_version_id.as_deref(),
        Some("NeQt5xeFTfgPJD8B4CGWnkSLtluMr11s")
    );
    assert_eq!(r.errors.len(), 1);
    assert_eq!(r.errors[0].key, "sample2.txt");
    assert_eq!(r.errors[0].code, "AccessDenied");
    assert_eq!(r.errors[0].message, "Access Denied");
    assert_eq!(r.errors[0].version_id, None);
    let quiet = DeleteResult::from_xml(
        b"<DeleteResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"/>",
    )
    .unwrap();
    assert_eq!(quiet, DeleteResult::default());
}

#[test]
fn tagging() {
    let t = Tagging::from_xml(TAGGING.as_bytes()).unwrap();
    assert_eq!(
        t.tags,
        vec![
            ("Project".to_string(), "Project One".to_string()),
            ("a&b".to_string(), String::new())
        ]
    );
    assert_eq!(
        t.to_xml().unwrap(),
        "<Tagging xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><TagSet><Tag><Key>Project</Key><Value>Project One</Value></Tag><Tag><Key>a&amp;b</Key><Value></Value></Tag></TagSet></Tagging>"
    );
    assert_eq!(
        Tagging::from_xml(t.to_xml().unwrap().as_bytes()).unwrap(),
        t
    );
    assert_eq!(
        Tagging::from_xml(b"<Tagging><TagSet/></Tagging>")
            .unwrap()
            .tags,
        vec![]
    );
}

#[test]
fn retention() {
    let r = Retention::from_xml(RETENTION.as_bytes()).unwrap();
    assert_eq!(r.mode.as_deref(), Some("GOVERNANCE"));
    assert_eq!(
        r.retain_until_date.as_deref(),
        Some("2030-01-01T00:00:00.000Z")
    );
    assert_eq!(
        r.to_xml().unwrap(),
        "<Retention xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Mode>GOVERNANCE</Mode><RetainUntilDate>2030-01-01T00:00:00.000Z</RetainUntilDate></Retention>"
    );
    assert_eq!(
        Retention::from_xml(r.to_xml().unwrap().as_bytes()).unwrap(),
        r
    );
}

#[test]
fn legal_hold() {
    let l = LegalHold::from_xml(LEGAL_HOLD.as_bytes()).unwrap();
    assert_eq!(l.status.as_deref(), Some("ON"));
    assert_eq!(
        LegalHold {
            status: Some("OFF".into())
        }
        .to_xml()
        .unwrap(),
        "<LegalHold xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Status>OFF</Status></LegalHold>"
    );
    // A hold that was never set: no `<Status>` (moto answers this way).
    let unset = LegalHold::from_xml(
        br#"<?xml version="1.0" encoding="utf-8"?>
<LegalHold xmlns="http://s3.amazonaws.com/doc/2006-03-01/"/>"#,
    )
    .unwrap();
    assert_eq!(unset, LegalHold { status: None });
    assert_eq!(
        unset.to_xml().unwrap(),
        "<LegalHold xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"></LegalHold>"
    );
    assert_eq!(
        LegalHold::from_xml(l.to_xml().unwrap().as_bytes()).unwrap(),
        l
    );
}

#[test]
fn versioning() {
    let v = VersioningConfiguration::from_xml(VERSIONING.as_bytes()).unwrap();
    assert_eq!(v.status.as_deref(), Some("Enabled"));
    assert_eq!(v.mfa_delete.as_deref(), Some("Disabled"));
    assert_eq!(
        VersioningConfiguration::from_xml(v.to_xml().unwrap().as_bytes()).unwrap(),
        v
    );
    let never = VersioningConfiguration::from_xml(
        b"<VersioningConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"/>",
    )
    .unwrap();
    assert_eq!(never, VersioningConfiguration::default());
    let mfa = VersioningConfiguration::from_xml(
        b"<VersioningConfiguration><Status>Suspended</Status><MFADelete>Enabled</MFADelete></VersioningConfiguration>",
    )
    .unwrap();
    assert_eq!(mfa.mfa_delete.as_deref(), Some("Enabled"));
    assert_eq!(
        VersioningConfiguration::enabled().to_xml().unwrap(),
        "<VersioningConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Status>Enabled</Status></VersioningConfiguration>"
    );
}

#[test]
fn list_multipart_uploads() {
    let r = ListMultipartUploadsResult::from_xml(LIST_UPLOADS.as_bytes()).unwrap();
    assert_eq!(r.bucket, "bucket");
    assert_eq!(r.key_marker.as_deref(), Some(""));
    assert_eq!(r.next_key_marker.as_deref(), Some("my-movie.m2ts"));
    assert_eq!(
        r.next_upload_id_marker.as_deref(),
        Some("YW55IGlkZWEgd2h5IGVsdmluZydzIHVwbG9hZCBmYWlsZWQ")
    );
    assert_eq!(r.max_uploads, Some(3));
    assert!(r.is_truncated);
    assert_eq!(r.uploads.len(), 2);
    assert_eq!(r.uploads[0].key, "my-divisor");
    assert_eq!(
        r.uploads[0].upload_id,
        "XMgbGlrZSBlbHZpbmcncyBub3QgaGF2aW5nIG11Y2ggbHVjaw"
    );
    assert_eq!(r.uploads[0].initiated, "2010-11-10T20:48:33.000Z");
    assert_eq!(
        r.uploads[0].owner.as_ref().unwrap().display_name.as_deref(),
        Some("OwnerDisplayName")
    );
    assert!(r.uploads[0].initiator.is_some());
    assert_eq!(r.uploads[1].key, "my-movie.m2ts");
    assert_eq!(r.common_prefixes, vec!["photos/"]);
}

#[test]
fn list_parts() {
    let r = ListPartsResult::from_xml(LIST_PARTS.as_bytes()).unwrap();
    assert_eq!(r.bucket, "example-bucket");
    assert_eq!(r.key, "example-object");
    assert_eq!(
        r.upload_id,
        "XXBsb2FkIElEIGZvciBlbHZpbmcncyVcdS1tb3ZpZS5tMnRzEEEwbG9hZA"
    );
    assert_eq!(r.part_number_marker, Some(1));
    assert_eq!(r.next_part_number_marker, Some(3));
    assert_eq!(r.max_parts, Some(2));
    assert!(r.is_truncated);
    assert_eq!(r.parts.len(), 2);
    assert_eq!(r.parts[0].part_number, 2);
    assert_eq!(r.parts[0].etag, "\"7778aef83f66abc1fa1e8477f296d394\"");
    assert_eq!(r.parts[0].size, 10485760);
    assert_eq!(r.parts[0].last_modified, "2010-11-10T20:48:34.000Z");
    assert_eq!(r.parts[1].checksum_crc32c.as_deref(), Some("yZuQlA=="));
}

#[test]
fn namespaces_optional_or_prefixed() {
    let bare = LIST_V1.replace(" xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"", "");
    assert_eq!(
        ListBucketResult::from_xml(bare.as_bytes()).unwrap(),
        ListBucketResult::from_xml(LIST_V1.as_bytes()).unwrap()
    );
    let prefixed = br#"<s3:LegalHold xmlns:s3="http://s3.amazonaws.com/doc/2006-03-01/"><s3:Status>ON</s3:Status></s3:LegalHold>"#;
    assert_eq!(
        LegalHold::from_xml(prefixed).unwrap().status.as_deref(),
        Some("ON")
    );
}

#[test]
fn entities_cdata_and_char_refs() {
    let xml = br#"<ListBucketResult><Name>b</Name><Contents><Key>a&amp;b&lt;c&gt;&quot;d&apos;&#233;&#x1F600;<![CDATA[<raw & text>]]>end</Key><Size> 12 </Size></Contents></ListBucketResult>"#;
    let r = ListBucketResult::from_xml(xml).unwrap();
    assert_eq!(
        r.contents[0].key,
        "a&b<c>\"d'\u{e9}\u{1F600}<raw & text>end"
    );
    assert_eq!(r.contents[0].size, 12);
}

#[test]
fn line_ends_normalised() {
    let xml = b"<Error><Code>X</Code><Message>one\r\ntwo\rthree&#13;</Message></Error>";
    assert_eq!(parse_error(xml).unwrap().message, "one\ntwo\nthree\r");
}

#[test]
fn unknown_elements_ignored() {
    let xml = br#"<ListBucketResult><Future><Deep><Deeper a="1">text<X/></Deeper></Deep></Future><Name>b</Name><Contents><Key>k</Key><RestoreStatus><IsRestoreInProgress>false</IsRestoreInProgress></RestoreStatus><ChecksumAlgorithm>CRC64NVME</ChecksumAlgorithm><ChecksumType>FULL_OBJECT</ChecksumType><Size>1</Size></Contents><!-- comment --><?pi x?></ListBucketResult>"#;
    let r = ListBucketResult::from_xml(xml).unwrap();
    assert_eq!(r.name, "b");
    assert_eq!(r.contents.len(), 1);
    assert_eq!(r.contents[0].key, "k");
    assert_eq!(r.contents[0].last_modified, "");
}
