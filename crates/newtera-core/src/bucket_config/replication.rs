//! get_bucket_replication, set_bucket_replication, delete_bucket_replication.

use std::collections::HashSet;

use newtera_xml::{ReplicationConfiguration, ReplicationRule};

use super::lifecycle::{check_filter, check_rule_id, check_status};
use super::{bucket_config_op, ConfigBody};
use crate::client::Newtera;
use crate::error::{Error, Result};

/// The answer of a bucket without replication rules.
const NOT_FOUND: &[&str] = &["ReplicationConfigurationNotFoundError"];
/// Most rules S3 accepts in one configuration.
const MAX_RULES: usize = 1000;

bucket_config_op! {
    /// Reads a bucket's replication configuration. Built by
    /// [`Newtera::get_bucket_replication`]; `None` when it has none.
    GetBucketReplication {} => Option<ReplicationConfiguration>
}

bucket_config_op! {
    /// Sets a bucket's replication configuration. Built by
    /// [`Newtera::set_bucket_replication`].
    SetBucketReplication { config: ReplicationConfiguration } => ()
}

bucket_config_op! {
    /// Removes a bucket's replication configuration. Built by
    /// [`Newtera::delete_bucket_replication`].
    DeleteBucketReplication {} => ()
}

impl Newtera {
    /// Gets the replication configuration of a bucket; `None` when it has
    /// none.
    pub fn get_bucket_replication(&self, bucket_name: impl Into<String>) -> GetBucketReplication {
        GetBucketReplication {
            client: self.clone(),
            bucket: bucket_name.into(),
        }
    }

    /// Sets the replication configuration of a bucket (S3 wants versioning
    /// enabled on it). The configuration is checked first (1 to 1,000
    /// rules, each with a status of `Enabled` or `Disabled`, a destination
    /// bucket, unique IDs of at most 255 characters, a filter of one
    /// condition, statuses of `Enabled` or `Disabled`); nothing is sent when
    /// it breaks a rule. As in the reference SDK, a rule with a filter and
    /// no delete marker replication is sent with it `Disabled`, which S3
    /// requires of such rules.
    pub fn set_bucket_replication(
        &self,
        bucket_name: impl Into<String>,
        config: ReplicationConfiguration,
    ) -> SetBucketReplication {
        SetBucketReplication {
            client: self.clone(),
            bucket: bucket_name.into(),
            config,
        }
    }

    /// Deletes the replication configuration of a bucket (success when it
    /// had none).
    pub fn delete_bucket_replication(
        &self,
        bucket_name: impl Into<String>,
    ) -> DeleteBucketReplication {
        DeleteBucketReplication {
            client: self.clone(),
            bucket: bucket_name.into(),
        }
    }
}

impl GetBucketReplication {
    /// Sends the request.
    pub async fn send(self) -> Result<Option<ReplicationConfiguration>> {
        self.client
            .get_bucket_config_doc(
                "GetBucketReplication",
                &self.bucket,
                "replication",
                NOT_FOUND,
                ReplicationConfiguration::from_xml,
            )
            .await
    }
}

impl SetBucketReplication {
    /// Sends the request.
    pub async fn send(self) -> Result<()> {
        const OP: &str = "PutBucketReplication";
        let mut config = self.config;
        check_replication(&config)?;
        for rule in &mut config.rules {
            if rule.filter.is_some() && rule.delete_marker_replication.is_none() {
                rule.delete_marker_replication = Some("Disabled".to_owned());
            }
        }
        let xml = config.to_xml().map_err(Error::xml(OP))?;
        self.client
            .put_bucket_config(OP, &self.bucket, "replication", ConfigBody::Xml(xml))
            .await
    }
}

impl DeleteBucketReplication {
    /// Sends the request.
    pub async fn send(self) -> Result<()> {
        self.client
            .delete_bucket_config(
                "DeleteBucketReplication",
                &self.bucket,
                "replication",
                NOT_FOUND,
            )
            .await
    }
}

fn bad(i: usize, rule: &ReplicationRule, what: &str) -> Error {
    let name = match &rule.id {
        Some(id) => format!("rule {i} ({id:?})"),
        None => format!("rule {i}"),
    };
    Error::arg("config.rules", format!("{name}: {what}"))
}

fn check_replication(c: &ReplicationConfiguration) -> Result<()> {
    if c.rules.is_empty() || c.rules.len() > MAX_RULES {
        return Err(Error::arg(
            "config.rules",
            format!(
                "S3 takes 1 to {MAX_RULES} replication rules, not {} (delete_bucket_replication removes them all)",
                c.rules.len()
            ),
        ));
    }
    let mut ids = HashSet::new();
    for (i, r) in c.rules.iter().enumerate() {
        check_rule(r).map_err(|w| bad(i, r, w))?;
        if let Some(id) = &r.id {
            if !ids.insert(id.as_str()) {
                return Err(bad(i, r, "another rule has the same ID"));
            }
        }
    }
    Ok(())
}

fn check_rule(r: &ReplicationRule) -> std::result::Result<(), &'static str> {
    check_status(&r.status)?;
    if let Some(id) = &r.id {
        check_rule_id(id)?;
    }
    if r.destination.bucket_arn.trim().is_empty() {
        return Err("a rule needs a destination bucket ARN");
    }
    if let Some(f) = &r.filter {
        if r.prefix.is_some() {
            return Err("a rule has a filter or a prefix, not both");
        }
        check_filter(f)?;
        let and = f.and_operator.as_ref();
        if f.object_size_greater_than.is_some()
            || f.object_size_less_than.is_some()
            || and.is_some_and(|a| {
                a.object_size_greater_than.is_some() || a.object_size_less_than.is_some()
            })
        {
            return Err("a replication filter has no object size bounds");
        }
    }
    let statuses = [
        r.delete_marker_replication.as_deref(),
        r.existing_object_replication.as_deref(),
        r.source_selection_criteria
            .as_ref()
            .and_then(|s| s.sse_kms_encrypted_objects.as_deref()),
        r.source_selection_criteria
            .as_ref()
            .and_then(|s| s.replica_modifications.as_deref()),
        r.destination
            .replication_time
            .as_ref()
            .map(|t| t.status.as_str()),
        r.destination.metrics.as_ref().map(|m| m.status.as_str()),
    ];
    statuses.into_iter().flatten().try_for_each(check_status)
}

#[cfg(test)]
mod tests {
    use super::*;
    use newtera_xml::{AndOperator, Destination, Filter, Tag};

    fn rule() -> ReplicationRule {
        ReplicationRule::new("Enabled", Destination::new("arn:aws:s3:::dest"))
    }

    fn ok(rules: Vec<ReplicationRule>) -> bool {
        check_replication(&ReplicationConfiguration::new("role", rules)).is_ok()
    }

    #[test]
    fn replication_rules() {
        assert!(ok(vec![rule()]));
        assert!(!ok(vec![]));
        let mut r = rule();
        r.destination.bucket_arn = " ".into();
        assert!(!ok(vec![r]));
        let mut r = rule();
        r.status = "On".into();
        assert!(!ok(vec![r]));
        let mut r = rule();
        r.id = Some("a".into());
        assert!(!ok(vec![r.clone(), r.clone()]));
        r.delete_marker_replication = Some("enabled".into());
        assert!(!ok(vec![r.clone()]));
        r.delete_marker_replication = Some("Enabled".into());
        r.filter = Some(Filter::with_and(AndOperator::new(
            Some("TaxDocs".into()),
            vec![Tag::new("k", "v")],
        )));
        assert!(ok(vec![r.clone()]));
        r.prefix = Some("x".into());
        assert!(!ok(vec![r.clone()]));
        r.prefix = None;
        r.filter = Some(Filter::with_object_size_less_than(5));
        assert!(!ok(vec![r]));
    }
}
