//! get_bucket_versioning, set_bucket_versioning.

use newtera_xml::VersioningConfiguration;

use super::{bucket_config_op, ConfigBody};
use crate::client::Newtera;
use crate::error::{Error, Result};

bucket_config_op! {
    /// Reads a bucket's versioning configuration. Built by
    /// [`Newtera::get_bucket_versioning`]; a bucket that never had
    /// versioning enabled answers a configuration whose `status` is `None`.
    GetBucketVersioning {} => VersioningConfiguration
}

bucket_config_op! {
    /// Sets a bucket's versioning configuration. Built by
    /// [`Newtera::set_bucket_versioning`].
    SetBucketVersioning { config: VersioningConfiguration } => ()
}

impl Newtera {
    /// Gets the versioning configuration of a bucket.
    pub fn get_bucket_versioning(&self, bucket_name: impl Into<String>) -> GetBucketVersioning {
        GetBucketVersioning {
            client: self.clone(),
            bucket: bucket_name.into(),
        }
    }

    /// Sets the versioning configuration of a bucket: status `Enabled` or
    /// `Suspended`, optionally MFA delete and (MinIO) excluded prefixes and
    /// exclude-folders.
    pub fn set_bucket_versioning(
        &self,
        bucket_name: impl Into<String>,
        config: VersioningConfiguration,
    ) -> SetBucketVersioning {
        SetBucketVersioning {
            client: self.clone(),
            bucket: bucket_name.into(),
            config,
        }
    }
}

impl GetBucketVersioning {
    /// Sends the request.
    pub async fn send(self) -> Result<VersioningConfiguration> {
        const OP: &str = "GetBucketVersioning";
        let doc = self
            .client
            .get_bucket_config_doc(
                OP,
                &self.bucket,
                "versioning",
                &[],
                VersioningConfiguration::from_xml,
            )
            .await?;
        // An empty answer means versioning was never configured.
        Ok(doc.unwrap_or_default())
    }
}

impl SetBucketVersioning {
    /// Sends the request.
    pub async fn send(self) -> Result<()> {
        const OP: &str = "PutBucketVersioning";
        check_versioning(&self.config)?;
        let xml = self.config.to_xml().map_err(Error::xml(OP))?;
        self.client
            .put_bucket_config(OP, &self.bucket, "versioning", ConfigBody::Xml(xml))
            .await
    }
}

/// The values S3 accepts: status `Enabled`/`Suspended`, MFA delete
/// `Enabled`/`Disabled`.
fn check_versioning(config: &VersioningConfiguration) -> Result<()> {
    match config.status.as_deref() {
        Some(VersioningConfiguration::ENABLED | VersioningConfiguration::SUSPENDED) => {}
        other => {
            return Err(Error::arg(
                "config.status",
                format!("must be \"Enabled\" or \"Suspended\", not {other:?}"),
            ))
        }
    }
    match config.mfa_delete.as_deref() {
        None | Some(VersioningConfiguration::ENABLED | VersioningConfiguration::DISABLED) => {}
        Some(other) => {
            return Err(Error::arg(
                "config.mfa_delete",
                format!("must be \"Enabled\" or \"Disabled\", not {other:?}"),
            ))
        }
    }
    if config.excluded_prefixes.iter().any(String::is_empty) {
        return Err(Error::arg("config.excluded_prefixes", "a prefix is empty"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_and_mfa_values_are_checked() {
        assert!(check_versioning(&VersioningConfiguration::enabled()).is_ok());
        assert!(check_versioning(
            &VersioningConfiguration::suspended().with_mfa_delete("Disabled")
        )
        .is_ok());
        assert!(check_versioning(&VersioningConfiguration::default()).is_err());
        assert!(check_versioning(&VersioningConfiguration::new("Off")).is_err());
        assert!(
            check_versioning(&VersioningConfiguration::enabled().with_mfa_delete("on")).is_err()
        );
        assert!(
            check_versioning(&VersioningConfiguration::enabled().with_excluded_prefixes([""]))
                .is_err()
        );
    }
}
