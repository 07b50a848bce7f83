//! get_object_lock_config, set_object_lock_config, delete_object_lock_config.

use newtera_xml::ObjectLockConfiguration;

use super::{bucket_config_op, ConfigBody};
use crate::client::Newtera;
use crate::error::{Error, Result};

/// The answer of a bucket without object lock.
const NOT_FOUND: &[&str] = &["ObjectLockConfigurationNotFoundError"];

bucket_config_op! {
    /// Reads a bucket's object lock configuration. Built by
    /// [`Newtera::get_object_lock_config`]; `None` when object lock is not
    /// enabled on the bucket.
    GetObjectLockConfig {} => Option<ObjectLockConfiguration>
}

bucket_config_op! {
    /// Sets a bucket's object lock configuration (default retention). Built
    /// by [`Newtera::set_object_lock_config`].
    SetObjectLockConfig { config: ObjectLockConfiguration } => ()
}

bucket_config_op! {
    /// Removes a bucket's default retention; object lock itself stays on
    /// (S3 cannot turn it off). Built by [`Newtera::delete_object_lock_config`].
    DeleteObjectLockConfig {} => ()
}

impl Newtera {
    /// Gets the object lock configuration of a bucket.
    pub fn get_object_lock_config(&self, bucket_name: impl Into<String>) -> GetObjectLockConfig {
        GetObjectLockConfig {
            client: self.clone(),
            bucket: bucket_name.into(),
        }
    }

    /// Sets the object lock configuration of a bucket created with object
    /// lock: a mode (`GOVERNANCE`/`COMPLIANCE`) and a default retention in
    /// days or years, or neither.
    pub fn set_object_lock_config(
        &self,
        bucket_name: impl Into<String>,
        config: ObjectLockConfiguration,
    ) -> SetObjectLockConfig {
        SetObjectLockConfig {
            client: self.clone(),
            bucket: bucket_name.into(),
            config,
        }
    }

    /// Deletes the default retention of a bucket's object lock configuration.
    pub fn delete_object_lock_config(
        &self,
        bucket_name: impl Into<String>,
    ) -> DeleteObjectLockConfig {
        DeleteObjectLockConfig {
            client: self.clone(),
            bucket: bucket_name.into(),
        }
    }
}

impl GetObjectLockConfig {
    /// Sends the request.
    pub async fn send(self) -> Result<Option<ObjectLockConfiguration>> {
        self.client
            .get_bucket_config_doc(
                "GetObjectLockConfiguration",
                &self.bucket,
                "object-lock",
                NOT_FOUND,
                ObjectLockConfiguration::from_xml,
            )
            .await
    }
}

impl SetObjectLockConfig {
    /// Sends the request.
    pub async fn send(self) -> Result<()> {
        put_lock_config(&self.client, &self.bucket, self.config).await
    }
}

impl DeleteObjectLockConfig {
    /// Sends the request: a configuration with object lock enabled and no rule.
    pub async fn send(self) -> Result<()> {
        put_lock_config(
            &self.client,
            &self.bucket,
            ObjectLockConfiguration::enabled(),
        )
        .await
    }
}

async fn put_lock_config(
    client: &Newtera,
    bucket: &str,
    mut config: ObjectLockConfiguration,
) -> Result<()> {
    const OP: &str = "PutObjectLockConfiguration";
    check_lock_config(&config)?;
    // S3 requires the element; a bucket's object lock cannot be turned off.
    config
        .object_lock_enabled
        .get_or_insert_with(|| ObjectLockConfiguration::ENABLED.to_owned());
    let xml = config.to_xml().map_err(Error::xml(OP))?;
    client
        .put_bucket_config(OP, bucket, "object-lock", ConfigBody::Xml(xml))
        .await
}

/// S3's rules: `ObjectLockEnabled` is `Enabled` if given; a rule has a mode
/// (`GOVERNANCE`/`COMPLIANCE`) and exactly one positive duration.
fn check_lock_config(c: &ObjectLockConfiguration) -> Result<()> {
    if let Some(e) = c.object_lock_enabled.as_deref() {
        if e != ObjectLockConfiguration::ENABLED {
            return Err(Error::arg(
                "config.object_lock_enabled",
                format!("must be \"Enabled\", not {e:?}"),
            ));
        }
    }
    if !c.has_rule() {
        return Ok(());
    }
    match c.mode.as_deref() {
        Some(ObjectLockConfiguration::GOVERNANCE | ObjectLockConfiguration::COMPLIANCE) => {}
        other => {
            return Err(Error::arg(
                "config.mode",
                format!("a default retention needs mode GOVERNANCE or COMPLIANCE, not {other:?}"),
            ))
        }
    }
    match (c.days, c.years) {
        (Some(n), None) | (None, Some(n)) if n > 0 => Ok(()),
        (Some(_), Some(_)) => Err(Error::arg(
            "config",
            "a default retention has days or years, not both",
        )),
        _ => Err(Error::arg(
            "config",
            "a default retention needs a positive number of days or years",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lock_config_rules() {
        let ok = |c: &ObjectLockConfiguration| check_lock_config(c).is_ok();
        assert!(ok(&ObjectLockConfiguration::enabled()));
        assert!(ok(&ObjectLockConfiguration::default()));
        assert!(ok(&ObjectLockConfiguration::with_days("GOVERNANCE", 1)));
        assert!(ok(&ObjectLockConfiguration::with_years("COMPLIANCE", 3)));
        assert!(!ok(&ObjectLockConfiguration::with_days("GOVERNANCE", 0)));
        assert!(!ok(&ObjectLockConfiguration::with_days("governance", 1)));
        let mut both = ObjectLockConfiguration::with_days("GOVERNANCE", 1);
        both.years = Some(1);
        assert!(!ok(&both));
        let mut no_mode = ObjectLockConfiguration::with_days("GOVERNANCE", 1);
        no_mode.mode = None;
        assert!(!ok(&no_mode));
        let mut no_duration = ObjectLockConfiguration::enabled();
        no_duration.mode = Some("GOVERNANCE".into());
        assert!(!ok(&no_duration));
        let mut disabled = ObjectLockConfiguration::enabled();
        disabled.object_lock_enabled = Some("Disabled".into());
        assert!(!ok(&disabled));
    }
}
