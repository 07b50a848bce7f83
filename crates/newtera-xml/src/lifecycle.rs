//! `<LifecycleConfiguration>`: the `PutBucketLifecycleConfiguration` body
//! and the `GetBucketLifecycleConfiguration` answer.

use crate::read::{Child, Parser};
use crate::rule_filter::Filter;
use crate::write::Writer;
use crate::XmlError;

/// `<LifecycleConfiguration>`: the lifecycle rules of a bucket.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct LifecycleConfiguration {
    /// `<Rule>` elements, in document order.
    pub rules: Vec<LifecycleRule>,
}

/// One `<Rule>` of a [`LifecycleConfiguration`].
///
/// A rule needs a status, which objects it applies to (a [`Filter`], or the
/// deprecated rule-level `prefix`) and at least one action (expiration,
/// transition, noncurrent-version expiration or transition, abort of
/// incomplete multipart uploads).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct LifecycleRule {
    /// `<ID>`: the rule's name, up to 255 characters.
    pub id: Option<String>,
    /// `<Status>`: `Enabled` or `Disabled`.
    pub status: String,
    /// `<Filter>`: the objects the rule applies to.
    pub filter: Option<Filter>,
    /// `<Prefix>` at rule level: the deprecated form of a prefix filter,
    /// kept so that older configurations read back as they are.
    pub prefix: Option<String>,
    /// `<Expiration>`: when current versions expire.
    pub expiration: Option<Expiration>,
    /// `<Transition>` elements: when current versions move to another
    /// storage class.
    pub transitions: Vec<Transition>,
    /// `<NoncurrentVersionExpiration>`: when noncurrent versions expire.
    pub noncurrent_version_expiration: Option<NoncurrentVersionExpiration>,
    /// `<NoncurrentVersionTransition>` elements: when noncurrent versions
    /// move to another storage class.
    pub noncurrent_version_transitions: Vec<NoncurrentVersionTransition>,
    /// `<AbortIncompleteMultipartUpload>`: when unfinished uploads are
    /// aborted.
    pub abort_incomplete_multipart_upload: Option<AbortIncompleteMultipartUpload>,
}

/// `<Expiration>` of a lifecycle rule: a date, a number of days after
/// creation, or the removal of expired delete markers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Expiration {
    /// `<Date>`: ISO 8601 at midnight UTC, e.g. `2030-01-01T00:00:00Z`.
    pub date: Option<String>,
    /// `<Days>` after the object's creation.
    pub days: Option<u32>,
    /// `<ExpiredObjectDeleteMarker>`: remove delete markers that have no
    /// noncurrent version left behind them.
    pub expired_object_delete_marker: Option<bool>,
}

/// `<Transition>` of a lifecycle rule: move current versions to
/// `storage_class` on a date or after some days.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Transition {
    /// `<Date>`: ISO 8601 at midnight UTC.
    pub date: Option<String>,
    /// `<Days>` after the object's creation.
    pub days: Option<u32>,
    /// `<StorageClass>`, e.g. `GLACIER` or `STANDARD_IA`.
    pub storage_class: Option<String>,
}

/// `<NoncurrentVersionExpiration>` of a lifecycle rule.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct NoncurrentVersionExpiration {
    /// `<NoncurrentDays>`: days after a version became noncurrent.
    pub noncurrent_days: Option<u32>,
    /// `<NewerNoncurrentVersions>`: how many newer noncurrent versions to
    /// keep before this action applies.
    pub newer_noncurrent_versions: Option<u32>,
}

/// `<NoncurrentVersionTransition>` of a lifecycle rule.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct NoncurrentVersionTransition {
    /// `<NoncurrentDays>`: days after a version became noncurrent.
    pub noncurrent_days: Option<u32>,
    /// `<NewerNoncurrentVersions>`: how many newer noncurrent versions to
    /// keep in the current storage class.
    pub newer_noncurrent_versions: Option<u32>,
    /// `<StorageClass>` to move the versions to.
    pub storage_class: Option<String>,
}

/// `<AbortIncompleteMultipartUpload>` of a lifecycle rule.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct AbortIncompleteMultipartUpload {
    /// `<DaysAfterInitiation>`.
    pub days_after_initiation: Option<u32>,
}

impl LifecycleConfiguration {
    /// A configuration of `rules`.
    pub fn new(rules: Vec<LifecycleRule>) -> Self {
        LifecycleConfiguration { rules }
    }

    /// Parses a `<LifecycleConfiguration>` document. Missing elements read
    /// as `None` (a missing `<Status>` as empty); unknown ones are skipped.
    pub fn from_xml(xml: &[u8]) -> Result<Self, XmlError> {
        const DOC: &str = "LifecycleConfiguration";
        let (mut p, root) = Parser::open(xml, DOC, DOC)?;
        let mut out = LifecycleConfiguration::default();
        p.children(&root, |p, c| {
            if c.name() == b"Rule" {
                out.rules.push(parse_rule(p, &c)?);
            } else {
                p.skip(&c)?;
            }
            Ok(())
        })?;
        Ok(out)
    }

    /// Serialises to `<LifecycleConfiguration xmlns="…"><Rule>…</Rule>…</LifecycleConfiguration>`,
    /// leaving out the `None` fields.
    pub fn to_xml(&self) -> Result<String, XmlError> {
        let mut w = Writer::new("LifecycleConfiguration", self.rules.len() * 256);
        for rule in &self.rules {
            write_rule(&mut w, rule)?;
        }
        Ok(w.finish())
    }
}

impl LifecycleRule {
    /// A rule with `status` (`Enabled` or `Disabled`) and `filter`; add its
    /// id and actions through the fields.
    pub fn new(status: impl Into<String>, filter: Filter) -> Self {
        LifecycleRule {
            status: status.into(),
            filter: Some(filter),
            ..LifecycleRule::default()
        }
    }
}

impl Expiration {
    /// Expire `days` after creation.
    pub fn after_days(days: u32) -> Self {
        Expiration {
            days: Some(days),
            ..Expiration::default()
        }
    }

    /// Expire on `date` (ISO 8601 at midnight UTC).
    pub fn on_date(date: impl Into<String>) -> Self {
        Expiration {
            date: Some(date.into()),
            ..Expiration::default()
        }
    }

    /// Remove expired delete markers.
    pub fn expired_object_delete_marker() -> Self {
        Expiration {
            expired_object_delete_marker: Some(true),
            ..Expiration::default()
        }
    }
}

impl Transition {
    /// Move to `storage_class` `days` after creation.
    pub fn after_days(days: u32, storage_class: impl Into<String>) -> Self {
        Transition {
            days: Some(days),
            storage_class: Some(storage_class.into()),
            ..Transition::default()
        }
    }

    /// Move to `storage_class` on `date` (ISO 8601 at midnight UTC).
    pub fn on_date(date: impl Into<String>, storage_class: impl Into<String>) -> Self {
        Transition {
            date: Some(date.into()),
            storage_class: Some(storage_class.into()),
            ..Transition::default()
        }
    }
}

impl NoncurrentVersionExpiration {
    /// Expire versions `noncurrent_days` after they became noncurrent,
    /// keeping the newest `newer_noncurrent_versions` if given.
    pub fn new(noncurrent_days: u32, newer_noncurrent_versions: Option<u32>) -> Self {
        NoncurrentVersionExpiration {
            noncurrent_days: Some(noncurrent_days),
            newer_noncurrent_versions,
        }
    }
}

impl NoncurrentVersionTransition {
    /// Move versions to `storage_class` `noncurrent_days` after they
    /// became noncurrent.
    pub fn new(noncurrent_days: u32, storage_class: impl Into<String>) -> Self {
        NoncurrentVersionTransition {
            noncurrent_days: Some(noncurrent_days),
            storage_class: Some(storage_class.into()),
            ..NoncurrentVersionTransition::default()
        }
    }
}

impl AbortIncompleteMultipartUpload {
    /// Abort uploads `days_after_initiation` days after they started.
    pub fn new(days_after_initiation: u32) -> Self {
        AbortIncompleteMultipartUpload {
            days_after_initiation: Some(days_after_initiation),
        }
    }
}

fn parse_rule<'a>(p: &mut Parser<'a>, parent: &Child<'a>) -> Result<LifecycleRule, XmlError> {
    let mut r = LifecycleRule::default();
    p.children(parent, |p, c| {
        match c.name() {
            b"ID" => r.id = p.opt_text(&c)?,
            b"Status" => r.status = p.text(&c)?,
            b"Filter" => r.filter = Some(Filter::parse(p, &c)?),
            b"Prefix" => r.prefix = p.opt_text(&c)?,
            b"Expiration" => {
                let mut e = Expiration::default();
                p.children(&c, |p, f| {
                    match f.name() {
                        b"Date" => e.date = p.opt_text(&f)?,
                        b"Days" => e.days = Some(p.number(&f, "Days")?),
                        b"ExpiredObjectDeleteMarker" => {
                            e.expired_object_delete_marker =
                                Some(p.boolean(&f, "ExpiredObjectDeleteMarker")?)
                        }
                        _ => p.skip(&f)?,
                    }
                    Ok(())
                })?;
                r.expiration = Some(e);
            }
            b"Transition" => {
                let mut t = Transition::default();
                p.children(&c, |p, f| {
                    match f.name() {
                        b"Date" => t.date = p.opt_text(&f)?,
                        b"Days" => t.days = Some(p.number(&f, "Days")?),
                        b"StorageClass" => t.storage_class = p.opt_text(&f)?,
                        _ => p.skip(&f)?,
                    }
                    Ok(())
                })?;
                r.transitions.push(t);
            }
            b"NoncurrentVersionExpiration" => {
                let mut e = NoncurrentVersionExpiration::default();
                p.children(&c, |p, f| {
                    match f.name() {
                        b"NoncurrentDays" => {
                            e.noncurrent_days = Some(p.number(&f, "NoncurrentDays")?)
                        }
                        b"NewerNoncurrentVersions" => {
                            e.newer_noncurrent_versions =
                                Some(p.number(&f, "NewerNoncurrentVersions")?)
                        }
                        _ => p.skip(&f)?,
                    }
                    Ok(())
                })?;
                r.noncurrent_version_expiration = Some(e);
            }
            b"NoncurrentVersionTransition" => {
                let mut t = NoncurrentVersionTransition::default();
                p.children(&c, |p, f| {
                    match f.name() {
                        b"NoncurrentDays" => {
                            t.noncurrent_days = Some(p.number(&f, "NoncurrentDays")?)
                        }
                        b"NewerNoncurrentVersions" => {
                            t.newer_noncurrent_versions =
                                Some(p.number(&f, "NewerNoncurrentVersions")?)
                        }
                        b"StorageClass" => t.storage_class = p.opt_text(&f)?,
                        _ => p.skip(&f)?,
                    }
                    Ok(())
                })?;
                r.noncurrent_version_transitions.push(t);
            }
            b"AbortIncompleteMultipartUpload" => {
                let mut a = AbortIncompleteMultipartUpload::default();
                p.children(&c, |p, f| {
                    if f.name() == b"DaysAfterInitiation" {
                        a.days_after_initiation = Some(p.number(&f, "DaysAfterInitiation")?);
                    } else {
                        p.skip(&f)?;
                    }
                    Ok(())
                })?;
                r.abort_incomplete_multipart_upload = Some(a);
            }
            _ => p.skip(&c)?,
        }
        Ok(())
    })?;
    Ok(r)
}

fn opt_number(w: &mut Writer, name: &'static str, n: Option<u32>) {
    if let Some(n) = n {
        w.number(name, u64::from(n));
    }
}

fn write_rule(w: &mut Writer, r: &LifecycleRule) -> Result<(), XmlError> {
    w.open("Rule");
    w.opt_element("ID", r.id.as_deref())?;
    if let Some(f) = &r.filter {
        f.write(w)?;
    }
    w.opt_element("Prefix", r.prefix.as_deref())?;
    w.element("Status", &r.status)?;
    if let Some(e) = &r.expiration {
        w.open("Expiration");
        w.opt_element("Date", e.date.as_deref())?;
        opt_number(w, "Days", e.days);
        if let Some(b) = e.expired_object_delete_marker {
            w.element(
                "ExpiredObjectDeleteMarker",
                if b { "true" } else { "false" },
            )?;
        }
        w.close("Expiration");
    }
    for t in &r.transitions {
        w.open("Transition");
        w.opt_element("Date", t.date.as_deref())?;
        opt_number(w, "Days", t.days);
        w.opt_element("StorageClass", t.storage_class.as_deref())?;
        w.close("Transition");
    }
    for t in &r.noncurrent_version_transitions {
        w.open("NoncurrentVersionTransition");
        opt_number(w, "NoncurrentDays", t.noncurrent_days);
        opt_number(w, "NewerNoncurrentVersions", t.newer_noncurrent_versions);
        w.opt_element("StorageClass", t.storage_class.as_deref())?;
        w.close("NoncurrentVersionTransition");
    }
    if let Some(e) = &r.noncurrent_version_expiration {
        w.open("NoncurrentVersionExpiration");
        opt_number(w, "NoncurrentDays", e.noncurrent_days);
        opt_number(w, "NewerNoncurrentVersions", e.newer_noncurrent_versions);
        w.close("NoncurrentVersionExpiration");
    }
    if let Some(a) = &r.abort_incomplete_multipart_upload {
        w.open("AbortIncompleteMultipartUpload");
        opt_number(w, "DaysAfterInitiation", a.days_after_initiation);
        w.close("AbortIncompleteMultipartUpload");
    }
    w.close("Rule");
    Ok(())
}
