//! `<ReplicationConfiguration>`: the `PutBucketReplication` body and the
//! `GetBucketReplication` answer.

use crate::read::{Child, Parser};
use crate::rule_filter::{parse_status, write_status, Filter};
use crate::write::Writer;
use crate::XmlError;

/// `<ReplicationConfiguration>`: the role S3 assumes to replicate and the
/// replication rules.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ReplicationConfiguration {
    /// `<Role>`: the ARN of the IAM role S3 assumes (empty for servers that
    /// need none).
    pub role: String,
    /// `<Rule>` elements, in document order.
    pub rules: Vec<ReplicationRule>,
}

/// One `<Rule>` of a [`ReplicationConfiguration`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ReplicationRule {
    /// `<ID>`: the rule's name, up to 255 characters.
    pub id: Option<String>,
    /// `<Status>`: `Enabled` or `Disabled`.
    pub status: String,
    /// `<Priority>`: which rule wins when several apply (higher wins).
    pub priority: Option<u32>,
    /// `<Filter>`: the objects the rule applies to (prefix, tag, or an
    /// `<And>` of a prefix and tags).
    pub filter: Option<Filter>,
    /// `<Prefix>` at rule level: the deprecated form of a prefix filter.
    pub prefix: Option<String>,
    /// `<DeleteMarkerReplication><Status>`: `Enabled` or `Disabled`.
    pub delete_marker_replication: Option<String>,
    /// `<ExistingObjectReplication><Status>`: `Enabled` or `Disabled`.
    pub existing_object_replication: Option<String>,
    /// `<SourceSelectionCriteria>`.
    pub source_selection_criteria: Option<SourceSelectionCriteria>,
    /// `<Destination>` (required).
    pub destination: Destination,
}

/// `<SourceSelectionCriteria>` of a replication rule.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct SourceSelectionCriteria {
    /// `<SseKmsEncryptedObjects><Status>`: replicate SSE-KMS objects.
    pub sse_kms_encrypted_objects: Option<String>,
    /// `<ReplicaModifications><Status>`: replicate changes made to replicas.
    pub replica_modifications: Option<String>,
}

/// `<Destination>` of a replication rule.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Destination {
    /// `<Bucket>`: the destination bucket's ARN (required).
    pub bucket_arn: String,
    /// `<Account>`: the destination bucket owner's account id.
    pub account: Option<String>,
    /// `<StorageClass>` of the replicas.
    pub storage_class: Option<String>,
    /// `<AccessControlTranslation><Owner>`: `Destination` to make the
    /// destination account own the replicas.
    pub access_control_translation: Option<String>,
    /// `<EncryptionConfiguration><ReplicaKmsKeyID>`: the KMS key of the
    /// replicas.
    pub replica_kms_key_id: Option<String>,
    /// `<ReplicationTime>`: S3 Replication Time Control.
    pub replication_time: Option<ReplicationTime>,
    /// `<Metrics>`: replication metrics.
    pub metrics: Option<Metrics>,
}

/// `<ReplicationTime>` of a destination.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ReplicationTime {
    /// `<Status>`: `Enabled` or `Disabled`.
    pub status: String,
    /// `<Time><Minutes>`: the replication deadline (S3 accepts 15).
    pub minutes: Option<u32>,
}

/// `<Metrics>` of a destination.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Metrics {
    /// `<Status>`: `Enabled` or `Disabled`.
    pub status: String,
    /// `<EventThreshold><Minutes>`: when a replication counts as late.
    pub event_threshold_minutes: Option<u32>,
}

impl ReplicationConfiguration {
    /// A configuration of `rules` replicated with the IAM role `role`.
    pub fn new(role: impl Into<String>, rules: Vec<ReplicationRule>) -> Self {
        ReplicationConfiguration {
            role: role.into(),
            rules,
        }
    }

    /// Parses a `<ReplicationConfiguration>` document. Missing elements
    /// read as `None` or empty; unknown ones are skipped.
    pub fn from_xml(xml: &[u8]) -> Result<Self, XmlError> {
        const DOC: &str = "ReplicationConfiguration";
        let (mut p, root) = Parser::open(xml, DOC, DOC)?;
        let mut out = ReplicationConfiguration::default();
        p.children(&root, |p, c| {
            match c.name() {
                b"Role" => out.role = p.text(&c)?,
                b"Rule" => out.rules.push(parse_rule(p, &c)?),
                _ => p.skip(&c)?,
            }
            Ok(())
        })?;
        Ok(out)
    }

    /// Serialises to `<ReplicationConfiguration xmlns="…"><Role>…</Role><Rule>…</Rule>…</ReplicationConfiguration>`,
    /// leaving out the `None` fields.
    pub fn to_xml(&self) -> Result<String, XmlError> {
        let mut w = Writer::new("ReplicationConfiguration", 64 + self.rules.len() * 320);
        w.element("Role", &self.role)?;
        for rule in &self.rules {
            write_rule(&mut w, rule)?;
        }
        Ok(w.finish())
    }
}

impl ReplicationRule {
    /// A rule with `status` (`Enabled` or `Disabled`) replicating to
    /// `destination`; add its id, priority and filter through the fields.
    pub fn new(status: impl Into<String>, destination: Destination) -> Self {
        ReplicationRule {
            status: status.into(),
            destination,
            ..ReplicationRule::default()
        }
    }
}

impl Destination {
    /// Replicate to the bucket `bucket_arn` (e.g. `arn:aws:s3:::backup`).
    pub fn new(bucket_arn: impl Into<String>) -> Self {
        Destination {
            bucket_arn: bucket_arn.into(),
            ..Destination::default()
        }
    }
}

fn parse_rule<'a>(p: &mut Parser<'a>, parent: &Child<'a>) -> Result<ReplicationRule, XmlError> {
    let mut r = ReplicationRule::default();
    p.children(parent, |p, c| {
        match c.name() {
            b"ID" => r.id = p.opt_text(&c)?,
            b"Status" => r.status = p.text(&c)?,
            b"Priority" => r.priority = Some(p.number(&c, "Priority")?),
            b"Filter" => r.filter = Some(Filter::parse(p, &c)?),
            b"Prefix" => r.prefix = p.opt_text(&c)?,
            b"DeleteMarkerReplication" => r.delete_marker_replication = Some(parse_status(p, &c)?),
            b"ExistingObjectReplication" => {
                r.existing_object_replication = Some(parse_status(p, &c)?)
            }
            b"SourceSelectionCriteria" => {
                let mut s = SourceSelectionCriteria::default();
                p.children(&c, |p, f| {
                    match f.name() {
                        b"SseKmsEncryptedObjects" => {
                            s.sse_kms_encrypted_objects = Some(parse_status(p, &f)?)
                        }
                        b"ReplicaModifications" => {
                            s.replica_modifications = Some(parse_status(p, &f)?)
                        }
                        _ => p.skip(&f)?,
                    }
                    Ok(())
                })?;
                r.source_selection_criteria = Some(s);
            }
            b"Destination" => r.destination = parse_destination(p, &c)?,
            _ => p.skip(&c)?,
        }
        Ok(())
    })?;
    Ok(r)
}

fn parse_destination<'a>(p: &mut Parser<'a>, parent: &Child<'a>) -> Result<Destination, XmlError> {
    let mut d = Destination::default();
    p.children(parent, |p, c| {
        match c.name() {
            b"Bucket" => d.bucket_arn = p.text(&c)?,
            b"Account" => d.account = p.opt_text(&c)?,
            b"StorageClass" => d.storage_class = p.opt_text(&c)?,
            b"AccessControlTranslation" => p.children(&c, |p, f| {
                if f.name() == b"Owner" {
                    d.access_control_translation = p.opt_text(&f)?;
                } else {
                    p.skip(&f)?;
                }
                Ok(())
            })?,
            b"EncryptionConfiguration" => p.children(&c, |p, f| {
                if f.name() == b"ReplicaKmsKeyID" {
                    d.replica_kms_key_id = p.opt_text(&f)?;
                } else {
                    p.skip(&f)?;
                }
                Ok(())
            })?,
            b"ReplicationTime" => {
                let mut t = ReplicationTime::default();
                p.children(&c, |p, f| {
                    match f.name() {
                        b"Status" => t.status = p.text(&f)?,
                        b"Time" => t.minutes = minutes(p, &f)?,
                        _ => p.skip(&f)?,
                    }
                    Ok(())
                })?;
                d.replication_time = Some(t);
            }
            b"Metrics" => {
                let mut m = Metrics::default();
                p.children(&c, |p, f| {
                    match f.name() {
                        b"Status" => m.status = p.text(&f)?,
                        b"EventThreshold" => m.event_threshold_minutes = minutes(p, &f)?,
                        _ => p.skip(&f)?,
                    }
                    Ok(())
                })?;
                d.metrics = Some(m);
            }
            _ => p.skip(&c)?,
        }
        Ok(())
    })?;
    Ok(d)
}

/// Reads the `<Minutes>` of a `<Time>` or `<EventThreshold>`.
fn minutes<'a>(p: &mut Parser<'a>, parent: &Child<'a>) -> Result<Option<u32>, XmlError> {
    let mut out = None;
    p.children(parent, |p, c| {
        if c.name() == b"Minutes" {
            out = Some(p.number(&c, "Minutes")?);
        } else {
            p.skip(&c)?;
        }
        Ok(())
    })?;
    Ok(out)
}

/// Writes `<name><Minutes>m</Minutes></name>` when `minutes` is set.
fn write_minutes(w: &mut Writer, name: &'static str, minutes: Option<u32>) {
    if let Some(m) = minutes {
        w.open(name);
        w.number("Minutes", u64::from(m));
        w.close(name);
    }
}

fn write_rule(w: &mut Writer, r: &ReplicationRule) -> Result<(), XmlError> {
    w.open("Rule");
    w.opt_element("ID", r.id.as_deref())?;
    if let Some(n) = r.priority {
        w.number("Priority", u64::from(n));
    }
    if let Some(f) = &r.filter {
        f.write(w)?;
    }
    w.opt_element("Prefix", r.prefix.as_deref())?;
    w.element("Status", &r.status)?;
    if let Some(s) = &r.source_selection_criteria {
        w.open("SourceSelectionCriteria");
        if let Some(st) = &s.sse_kms_encrypted_objects {
            write_status(w, "SseKmsEncryptedObjects", st)?;
        }
        if let Some(st) = &s.replica_modifications {
            write_status(w, "ReplicaModifications", st)?;
        }
        w.close("SourceSelectionCriteria");
    }
    if let Some(st) = &r.existing_object_replication {
        write_status(w, "ExistingObjectReplication", st)?;
    }
    let d = &r.destination;
    w.open("Destination");
    w.element("Bucket", &d.bucket_arn)?;
    w.opt_element("Account", d.account.as_deref())?;
    w.opt_element("StorageClass", d.storage_class.as_deref())?;
    if let Some(owner) = &d.access_control_translation {
        w.open("AccessControlTranslation");
        w.element("Owner", owner)?;
        w.close("AccessControlTranslation");
    }
    if let Some(key) = &d.replica_kms_key_id {
        w.open("EncryptionConfiguration");
        w.element("ReplicaKmsKeyID", key)?;
        w.close("EncryptionConfiguration");
    }
    if let Some(t) = &d.replication_time {
        w.open("ReplicationTime");
        w.element("Status", &t.status)?;
        write_minutes(w, "Time", t.minutes);
        w.close("ReplicationTime");
    }
    if let Some(m) = &d.metrics {
        w.open("Metrics");
        w.element("Status", &m.status)?;
        write_minutes(w, "EventThreshold", m.event_threshold_minutes);
        w.close("Metrics");
    }
    w.close("Destination");
    if let Some(st) = &r.delete_marker_replication {
        write_status(w, "DeleteMarkerReplication", st)?;
    }
    w.close("Rule");
    Ok(())
}
