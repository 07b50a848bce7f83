//! Arbitrary lifecycle, notification and replication configurations for the
//! `serializer_roundtrip` target: every field of the models, any text
//! (including characters XML 1.0 cannot carry), then `to_xml` and back.

use arbitrary::Arbitrary;
use newtera_xml::{
    AbortIncompleteMultipartUpload, AndOperator, CloudFunctionConfiguration, Destination,
    Expiration, Filter, LifecycleConfiguration, LifecycleRule, Metrics,
    NoncurrentVersionExpiration, NoncurrentVersionTransition, NotificationCommon,
    NotificationConfiguration, QueueConfiguration, ReplicationConfiguration, ReplicationRule,
    ReplicationTime, SourceSelectionCriteria, Tag, TopicConfiguration, Transition,
};

use crate::reserialize;
use crate::rules::Strings;

type Pair = (String, String);
/// Prefix, tags and size bounds of an `<And>`.
type AndInput = (Option<String>, Vec<Pair>, Option<u64>, Option<u64>);

/// The fields of a [`Filter`] (`and` holds prefix, tags, size bounds).
#[derive(Debug, Arbitrary)]
pub struct FilterInput {
    and: Option<AndInput>,
    prefix: Option<String>,
    tag: Option<Pair>,
    greater: Option<u64>,
    less: Option<u64>,
}

/// The fields of a [`LifecycleRule`].
#[derive(Debug, Arbitrary)]
pub struct LifecycleInput {
    id: Option<String>,
    status: String,
    filter: Option<FilterInput>,
    prefix: Option<String>,
    expiration: Option<(Option<String>, Option<u32>, Option<bool>)>,
    transitions: Vec<(Option<String>, Option<u32>, Option<String>)>,
    noncurrent_expiration: Option<(Option<u32>, Option<u32>)>,
    noncurrent_transitions: Vec<(Option<u32>, Option<u32>, Option<String>)>,
    abort: Option<Option<u32>>,
}

/// One notification target: kind (queue, topic, function), ARN, events,
/// id, prefix and suffix rules.
#[derive(Debug, Arbitrary)]
pub struct TargetInput {
    kind: u8,
    arn: String,
    events: Vec<String>,
    id: Option<String>,
    prefix: Option<String>,
    suffix: Option<String>,
}

/// The fields of a [`ReplicationRule`] and its [`Destination`].
#[derive(Debug, Arbitrary)]
pub struct ReplicationInput {
    id: Option<String>,
    status: String,
    priority: Option<u32>,
    filter: Option<FilterInput>,
    prefix: Option<String>,
    delete_markers: Option<String>,
    existing: Option<String>,
    selection: Option<(Option<String>, Option<String>)>,
    bucket: String,
    account: Option<String>,
    storage_class: Option<String>,
    owner: Option<String>,
    kms_key: Option<String>,
    time: Option<(String, Option<u32>)>,
    metrics: Option<(String, Option<u32>)>,
}

fn tag((key, value): Pair) -> Tag {
    Tag::new(key, value)
}

fn filter(f: FilterInput) -> Filter {
    let mut out = Filter::default();
    out.and_operator = f.and.map(|(prefix, tags, greater, less)| {
        let mut and = AndOperator::new(prefix, tags.into_iter().map(tag).collect());
        and.object_size_greater_than = greater;
        and.object_size_less_than = less;
        and
    });
    out.prefix = f.prefix;
    out.tag = f.tag.map(tag);
    out.object_size_greater_than = f.greater;
    out.object_size_less_than = f.less;
    out
}

fn lifecycle_rule(i: LifecycleInput) -> LifecycleRule {
    let mut r = LifecycleRule::default();
    r.id = i.id;
    r.status = i.status;
    r.filter = i.filter.map(filter);
    r.prefix = i.prefix;
    r.expiration = i.expiration.map(|(date, days, marker)| {
        let mut e = Expiration::default();
        e.date = date;
        e.days = days;
        e.expired_object_delete_marker = marker;
        e
    });
    r.transitions = i
        .transitions
        .into_iter()
        .map(|(date, days, class)| {
            let mut t = Transition::default();
            t.date = date;
            t.days = days;
            t.storage_class = class;
            t
        })
        .collect();
    r.noncurrent_version_expiration = i.noncurrent_expiration.map(|(days, newer)| {
        let mut e = NoncurrentVersionExpiration::default();
        e.noncurrent_days = days;
        e.newer_noncurrent_versions = newer;
        e
    });
    r.noncurrent_version_transitions = i
        .noncurrent_transitions
        .into_iter()
        .map(|(days, newer, class)| {
            let mut t = NoncurrentVersionTransition::default();
            t.noncurrent_days = days;
            t.newer_noncurrent_versions = newer;
            t.storage_class = class;
            t
        })
        .collect();
    r.abort_incomplete_multipart_upload = i.abort.map(|days| {
        let mut a = AbortIncompleteMultipartUpload::default();
        a.days_after_initiation = days;
        a
    });
    r
}

/// Serialises the lifecycle configuration of `rules` and checks the round
/// trip (see [`reserialize`]).
pub fn check_lifecycle(rules: Vec<LifecycleInput>) {
    let v = LifecycleConfiguration::new(rules.into_iter().map(lifecycle_rule).collect());
    let strings = v.all_strings();
    reserialize(
        &v,
        &strings,
        LifecycleConfiguration::to_xml,
        LifecycleConfiguration::from_xml,
    );
}

/// Serialises the notification configuration of `targets` and checks the
/// round trip.
pub fn check_notification(targets: Vec<TargetInput>, event_bridge: bool) {
    let mut v = NotificationConfiguration::default();
    for t in targets {
        let mut common = NotificationCommon::new(t.events);
        common.config_id = t.id;
        common.prefix_filter_rule = t.prefix;
        common.suffix_filter_rule = t.suffix;
        match t.kind % 3 {
            0 => v
                .queue_configurations
                .push(QueueConfiguration::new(t.arn, common)),
            1 => v
                .topic_configurations
                .push(TopicConfiguration::new(t.arn, common)),
            _ => v
                .cloud_function_configurations
                .push(CloudFunctionConfiguration::new(t.arn, common)),
        }
    }
    v.event_bridge = event_bridge;
    let strings = v.all_strings();
    reserialize(
        &v,
        &strings,
        NotificationConfiguration::to_xml,
        NotificationConfiguration::from_xml,
    );
}

fn replication_rule(i: ReplicationInput) -> ReplicationRule {
    let mut d = Destination::new(i.bucket);
    d.account = i.account;
    d.storage_class = i.storage_class;
    d.access_control_translation = i.owner;
    d.replica_kms_key_id = i.kms_key;
    d.replication_time = i.time.map(|(status, minutes)| {
        let mut t = ReplicationTime::default();
        t.status = status;
        t.minutes = minutes;
        t
    });
    d.metrics = i.metrics.map(|(status, minutes)| {
        let mut m = Metrics::default();
        m.status = status;
        m.event_threshold_minutes = minutes;
        m
    });
    let mut r = ReplicationRule::new(i.status, d);
    r.id = i.id;
    r.priority = i.priority;
    r.filter = i.filter.map(filter);
    r.prefix = i.prefix;
    r.delete_marker_replication = i.delete_markers;
    r.existing_object_replication = i.existing;
    r.source_selection_criteria = i.selection.map(|(kms, replicas)| {
        let mut s = SourceSelectionCriteria::default();
        s.sse_kms_encrypted_objects = kms;
        s.replica_modifications = replicas;
        s
    });
    r
}

/// Serialises the replication configuration of `role` and `rules` and
/// checks the round trip.
pub fn check_replication(role: String, rules: Vec<ReplicationInput>) {
    let v = ReplicationConfiguration::new(role, rules.into_iter().map(replication_rule).collect());
    let strings = v.all_strings();
    reserialize(
        &v,
        &strings,
        ReplicationConfiguration::to_xml,
        ReplicationConfiguration::from_xml,
    );
}
