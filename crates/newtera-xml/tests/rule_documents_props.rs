//! Property tests: every lifecycle, notification and replication model
//! serialises and parses back to itself, whatever its values (text with
//! markup characters, white space, line ends and non-ASCII included).
#![allow(clippy::unwrap_used)] // tests may panic on purpose

use newtera_xml::*;
use proptest::collection::vec;
use proptest::option::of;
use proptest::prelude::*;

/// Text XML 1.0 can carry: markup characters, blanks, CR/LF, non-ASCII.
fn text() -> impl Strategy<Value = String> {
    "[a-zA-Z0-9 /&<>\"'\t\r\n._*:=-]{0,12}|[\\PC]{0,6}"
}

fn tag() -> impl Strategy<Value = Tag> {
    (text(), text()).prop_map(|(k, v)| Tag::new(k, v))
}

fn and_operator() -> impl Strategy<Value = AndOperator> {
    (
        of(text()),
        vec(tag(), 0..3),
        of(any::<u64>()),
        of(any::<u64>()),
    )
        .prop_map(|(prefix, tags, gt, lt)| {
            let mut a = AndOperator::new(prefix, tags);
            a.object_size_greater_than = gt;
            a.object_size_less_than = lt;
            a
        })
}

fn filter() -> impl Strategy<Value = Filter> {
    (
        of(and_operator()),
        of(text()),
        of(tag()),
        of(any::<u64>()),
        of(any::<u64>()),
    )
        .prop_map(|(and, prefix, tag, gt, lt)| {
            let mut f = Filter::default();
            f.and_operator = and;
            f.prefix = prefix;
            f.tag = tag;
            f.object_size_greater_than = gt;
            f.object_size_less_than = lt;
            f
        })
}

fn lifecycle_rule() -> impl Strategy<Value = LifecycleRule> {
    let expiration = (of(text()), of(any::<u32>()), of(any::<bool>())).prop_map(|(d, n, m)| {
        let mut e = Expiration::default();
        e.date = d;
        e.days = n;
        e.expired_object_delete_marker = m;
        e
    });
    let transition = (of(text()), of(any::<u32>()), of(text())).prop_map(|(d, n, s)| {
        let mut t = Transition::default();
        t.date = d;
        t.days = n;
        t.storage_class = s;
        t
    });
    let nc_expiration = (of(any::<u32>()), of(any::<u32>())).prop_map(|(d, n)| {
        let mut e = NoncurrentVersionExpiration::default();
        e.noncurrent_days = d;
        e.newer_noncurrent_versions = n;
        e
    });
    let nc_transition = (of(any::<u32>()), of(any::<u32>()), of(text())).prop_map(|(d, n, s)| {
        let mut t = NoncurrentVersionTransition::default();
        t.noncurrent_days = d;
        t.newer_noncurrent_versions = n;
        t.storage_class = s;
        t
    });
    let abort = of(any::<u32>()).prop_map(|d| {
        let mut a = AbortIncompleteMultipartUpload::default();
        a.days_after_initiation = d;
        a
    });
    (
        (of(text()), text(), of(filter()), of(text())),
        (
            of(expiration),
            vec(transition, 0..3),
            of(nc_expiration),
            vec(nc_transition, 0..3),
            of(abort),
        ),
    )
        .prop_map(|((id, status, filter, prefix), (e, t, nce, nct, a))| {
            let mut r = LifecycleRule::default();
            r.id = id;
            r.status = status;
            r.filter = filter;
            r.prefix = prefix;
            r.expiration = e;
            r.transitions = t;
            r.noncurrent_version_expiration = nce;
            r.noncurrent_version_transitions = nct;
            r.abort_incomplete_multipart_upload = a;
            r
        })
}

fn common() -> impl Strategy<Value = NotificationCommon> {
    (vec(text(), 0..4), of(text()), of(text()), of(text())).prop_map(|(events, id, p, s)| {
        let mut c = NotificationCommon::new(events);
        c.config_id = id;
        c.prefix_filter_rule = p;
        c.suffix_filter_rule = s;
        c
    })
}

fn notification() -> impl Strategy<Value = NotificationConfiguration> {
    (
        vec((text(), common()), 0..3),
        vec((text(), common()), 0..3),
        vec((text(), common()), 0..3),
        any::<bool>(),
    )
        .prop_map(|(q, t, f, eb)| {
            let mut n = NotificationConfiguration::default();
            n.queue_configurations = q
                .into_iter()
                .map(|(a, c)| QueueConfiguration::new(a, c))
                .collect();
            n.topic_configurations = t
                .into_iter()
                .map(|(a, c)| TopicConfiguration::new(a, c))
                .collect();
            n.cloud_function_configurations = f
                .into_iter()
                .map(|(a, c)| CloudFunctionConfiguration::new(a, c))
                .collect();
            n.event_bridge = eb;
            n
        })
}

fn destination() -> impl Strategy<Value = Destination> {
    let rt = (text(), of(any::<u32>())).prop_map(|(s, m)| {
        let mut t = ReplicationTime::default();
        t.status = s;
        t.minutes = m;
        t
    });
    let metrics = (text(), of(any::<u32>())).prop_map(|(s, m)| {
        let mut t = Metrics::default();
        t.status = s;
        t.event_threshold_minutes = m;
        t
    });
    (
        text(),
        of(text()),
        of(text()),
        of(text()),
        of(text()),
        of(rt),
        of(metrics),
    )
        .prop_map(|(bucket, account, sc, acl, kms, rt, m)| {
            let mut d = Destination::new(bucket);
            d.account = account;
            d.storage_class = sc;
            d.access_control_translation = acl;
            d.replica_kms_key_id = kms;
            d.replication_time = rt;
            d.metrics = m;
            d
        })
}

fn replication_rule() -> impl Strategy<Value = ReplicationRule> {
    let ssc = (of(text()), of(text())).prop_map(|(a, b)| {
        let mut s = SourceSelectionCriteria::default();
        s.sse_kms_encrypted_objects = a;
        s.replica_modifications = b;
        s
    });
    (
        (
            of(text()),
            text(),
            of(any::<u32>()),
            of(filter()),
            of(text()),
        ),
        (of(text()), of(text()), of(ssc), destination()),
    )
        .prop_map(|((id, status, prio, filter, prefix), (dm, eo, ssc, d))| {
            let mut r = ReplicationRule::new(status, d);
            r.id = id;
            r.priority = prio;
            r.filter = filter;
            r.prefix = prefix;
            r.delete_marker_replication = dm;
            r.existing_object_replication = eo;
            r.source_selection_criteria = ssc;
            r
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn lifecycle_round_trips(rules in vec(lifecycle_rule(), 0..4)) {
        let v = LifecycleConfiguration::new(rules);
        let xml = v.to_xml().unwrap();
        prop_assert_eq!(LifecycleConfiguration::from_xml(xml.as_bytes()).unwrap(), v);
    }

    #[test]
    fn notification_round_trips(v in notification()) {
        let xml = v.to_xml().unwrap();
        prop_assert_eq!(NotificationConfiguration::from_xml(xml.as_bytes()).unwrap(), v);
    }

    #[test]
    fn replication_round_trips(role in text(), rules in vec(replication_rule(), 0..4)) {
        let v = ReplicationConfiguration::new(role, rules);
        let xml = v.to_xml().unwrap();
        prop_assert_eq!(ReplicationConfiguration::from_xml(xml.as_bytes()).unwrap(), v);
    }
}
