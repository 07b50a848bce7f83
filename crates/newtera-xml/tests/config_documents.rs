//! Versioning, object lock, default encryption and CORS documents: samples
//! shaped like the example documents of the S3 API reference (and MinIO's
//! versioning extension) parse to the expected values, serialise to the S3
//! element names and back to equal values, ignore unknown elements, and
//! fail with a typed error (never a panic) when cut or corrupted.
#![allow(clippy::unwrap_used)] // tests may panic on purpose

use newtera_xml::*;

/// `GetBucketVersioning` with MinIO's extensions.
const VERSIONING_MINIO: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<VersioningConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <Status>Enabled</Status>
  <ExcludeFolders>true</ExcludeFolders>
  <ExcludedPrefixes><Prefix>tmp/</Prefix></ExcludedPrefixes>
  <ExcludedPrefixes><Prefix>_staging/</Prefix></ExcludedPrefixes>
  <FutureElement><Nested>x</Nested></FutureElement>
</VersioningConfiguration>"#;

/// The shape of the S3 reference's `GetObjectLockConfiguration` example.
const OBJECT_LOCK: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<ObjectLockConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
   <ObjectLockEnabled>Enabled</ObjectLockEnabled>
   <Rule>
      <DefaultRetention>
         <Mode>COMPLIANCE</Mode>
         <Days>50</Days>
      </DefaultRetention>
   </Rule>
</ObjectLockConfiguration>"#;

/// The shape of the S3 reference's `PutBucketEncryption` example (SSE-KMS).
const ENCRYPTION: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<ServerSideEncryptionConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <Rule>
    <ApplyServerSideEncryptionByDefault>
      <SSEAlgorithm>aws:kms</SSEAlgorithm>
      <KMSMasterKeyID>arn:aws:kms:us-east-1:1234/5678example</KMSMasterKeyID>
    </ApplyServerSideEncryptionByDefault>
    <BucketKeyEnabled>true</BucketKeyEnabled>
  </Rule>
</ServerSideEncryptionConfiguration>"#;

/// The shape of the S3 reference's `PutBucketCors` example: two rules.
const CORS: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<CORSConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
 <CORSRule>
   <AllowedOrigin>http://www.example.com</AllowedOrigin>
   <AllowedMethod>PUT</AllowedMethod>
   <AllowedMethod>POST</AllowedMethod>
   <AllowedMethod>DELETE</AllowedMethod>
   <AllowedHeader>*</AllowedHeader>
   <MaxAgeSeconds>3000</MaxAgeSeconds>
   <ExposeHeader>x-amz-server-side-encryption</ExposeHeader>
 </CORSRule>
 <CORSRule>
   <ID>public reads</ID>
   <AllowedOrigin>*</AllowedOrigin>
   <AllowedMethod>GET</AllowedMethod>
 </CORSRule>
</CORSConfiguration>"#;

/// Namespace-prefixed start of every serialised document.
fn root(name: &str) -> String {
    format!("<{name} xmlns=\"{S3_NAMESPACE}\">")
}

#[test]
fn versioning_with_minio_extensions() {
    let v = VersioningConfiguration::from_xml(VERSIONING_MINIO.as_bytes()).unwrap();
    let expected = VersioningConfiguration::enabled()
        .with_exclude_folders(true)
        .with_excluded_prefixes(["tmp/", "_staging/"]);
    assert_eq!(v, expected);
    let xml = v.to_xml().unwrap();
    assert_eq!(
        xml,
        format!(
            "{}<Status>Enabled</Status><ExcludedPrefixes><Prefix>tmp/</Prefix></ExcludedPrefixes>\
             <ExcludedPrefixes><Prefix>_staging/</Prefix></ExcludedPrefixes>\
             <ExcludeFolders>true</ExcludeFolders></VersioningConfiguration>",
            root("VersioningConfiguration")
        )
    );
    assert_eq!(
        VersioningConfiguration::from_xml(xml.as_bytes()).unwrap(),
        v
    );
    // moto's answer root, and several prefixes in one element.
    let moto = VersioningConfiguration::from_xml(
        b"<GetBucketVersioningResponse><Status>Suspended</Status>\
          <ExcludedPrefixes><Prefix>a</Prefix><Prefix>b</Prefix></ExcludedPrefixes></GetBucketVersioningResponse>",
    )
    .unwrap();
    assert_eq!(
        moto,
        VersioningConfiguration::suspended().with_excluded_prefixes(["a", "b"])
    );
    let mfa = VersioningConfiguration::enabled().with_mfa_delete("Disabled");
    assert!(mfa
        .to_xml()
        .unwrap()
        .contains("<MfaDelete>Disabled</MfaDelete>"));
}

#[test]
fn object_lock_reference_example() {
    let c = ObjectLockConfiguration::from_xml(OBJECT_LOCK.as_bytes()).unwrap();
    assert_eq!(c, ObjectLockConfiguration::with_days("COMPLIANCE", 50));
    assert!(c.has_rule());
    assert_eq!(
        c.to_xml().unwrap(),
        format!(
            "{}<ObjectLockEnabled>Enabled</ObjectLockEnabled><Rule><DefaultRetention>\
             <Mode>COMPLIANCE</Mode><Days>50</Days></DefaultRetention></Rule></ObjectLockConfiguration>",
            root("ObjectLockConfiguration")
        )
    );
    let years = ObjectLockConfiguration::with_years("GOVERNANCE", 2);
    assert!(years.to_xml().unwrap().contains("<Years>2</Years>"));
    assert_eq!(
        ObjectLockConfiguration::from_xml(years.to_xml().unwrap().as_bytes()).unwrap(),
        years
    );
    let bare = ObjectLockConfiguration::enabled();
    assert_eq!(
        bare.to_xml().unwrap(),
        format!(
            "{}<ObjectLockEnabled>Enabled</ObjectLockEnabled></ObjectLockConfiguration>",
            root("ObjectLockConfiguration")
        )
    );
    assert!(!ObjectLockConfiguration::from_xml(
        b"<ObjectLockConfiguration><Rule/></ObjectLockConfiguration>"
    )
    .unwrap()
    .has_rule());
}

#[test]
fn encryption_reference_example() {
    let c = ServerSideEncryptionConfiguration::from_xml(ENCRYPTION.as_bytes()).unwrap();
    let expected = ServerSideEncryptionConfiguration::new(
        SseRule::sse_kms(Some("arn:aws:kms:us-east-1:1234/5678example".into()))
            .with_bucket_key_enabled(true),
    );
    assert_eq!(c, expected);
    assert_eq!(
        c.to_xml().unwrap(),
        format!(
            "{}<Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>aws:kms</SSEAlgorithm>\
             <KMSMasterKeyID>arn:aws:kms:us-east-1:1234/5678example</KMSMasterKeyID>\
             </ApplyServerSideEncryptionByDefault><BucketKeyEnabled>true</BucketKeyEnabled>\
             </Rule></ServerSideEncryptionConfiguration>",
            root("ServerSideEncryptionConfiguration")
        )
    );
    let s3 = ServerSideEncryptionConfiguration::sse_s3();
    assert_eq!(
        s3.to_xml().unwrap(),
        format!(
            "{}<Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>AES256</SSEAlgorithm>\
             </ApplyServerSideEncryptionByDefault></Rule></ServerSideEncryptionConfiguration>",
            root("ServerSideEncryptionConfiguration")
        )
    );
    assert_eq!(
        ServerSideEncryptionConfiguration::from_xml(s3.to_xml().unwrap().as_bytes()).unwrap(),
        s3
    );
}

#[test]
fn cors_reference_example() {
    let c = CorsConfiguration::from_xml(CORS.as_bytes()).unwrap();
    let expected = CorsConfiguration::new(vec![
        CorsRule::new(["PUT", "POST", "DELETE"], ["http://www.example.com"])
            .with_allowed_headers(["*"])
            .with_max_age_seconds(3000)
            .with_expose_headers(["x-amz-server-side-encryption"]),
        CorsRule::new(["GET"], ["*"]).with_id("public reads"),
    ]);
    assert_eq!(c, expected);
    let xml = c.to_xml().unwrap();
    assert_eq!(
        xml,
        format!(
            "{}<CORSRule><AllowedHeader>*</AllowedHeader><AllowedMethod>PUT</AllowedMethod>\
             <AllowedMethod>POST</AllowedMethod><AllowedMethod>DELETE</AllowedMethod>\
             <AllowedOrigin>http://www.example.com</AllowedOrigin>\
             <ExposeHeader>x-amz-server-side-encryption</ExposeHeader>\
             <MaxAgeSeconds>3000</MaxAgeSeconds></CORSRule><CORSRule><ID>public reads</ID>\
             <AllowedMethod>GET</AllowedMethod><AllowedOrigin>*</AllowedOrigin></CORSRule>\
             </CORSConfiguration>",
            root("CORSConfiguration")
        )
    );
    assert_eq!(CorsConfiguration::from_xml(xml.as_bytes()).unwrap(), c);
    assert_eq!(
        CorsConfiguration::from_xml(b"<CorsConfiguration/>").unwrap(),
        CorsConfiguration::default()
    );
}

type ParseFn = fn(&[u8]) -> Result<(), XmlError>;

fn parsers() -> [(&'static str, &'static str, ParseFn); 4] {
    [
        ("VersioningConfiguration", VERSIONING_MINIO, |b| {
            VersioningConfiguration::from_xml(b).map(drop)
        }),
        ("ObjectLockConfiguration", OBJECT_LOCK, |b| {
            ObjectLockConfiguration::from_xml(b).map(drop)
        }),
        ("ServerSideEncryptionConfiguration", ENCRYPTION, |b| {
            ServerSideEncryptionConfiguration::from_xml(b).map(drop)
        }),
        ("CORSConfiguration", CORS, |b| {
            CorsConfiguration::from_xml(b).map(drop)
        }),
    ]
}

#[test]
fn truncated_documents_fail_typed() {
    for (doc, sample, parse) in parsers() {
        let bytes = sample.as_bytes();
        let root_end = sample.rfind("</").unwrap();
        for cut in 0..=root_end {
            let e = parse(&bytes[..cut]).expect_err(&format!("{doc} cut at {cut} parsed"));
            assert_eq!(e.document(), doc);
            assert!(e.to_string().len() < 400, "{doc}: error too long: {e}");
        }
    }
}

#[test]
fn corrupted_documents_never_panic() {
    for (doc, sample, parse) in parsers() {
        let bytes = sample.as_bytes();
        for i in 0..bytes.len() {
            for b in [b'<', b'>', b'&', b'/', 0, 0xff] {
                let mut v = bytes.to_vec();
                v[i] = b;
                if let Err(e) = parse(&v) {
                    assert_eq!(e.document(), doc);
                }
            }
        }
    }
}

#[test]
fn bad_values_are_typed_errors() {
    let e = ObjectLockConfiguration::from_xml(
        b"<ObjectLockConfiguration><Rule><DefaultRetention><Days>-1</Days></DefaultRetention></Rule></ObjectLockConfiguration>",
    )
    .unwrap_err();
    assert!(
        matches!(e, XmlError::InvalidNumber { field: "Days", .. }),
        "{e:?}"
    );
    let e = ObjectLockConfiguration::from_xml(
        b"<ObjectLockConfiguration><Rule><DefaultRetention><Years>99999999999</Years></DefaultRetention></Rule></ObjectLockConfiguration>",
    )
    .unwrap_err();
    assert!(
        matches!(e, XmlError::InvalidNumber { field: "Years", .. }),
        "{e:?}"
    );
    let e = ServerSideEncryptionConfiguration::from_xml(
        b"<ServerSideEncryptionConfiguration><Rule><BucketKeyEnabled>yes</BucketKeyEnabled></Rule></ServerSideEncryptionConfiguration>",
    )
    .unwrap_err();
    assert!(matches!(e, XmlError::InvalidBool { .. }), "{e:?}");
    let e = ServerSideEncryptionConfiguration::from_xml(
        b"<ServerSideEncryptionConfiguration><Rule><ApplyServerSideEncryptionByDefault/></Rule></ServerSideEncryptionConfiguration>",
    )
    .unwrap_err();
    assert!(
        matches!(
            e,
            XmlError::MissingField {
                field: "SSEAlgorithm",
                ..
            }
        ),
        "{e:?}"
    );
    let e = CorsConfiguration::from_xml(
        b"<CORSConfiguration><CORSRule><MaxAgeSeconds>soon</MaxAgeSeconds></CORSRule></CORSConfiguration>",
    )
    .unwrap_err();
    assert!(matches!(e, XmlError::InvalidNumber { .. }), "{e:?}");
    let e = VersioningConfiguration::from_xml(
        b"<VersioningConfiguration><ExcludeFolders>maybe</ExcludeFolders></VersioningConfiguration>",
    )
    .unwrap_err();
    assert!(matches!(e, XmlError::InvalidBool { .. }), "{e:?}");
    let e = CorsConfiguration::from_xml(b"<Tagging/>").unwrap_err();
    assert!(matches!(e, XmlError::UnexpectedRoot { .. }), "{e:?}");
}

#[test]
fn unrepresentable_values_are_refused() {
    let bad = "a\u{1}b".to_owned();
    let e = CorsConfiguration::new(vec![CorsRule::new(["GET"], [bad.clone()])])
        .to_xml()
        .unwrap_err();
    assert!(
        matches!(
            e,
            XmlError::Unrepresentable {
                field: "AllowedOrigin",
                ..
            }
        ),
        "{e:?}"
    );
    let e = ServerSideEncryptionConfiguration::sse_kms(Some(bad.clone()))
        .to_xml()
        .unwrap_err();
    assert!(
        matches!(
            e,
            XmlError::Unrepresentable {
                field: "KMSMasterKeyID",
                ..
            }
        ),
        "{e:?}"
    );
    let e = VersioningConfiguration::enabled()
        .with_excluded_prefixes([bad])
        .to_xml()
        .unwrap_err();
    assert!(
        matches!(
            e,
            XmlError::Unrepresentable {
                field: "Prefix",
                ..
            }
        ),
        "{e:?}"
    );
}
