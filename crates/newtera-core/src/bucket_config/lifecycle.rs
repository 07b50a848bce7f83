//! get_bucket_lifecycle, set_bucket_lifecycle, delete_bucket_lifecycle.

use std::collections::HashSet;

use newtera_xml::{Filter, LifecycleConfiguration, LifecycleRule};

use super::{bucket_config_op, ConfigBody};
use crate::client::Newtera;
use crate::error::{Error, Result};

/// The answer of a bucket without lifecycle rules.
const NOT_FOUND: &[&str] = &["NoSuchLifecycleConfiguration"];
/// Most rules S3 accepts in one configuration.
const MAX_RULES: usize = 1000;
/// Longest rule ID S3 accepts, in characters.
const MAX_ID_LEN: usize = 255;

bucket_config_op! {
    /// Reads a bucket's lifecycle configuration. Built by
    /// [`Newtera::get_bucket_lifecycle`]; `None` when it has none.
    GetBucketLifecycle {} => Option<LifecycleConfiguration>
}

bucket_config_op! {
    /// Sets a bucket's lifecycle configuration. Built by
    /// [`Newtera::set_bucket_lifecycle`].
    SetBucketLifecycle { config: LifecycleConfiguration } => ()
}

bucket_config_op! {
    /// Removes a bucket's lifecycle configuration. Built by
    /// [`Newtera::delete_bucket_lifecycle`].
    DeleteBucketLifecycle {} => ()
}

impl Newtera {
    /// Gets the lifecycle configuration of a bucket; `None` when it has
    /// none.
    pub fn get_bucket_lifecycle(&self, bucket_name: impl Into<String>) -> GetBucketLifecycle {
        GetBucketLifecycle {
            client: self.clone(),
            bucket: bucket_name.into(),
        }
    }

    /// Sets the lifecycle configuration of a bucket, replacing the rules it
    /// had. The configuration is checked first (1 to 1,000 rules, each with
    /// a status of `Enabled` or `Disabled`, a filter or a prefix, at least
    /// one action, unique IDs of at most 255 characters, coherent actions);
    /// nothing is sent when it breaks a rule. The body goes with its
    /// `Content-MD5`, which S3 requires for this request.
    pub fn set_bucket_lifecycle(
        &self,
        bucket_name: impl Into<String>,
        config: LifecycleConfiguration,
    ) -> SetBucketLifecycle {
        SetBucketLifecycle {
            client: self.clone(),
            bucket: bucket_name.into(),
            config,
        }
    }

    /// Deletes the lifecycle configuration of a bucket (success when it had
    /// none).
    pub fn delete_bucket_lifecycle(&self, bucket_name: impl Into<String>) -> DeleteBucketLifecycle {
        DeleteBucketLifecycle {
            client: self.clone(),
            bucket: bucket_name.into(),
        }
    }
}

impl GetBucketLifecycle {
    /// Sends the request.
    pub async fn send(self) -> Result<Option<LifecycleConfiguration>> {
        self.client
            .get_bucket_config_doc(
                "GetBucketLifecycleConfiguration",
                &self.bucket,
                "lifecycle",
                NOT_FOUND,
                LifecycleConfiguration::from_xml,
            )
            .await
    }
}

impl SetBucketLifecycle {
    /// Sends the request.
    pub async fn send(self) -> Result<()> {
        const OP: &str = "PutBucketLifecycleConfiguration";
        check_lifecycle(&self.config)?;
        let xml = self.config.to_xml().map_err(Error::xml(OP))?;
        self.client
            .put_bucket_config(OP, &self.bucket, "lifecycle", ConfigBody::Xml(xml))
            .await
    }
}

impl DeleteBucketLifecycle {
    /// Sends the request.
    pub async fn send(self) -> Result<()> {
        self.client
            .delete_bucket_config(
                "DeleteBucketLifecycle",
                &self.bucket,
                "lifecycle",
                NOT_FOUND,
            )
            .await
    }
}

/// `Err(InvalidArgument)` naming `config.rules` and the rule.
fn bad(i: usize, rule: &LifecycleRule, what: &str) -> Error {
    let name = match &rule.id {
        Some(id) => format!("rule {i} ({id:?})"),
        None => format!("rule {i}"),
    };
    Error::arg("config.rules", format!("{name}: {what}"))
}

/// Checks a rule ID: not blank, at most 255 characters.
pub(super) fn check_rule_id(id: &str) -> std::result::Result<(), &'static str> {
    if id.trim().is_empty() {
        Err("the ID is blank")
    } else if id.chars().count() > MAX_ID_LEN {
        Err("the ID is longer than 255 characters")
    } else {
        Ok(())
    }
}

/// Checks a status: `Enabled` or `Disabled`.
pub(super) fn check_status(status: &str) -> std::result::Result<(), &'static str> {
    match status {
        "Enabled" | "Disabled" => Ok(()),
        _ => Err("the status must be \"Enabled\" or \"Disabled\""),
    }
}

/// Checks the one-condition rule of a filter (several go into `<And>`).
pub(super) fn check_filter(f: &Filter) -> std::result::Result<(), &'static str> {
    if f.condition_count() > 1 {
        return Err("a filter holds one condition; put several into an AndOperator");
    }
    if let Some(and) = &f.and_operator {
        let n = usize::from(and.prefix.is_some())
            + and.tags.len()
            + usize::from(and.object_size_greater_than.is_some())
            + usize::from(and.object_size_less_than.is_some());
        if n == 0 {
            return Err("an AndOperator needs at least one condition");
        }
    }
    Ok(())
}

fn check_lifecycle(c: &LifecycleConfiguration) -> Result<()> {
    if c.rules.is_empty() || c.rules.len() > MAX_RULES {
        return Err(Error::arg(
            "config.rules",
            format!(
                "S3 takes 1 to {MAX_RULES} lifecycle rules, not {} (delete_bucket_lifecycle removes them all)",
                c.rules.len()
            ),
        ));
    }
    let mut ids = HashSet::new();
    for (i, r) in c.rules.iter().enumerate() {
        check_status(&r.status).map_err(|w| bad(i, r, w))?;
        if let Some(id) = &r.id {
            check_rule_id(id).map_err(|w| bad(i, r, w))?;
            if !ids.insert(id.as_str()) {
                return Err(bad(i, r, "another rule has the same ID"));
            }
        }
        match (&r.filter, &r.prefix) {
            (Some(f), None) => check_filter(f).map_err(|w| bad(i, r, w))?,
            (None, Some(_)) => {}
            (Some(_), Some(_)) => {
                return Err(bad(i, r, "a rule has a filter or a prefix, not both"))
            }
            (None, None) => {
                return Err(bad(
                    i,
                    r,
                    "a rule needs a filter (Filter::default() applies it to every object)",
                ))
            }
        }
        check_actions(r).map_err(|w| bad(i, r, w))?;
    }
    Ok(())
}

fn check_actions(r: &LifecycleRule) -> std::result::Result<(), &'static str> {
    if r.expiration.is_none()
        && r.transitions.is_empty()
        && r.noncurrent_version_expiration.is_none()
        && r.noncurrent_version_transitions.is_empty()
        && r.abort_incomplete_multipart_upload.is_none()
    {
        return Err("a rule needs at least one action (expiration, transition, noncurrent version expiration or transition, abort of incomplete multipart uploads)");
    }
    if let Some(e) = &r.expiration {
        let set = usize::from(e.date.is_some())
            + usize::from(e.days.is_some())
            + usize::from(e.expired_object_delete_marker.is_some());
        if set != 1 {
            return Err(
                "an expiration has exactly one of a date, days or expired_object_delete_marker",
            );
        }
    }
    for t in &r.transitions {
        if t.date.is_some() == t.days.is_some() {
            return Err("a transition has a date or days, not both or neither");
        }
        if t.storage_class.as_deref().is_none_or(str::is_empty) {
            return Err("a transition needs a storage class");
        }
    }
    if let Some(e) = &r.noncurrent_version_expiration {
        if e.noncurrent_days.is_none() {
            return Err("a noncurrent version expiration needs noncurrent_days");
        }
    }
    for t in &r.noncurrent_version_transitions {
        if t.noncurrent_days.is_none() {
            return Err("a noncurrent version transition needs noncurrent_days");
        }
        if t.storage_class.as_deref().is_none_or(str::is_empty) {
            return Err("a noncurrent version transition needs a storage class");
        }
    }
    if let Some(a) = &r.abort_incomplete_multipart_upload {
        if a.days_after_initiation.is_none() {
            return Err("an abort of incomplete multipart uploads needs days_after_initiation");
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use newtera_xml::{
        AbortIncompleteMultipartUpload, AndOperator, Expiration, NoncurrentVersionExpiration,
        NoncurrentVersionTransition, Transition,
    };

    fn expire(filter: Filter) -> LifecycleRule {
        let mut r = LifecycleRule::new("Enabled", filter);
        r.expiration = Some(Expiration::after_days(1));
        r
    }

    fn ok(rules: Vec<LifecycleRule>) -> bool {
        check_lifecycle(&LifecycleConfiguration::new(rules)).is_ok()
    }

    #[test]
    fn rules_and_filters() {
        assert!(ok(vec![expire(Filter::with_prefix("a/"))]));
        assert!(ok(vec![expire(Filter::default())]));
        assert!(!ok(vec![]));
        assert!(!ok(vec![expire(Filter::default()); 1001]));
        let mut two = Filter::with_prefix("a/");
        two.object_size_greater_than = Some(1);
        assert!(!ok(vec![expire(two)]));
        assert!(!ok(vec![expire(Filter::with_and(AndOperator::default()))]));
        let mut and = AndOperator::new(Some("a/".into()), vec![]);
        and.object_size_less_than = Some(10);
        assert!(ok(vec![expire(Filter::with_and(and))]));
        let mut legacy = expire(Filter::default());
        legacy.filter = None;
        assert!(!ok(vec![legacy.clone()]));
        legacy.prefix = Some("old/".into());
        assert!(ok(vec![legacy.clone()]));
        legacy.filter = Some(Filter::default());
        assert!(!ok(vec![legacy]));
    }

    #[test]
    fn status_and_ids() {
        let mut r = expire(Filter::default());
        r.status = "enabled".into();
        assert!(!ok(vec![r]));
        let mut a = expire(Filter::default());
        a.id = Some("x".repeat(255));
        assert!(ok(vec![a.clone()]));
        assert!(!ok(vec![a.clone(), a.clone()]));
        a.id = Some("x".repeat(256));
        assert!(!ok(vec![a.clone()]));
        a.id = Some("  ".into());
        assert!(!ok(vec![a]));
    }

    #[test]
    fn actions() {
        let mut r = LifecycleRule::new("Enabled", Filter::default());
        assert!(!ok(vec![r.clone()]));
        r.expiration = Some(Expiration::default());
        assert!(!ok(vec![r.clone()]));
        let mut both = Expiration::after_days(3);
        both.date = Some("2030-01-01T00:00:00Z".into());
        r.expiration = Some(both);
        assert!(!ok(vec![r.clone()]));
        r.expiration = Some(Expiration::expired_object_delete_marker());
        assert!(ok(vec![r.clone()]));
        r.transitions = vec![Transition::after_days(30, "GLACIER")];
        assert!(ok(vec![r.clone()]));
        r.transitions[0].storage_class = None;
        assert!(!ok(vec![r.clone()]));
        r.transitions[0] = Transition::default();
        assert!(!ok(vec![r.clone()]));
        r.transitions.clear();
        r.noncurrent_version_expiration = Some(NoncurrentVersionExpiration::default());
        assert!(!ok(vec![r.clone()]));
        r.noncurrent_version_expiration = Some(NoncurrentVersionExpiration::new(3, Some(2)));
        r.noncurrent_version_transitions = vec![NoncurrentVersionTransition::new(1, "GLACIER")];
        r.abort_incomplete_multipart_upload = Some(AbortIncompleteMultipartUpload::new(2));
        assert!(ok(vec![r.clone()]));
        r.abort_incomplete_multipart_upload = Some(AbortIncompleteMultipartUpload::default());
        assert!(!ok(vec![r]));
    }
}
