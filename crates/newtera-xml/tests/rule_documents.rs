//! Lifecycle, notification and replication documents: samples shaped like
//! the example documents of the S3 API reference parse to the expected
//! values, serialise back to equal values, ignore unknown elements, and
//! fail with a typed error (never a panic) when cut or corrupted.
#![allow(clippy::unwrap_used)] // tests may panic on purpose

use newtera_xml::*;

/// Lifecycle rules in the shapes of the S3 reference examples: a prefix
/// filter with transitions and an expiration, a tag filter, an `<And>` with
/// size bounds, noncurrent-version actions, the abort of incomplete uploads,
/// expired delete markers, and the deprecated rule-level prefix.
const LIFECYCLE: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<LifecycleConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <Rule>
    <ID>archive logs</ID>
    <Filter><Prefix>logs/</Prefix></Filter>
    <Status>Enabled</Status>
    <Transition><Days>30</Days><StorageClass>STANDARD_IA</StorageClass></Transition>
    <Transition><Days>90</Days><StorageClass>GLACIER</StorageClass></Transition>
    <Expiration><Days>365</Days></Expiration>
  </Rule>
  <Rule>
    <ID>tagged</ID>
    <Filter><Tag><Key>class</Key><Value>temp &amp; scratch</Value></Tag></Filter>
    <Status>Disabled</Status>
    <Expiration><Date>2030-01-01T00:00:00.000Z</Date></Expiration>
    <Transition><Date>2029-06-01T00:00:00.000Z</Date><StorageClass>GLACIER</StorageClass></Transition>
  </Rule>
  <Rule>
    <ID>sized</ID>
    <Filter>
      <And>
        <Prefix>data/</Prefix>
        <Tag><Key>a</Key><Value>1</Value></Tag>
        <Tag><Key>b</Key><Value>2</Value></Tag>
        <ObjectSizeGreaterThan>1048576</ObjectSizeGreaterThan>
        <ObjectSizeLessThan>1073741824</ObjectSizeLessThan>
      </And>
    </Filter>
    <Status>Enabled</Status>
    <NoncurrentVersionTransition>
      <NoncurrentDays>30</NoncurrentDays><StorageClass>STANDARD_IA</StorageClass>
    </NoncurrentVersionTransition>
    <NoncurrentVersionTransition>
      <NoncurrentDays>60</NoncurrentDays><NewerNoncurrentVersions>2</NewerNoncurrentVersions>
      <StorageClass>GLACIER</StorageClass>
    </NoncurrentVersionTransition>
    <NoncurrentVersionExpiration>
      <NoncurrentDays>90</NoncurrentDays><NewerNoncurrentVersions>5</NewerNoncurrentVersions>
    </NoncurrentVersionExpiration>
  </Rule>
  <Rule>
    <ID>cleanup</ID>
    <Filter><ObjectSizeGreaterThan>0</ObjectSizeGreaterThan></Filter>
    <Status>Enabled</Status>
    <Expiration><ExpiredObjectDeleteMarker>true</ExpiredObjectDeleteMarker></Expiration>
    <AbortIncompleteMultipartUpload><DaysAfterInitiation>7</DaysAfterInitiation></AbortIncompleteMultipartUpload>
    <FutureAction><Days>1</Days></FutureAction>
  </Rule>
  <Rule>
    <Prefix>old/</Prefix>
    <Status>Enabled</Status>
    <Expiration><Days>1</Days></Expiration>
  </Rule>
</LifecycleConfiguration>"#;

/// The notification example of the S3 reference, plus a cloud function and
/// the capitalised filter rule names AWS answers with.
const NOTIFICATION: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<NotificationConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <TopicConfiguration>
    <Id>YjVkM2Y0YmUtNGI3NC00ZjQyLWEwNGItNDIyYWUxY2I0N2M4</Id>
    <Topic>arn:aws:sns:us-east-1:account-id:s3notificationtopic2</Topic>
    <Event>s3:ReducedRedundancyLostObject</Event>
    <Event>s3:ObjectCreated:*</Event>
  </TopicConfiguration>
  <QueueConfiguration>
    <Id>ObjectCreatedEvents</Id>
    <Queue>arn:aws:sqs:us-west-2:444455556666:s3notificationqueue</Queue>
    <Event>s3:ObjectCreated:Put</Event>
    <Filter>
      <S3Key>
        <FilterRule><Name>Prefix</Name><Value>images/</Value></FilterRule>
        <FilterRule><Name>Suffix</Name><Value>.jpg</Value></FilterRule>
        <FilterRule><Name>Other</Name><Value>ignored</Value></FilterRule>
      </S3Key>
    </Filter>
  </QueueConfiguration>
  <CloudFunctionConfiguration>
    <CloudFunction>arn:aws:lambda:us-west-2:35667example:function:CreateThumbnail</CloudFunction>
    <Event>s3:ObjectRemoved:*</Event>
    <Filter><S3Key><FilterRule><Name>suffix</Name><Value>.png</Value></FilterRule></S3Key></Filter>
  </CloudFunctionConfiguration>
  <EventBridgeConfiguration></EventBridgeConfiguration>
  <Unknown><Deep>x</Deep></Unknown>
</NotificationConfiguration>"#;

/// The replication examples of the S3 reference: a rule with an `<And>`
/// filter, delete-marker replication, a destination with a storage class,
/// account, owner translation, encryption, replication time and metrics.
const REPLICATION: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<ReplicationConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <Role>arn:aws:iam::35667example:role/CrossRegionReplicationRoleForS3</Role>
  <Rule>
    <ID>rule1</ID>
    <Priority>1</Priority>
    <Status>Enabled</Status>
    <Filter>
      <And>
        <Prefix>TaxDocs</Prefix>
        <Tag><Key>key1</Key><Value>value1</Value></Tag>
        <Tag><Key>key2</Key><Value>value2</Value></Tag>
      </And>
    </Filter>
    <DeleteMarkerReplication><Status>Disabled</Status></DeleteMarkerReplication>
    <ExistingObjectReplication><Status>Enabled</Status></ExistingObjectReplication>
    <SourceSelectionCriteria>
      <SseKmsEncryptedObjects><Status>Enabled</Status></SseKmsEncryptedObjects>
      <ReplicaModifications><Status>Disabled</Status></ReplicaModifications>
    </SourceSelectionCriteria>
    <Destination>
      <Bucket>arn:aws:s3:::destinationbucket</Bucket>
      <Account>111122223333</Account>
      <StorageClass>STANDARD_IA</StorageClass>
      <AccessControlTranslation><Owner>Destination</Owner></AccessControlTranslation>
      <EncryptionConfiguration><ReplicaKmsKeyID>arn:aws:kms:us-east-1:111122223333:key/abc</ReplicaKmsKeyID></EncryptionConfiguration>
      <ReplicationTime><Status>Enabled</Status><Time><Minutes>15</Minutes></Time></ReplicationTime>
      <Metrics><Status>Enabled</Status><EventThreshold><Minutes>15</Minutes></EventThreshold></Metrics>
    </Destination>
  </Rule>
  <Rule>
    <Status>Enabled</Status>
    <Prefix>Tax</Prefix>
    <Destination><Bucket>arn:aws:s3:::other</Bucket></Destination>
  </Rule>
</ReplicationConfiguration>"#;

fn tag(k: &str, v: &str) -> Tag {
    Tag::new(k, v)
}

fn expected_lifecycle() -> LifecycleConfiguration {
    let mut r1 = LifecycleRule::new("Enabled", Filter::with_prefix("logs/"));
    r1.id = Some("archive logs".into());
    r1.transitions = vec![
        Transition::after_days(30, "STANDARD_IA"),
        Transition::after_days(90, "GLACIER"),
    ];
    r1.expiration = Some(Expiration::after_days(365));

    let mut r2 = LifecycleRule::new("Disabled", Filter::with_tag("class", "temp & scratch"));
    r2.id = Some("tagged".into());
    r2.expiration = Some(Expiration::on_date("2030-01-01T00:00:00.000Z"));
    r2.transitions = vec![Transition::on_date("2029-06-01T00:00:00.000Z", "GLACIER")];

    let mut and = AndOperator::new(Some("data/".into()), vec![tag("a", "1"), tag("b", "2")]);
    and.object_size_greater_than = Some(1 << 20);
    and.object_size_less_than = Some(1 << 30);
    let mut r3 = LifecycleRule::new("Enabled", Filter::with_and(and));
    r3.id = Some("sized".into());
    let mut second = NoncurrentVersionTransition::new(60, "GLACIER");
    second.newer_noncurrent_versions = Some(2);
    r3.noncurrent_version_transitions =
        vec![NoncurrentVersionTransition::new(30, "STANDARD_IA"), second];
    r3.noncurrent_version_expiration = Some(NoncurrentVersionExpiration::new(90, Some(5)));

    let mut r4 = LifecycleRule::new("Enabled", Filter::with_object_size_greater_than(0));
    r4.id = Some("cleanup".into());
    r4.expiration = Some(Expiration::expired_object_delete_marker());
    r4.abort_incomplete_multipart_upload = Some(AbortIncompleteMultipartUpload::new(7));

    let mut r5 = LifecycleRule::default();
    r5.status = "Enabled".into();
    r5.prefix = Some("old/".into());
    r5.expiration = Some(Expiration::after_days(1));
    LifecycleConfiguration::new(vec![r1, r2, r3, r4, r5])
}

#[test]
fn lifecycle_sample_parses_and_round_trips() {
    let got = LifecycleConfiguration::from_xml(LIFECYCLE.as_bytes()).unwrap();
    assert_eq!(got, expected_lifecycle());
    let xml = got.to_xml().unwrap();
    assert!(xml.starts_with(
        "<LifecycleConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Rule><ID>archive logs</ID>"
    ));
    assert!(xml.contains("<Value>temp &amp; scratch</Value>"), "{xml}");
    assert_eq!(
        LifecycleConfiguration::from_xml(xml.as_bytes()).unwrap(),
        got
    );
}

#[test]
fn lifecycle_writes_the_s3_element_names() {
    let xml = expected_lifecycle().to_xml().unwrap();
    for element in [
        "<Filter><And><Prefix>data/</Prefix><Tag><Key>a</Key><Value>1</Value></Tag>",
        "<ObjectSizeGreaterThan>1048576</ObjectSizeGreaterThan><ObjectSizeLessThan>1073741824</ObjectSizeLessThan></And></Filter>",
        "<Transition><Days>30</Days><StorageClass>STANDARD_IA</StorageClass></Transition>",
        "<NoncurrentVersionTransition><NoncurrentDays>60</NoncurrentDays><NewerNoncurrentVersions>2</NewerNoncurrentVersions><StorageClass>GLACIER</StorageClass></NoncurrentVersionTransition>",
        "<NoncurrentVersionExpiration><NoncurrentDays>90</NoncurrentDays><NewerNoncurrentVersions>5</NewerNoncurrentVersions></NoncurrentVersionExpiration>",
        "<Expiration><ExpiredObjectDeleteMarker>true</ExpiredObjectDeleteMarker></Expiration>",
        "<AbortIncompleteMultipartUpload><DaysAfterInitiation>7</DaysAfterInitiation></AbortIncompleteMultipartUpload>",
        "<Rule><Prefix>old/</Prefix><Status>Enabled</Status>",
    ] {
        assert!(xml.contains(element), "missing {element} in {xml}");
    }
}

#[test]
fn notification_sample_parses_and_round_trips() {
    let got = NotificationConfiguration::from_xml(NOTIFICATION.as_bytes()).unwrap();
    assert_eq!(got.topic_configurations.len(), 1);
    let topic = &got.topic_configurations[0];
    assert_eq!(
        topic.topic,
        "arn:aws:sns:us-east-1:account-id:s3notificationtopic2"
    );
    assert_eq!(
        topic.common.events,
        ["s3:ReducedRedundancyLostObject", "s3:ObjectCreated:*"]
    );
    assert_eq!(
        topic.common.config_id.as_deref(),
        Some("YjVkM2Y0YmUtNGI3NC00ZjQyLWEwNGItNDIyYWUxY2I0N2M4")
    );
    assert_eq!(topic.common.prefix_filter_rule, None);
    let queue = &got.queue_configurations[0];
    assert_eq!(
        queue.queue,
        "arn:aws:sqs:us-west-2:444455556666:s3notificationqueue"
    );
    assert_eq!(queue.common.prefix_filter_rule.as_deref(), Some("images/"));
    assert_eq!(queue.common.suffix_filter_rule.as_deref(), Some(".jpg"));
    let func = &got.cloud_function_configurations[0];
    assert!(func.cloud_function.ends_with("function:CreateThumbnail"));
    assert_eq!(func.common.config_id, None);
    assert_eq!(func.common.suffix_filter_rule.as_deref(), Some(".png"));
    assert!(got.event_bridge);
    assert!(!got.is_empty());

    let xml = got.to_xml().unwrap();
    assert!(
        xml.contains("<FilterRule><Name>prefix</Name><Value>images/</Value></FilterRule><FilterRule><Name>suffix</Name><Value>.jpg</Value></FilterRule>"),
        "{xml}"
    );
    assert!(xml.ends_with(
        "<EventBridgeConfiguration></EventBridgeConfiguration></NotificationConfiguration>"
    ));
    assert_eq!(
        NotificationConfiguration::from_xml(xml.as_bytes()).unwrap(),
        got
    );
}

#[test]
fn empty_notification_configuration() {
    let empty = NotificationConfiguration::default();
    assert!(empty.is_empty());
    let xml = empty.to_xml().unwrap();
    assert_eq!(
        xml,
        "<NotificationConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"></NotificationConfiguration>"
    );
    for doc in [
        xml.as_str(),
        "<NotificationConfiguration/>",
        // moto's answer for a bucket without notifications.
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<GetBucketNotificationResponse xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"/>",
        "<?xml version=\"1.0\"?>\n<NotificationConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">\n</NotificationConfiguration>",
    ] {
        assert_eq!(NotificationConfiguration::from_xml(doc.as_bytes()).unwrap(), empty);
    }
}

#[test]
fn replication_sample_parses_and_round_trips() {
    let got = ReplicationConfiguration::from_xml(REPLICATION.as_bytes()).unwrap();
    assert_eq!(
        got.role,
        "arn:aws:iam::35667example:role/CrossRegionReplicationRoleForS3"
    );
    assert_eq!(got.rules.len(), 2);
    let r = &got.rules[0];
    assert_eq!(r.id.as_deref(), Some("rule1"));
    assert_eq!(r.priority, Some(1));
    assert_eq!(r.status, "Enabled");
    let and = r.filter.as_ref().unwrap().and_operator.as_ref().unwrap();
    assert_eq!(and.prefix.as_deref(), Some("TaxDocs"));
    assert_eq!(and.tags, [tag("key1", "value1"), tag("key2", "value2")]);
    assert_eq!(r.delete_marker_replication.as_deref(), Some("Disabled"));
    assert_eq!(r.existing_object_replication.as_deref(), Some("Enabled"));
    let s = r.source_selection_criteria.as_ref().unwrap();
    assert_eq!(s.sse_kms_encrypted_objects.as_deref(), Some("Enabled"));
    assert_eq!(s.replica_modifications.as_deref(), Some("Disabled"));
    let d = &r.destination;
    assert_eq!(d.bucket_arn, "arn:aws:s3:::destinationbucket");
    assert_eq!(d.account.as_deref(), Some("111122223333"));
    assert_eq!(d.storage_class.as_deref(), Some("STANDARD_IA"));
    assert_eq!(d.access_control_translation.as_deref(), Some("Destination"));
    assert_eq!(
        d.replica_kms_key_id.as_deref(),
        Some("arn:aws:kms:us-east-1:111122223333:key/abc")
    );
    let t = d.replication_time.as_ref().unwrap();
    assert_eq!((t.status.as_str(), t.minutes), ("Enabled", Some(15)));
    let m = d.metrics.as_ref().unwrap();
    assert_eq!(
        (m.status.as_str(), m.event_threshold_minutes),
        ("Enabled", Some(15))
    );
    let legacy = &got.rules[1];
    assert_eq!(legacy.prefix.as_deref(), Some("Tax"));
    assert_eq!(legacy.filter, None);
    assert_eq!(legacy.destination.bucket_arn, "arn:aws:s3:::other");

    let xml = got.to_xml().unwrap();
    assert!(
        xml.contains(
            "<DeleteMarkerReplication><Status>Disabled</Status></DeleteMarkerReplication>"
        ),
        "{xml}"
    );
    assert!(xml.contains("<ReplicationTime><Status>Enabled</Status><Time><Minutes>15</Minutes></Time></ReplicationTime>"));
    assert_eq!(
        ReplicationConfiguration::from_xml(xml.as_bytes()).unwrap(),
        got
    );
}

type ParseFn = fn(&[u8]) -> Result<(), XmlError>;

fn parsers() -> [(&'static str, &'static str, ParseFn); 3] {
    [
        ("LifecycleConfiguration", LIFECYCLE, |b| {
            LifecycleConfiguration::from_xml(b).map(drop)
        }),
        ("NotificationConfiguration", NOTIFICATION, |b| {
            NotificationConfiguration::from_xml(b).map(drop)
        }),
        ("ReplicationConfiguration", REPLICATION, |b| {
            ReplicationConfiguration::from_xml(b).map(drop)
        }),
    ]
}

#[test]
fn truncated_documents_fail_typed() {
    for (doc, sample, parse) in parsers() {
        let bytes = sample.as_bytes();
        let root_end = sample.rfind("</").unwrap();
        for cut in 0..bytes.len() {
            if let Err(e) = parse(&bytes[..cut]) {
                assert_eq!(e.document(), doc);
                assert!(e.to_string().len() < 400, "{doc}: error too long: {e}");
            } else {
                assert!(cut > root_end, "{doc} cut at {cut} parsed");
            }
        }
    }
}

#[test]
fn corrupted_documents_never_panic() {
    let mut state: u64 = 0x2545_F491_4F6C_DD1D;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for (doc, sample, parse) in parsers() {
        for _ in 0..500 {
            let mut b = sample.as_bytes().to_vec();
            for _ in 0..=(next() % 3) {
                let i = (next() as usize) % b.len();
                b[i] = next() as u8;
            }
            if let Err(e) = parse(&b) {
                assert_eq!(e.document(), doc);
            }
        }
    }
}

#[test]
fn bad_values_are_typed_errors() {
    let bad_days = LIFECYCLE.replacen("<Days>30</Days>", "<Days>-3</Days>", 1);
    match LifecycleConfiguration::from_xml(bad_days.as_bytes()) {
        Err(XmlError::InvalidNumber { field, .. }) => assert_eq!(field, "Days"),
        other => panic!("{other:?}"),
    }
    let bad_size = LIFECYCLE.replacen("1048576", "99999999999999999999999", 1);
    match LifecycleConfiguration::from_xml(bad_size.as_bytes()) {
        Err(XmlError::InvalidNumber { field, .. }) => assert_eq!(field, "ObjectSizeGreaterThan"),
        other => panic!("{other:?}"),
    }
    let bad_bool = LIFECYCLE.replacen(">true<", ">yes<", 1);
    match LifecycleConfiguration::from_xml(bad_bool.as_bytes()) {
        Err(XmlError::InvalidBool { field, .. }) => assert_eq!(field, "ExpiredObjectDeleteMarker"),
        other => panic!("{other:?}"),
    }
    let bad_priority = REPLICATION.replacen("<Priority>1<", "<Priority>x<", 1);
    assert!(matches!(
        ReplicationConfiguration::from_xml(bad_priority.as_bytes()),
        Err(XmlError::InvalidNumber {
            field: "Priority",
            ..
        })
    ));
    for (doc, _, parse) in parsers() {
        match parse(b"<Tagging></Tagging>") {
            Err(XmlError::UnexpectedRoot { expected, .. }) => assert_eq!(expected, doc),
            other => panic!("{doc}: {other:?}"),
        }
    }
}

#[test]
fn unrepresentable_values_are_refused() {
    let mut cfg = expected_lifecycle();
    cfg.rules[0].id = Some("bad\u{1}id".into());
    assert!(matches!(
        cfg.to_xml(),
        Err(XmlError::Unrepresentable {
            field: "ID",
            character: '\u{1}',
            ..
        })
    ));
    let mut n = NotificationConfiguration::default();
    n.queue_configurations.push(QueueConfiguration::new(
        "arn",
        NotificationCommon::new(["s3:ObjectCreated:*"]).prefix_filter_rule("\u{fffe}"),
    ));
    assert!(matches!(
        n.to_xml(),
        Err(XmlError::Unrepresentable { field: "Value", .. })
    ));
    let mut r = ReplicationConfiguration::new("role", vec![]);
    r.role = "\u{0}".into();
    assert!(matches!(
        r.to_xml(),
        Err(XmlError::Unrepresentable { field: "Role", .. })
    ));
}
