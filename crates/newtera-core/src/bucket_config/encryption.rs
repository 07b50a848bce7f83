//! get_bucket_encryption, set_bucket_encryption, delete_bucket_encryption.

use newtera_xml::{ServerSideEncryptionConfiguration, SseRule};

use super::{bucket_config_op, ConfigBody};
use crate::client::Newtera;
use crate::error::{Error, Result};

/// The answer of a bucket without default encryption.
const NOT_FOUND: &[&str] = &["ServerSideEncryptionConfigurationNotFoundError"];

bucket_config_op! {
    /// Reads a bucket's default encryption. Built by
    /// [`Newtera::get_bucket_encryption`]; `None` when it has none.
    GetBucketEncryption {} => Option<ServerSideEncryptionConfiguration>
}

bucket_config_op! {
    /// Sets a bucket's default encryption. Built by
    /// [`Newtera::set_bucket_encryption`].
    SetBucketEncryption { config: ServerSideEncryptionConfiguration } => ()
}

bucket_config_op! {
    /// Removes a bucket's default encryption. Built by
    /// [`Newtera::delete_bucket_encryption`].
    DeleteBucketEncryption {} => ()
}

impl Newtera {
    /// Gets the default encryption configuration of a bucket.
    pub fn get_bucket_encryption(&self, bucket_name: impl Into<String>) -> GetBucketEncryption {
        GetBucketEncryption {
            client: self.clone(),
            bucket: bucket_name.into(),
        }
    }

    /// Sets the default encryption of a bucket: SSE-S3
    /// ([`ServerSideEncryptionConfiguration::sse_s3`]) or SSE-KMS with a key
    /// id ([`ServerSideEncryptionConfiguration::sse_kms`]).
    pub fn set_bucket_encryption(
        &self,
        bucket_name: impl Into<String>,
        config: ServerSideEncryptionConfiguration,
    ) -> SetBucketEncryption {
        SetBucketEncryption {
            client: self.clone(),
            bucket: bucket_name.into(),
            config,
        }
    }

    /// Deletes the default encryption of a bucket (success when it had none).
    pub fn delete_bucket_encryption(
        &self,
        bucket_name: impl Into<String>,
    ) -> DeleteBucketEncryption {
        DeleteBucketEncryption {
            client: self.clone(),
            bucket: bucket_name.into(),
        }
    }
}

impl GetBucketEncryption {
    /// Sends the request.
    pub async fn send(self) -> Result<Option<ServerSideEncryptionConfiguration>> {
        self.client
            .get_bucket_config_doc(
                "GetBucketEncryption",
                &self.bucket,
                "encryption",
                NOT_FOUND,
                ServerSideEncryptionConfiguration::from_xml,
            )
            .await
    }
}

impl SetBucketEncryption {
    /// Sends the request.
    pub async fn send(self) -> Result<()> {
        const OP: &str = "PutBucketEncryption";
        check_encryption(&self.config)?;
        let xml = self.config.to_xml().map_err(Error::xml(OP))?;
        self.client
            .put_bucket_config(OP, &self.bucket, "encryption", ConfigBody::Xml(xml))
            .await
    }
}

impl DeleteBucketEncryption {
    /// Sends the request.
    pub async fn send(self) -> Result<()> {
        self.client
            .delete_bucket_config(
                "DeleteBucketEncryption",
                &self.bucket,
                "encryption",
                NOT_FOUND,
            )
            .await
    }
}

/// One rule; a KMS key only with a KMS algorithm; no empty algorithm.
fn check_encryption(c: &ServerSideEncryptionConfiguration) -> Result<()> {
    let [rule] = c.rules.as_slice() else {
        return Err(Error::arg(
            "config.rules",
            format!("S3 takes exactly one rule, not {}", c.rules.len()),
        ));
    };
    if rule.sse_algorithm.is_empty() {
        return Err(Error::arg("config.rules", "the SSE algorithm is empty"));
    }
    if rule.kms_master_key_id.is_some() && !rule.sse_algorithm.starts_with(SseRule::AWS_KMS) {
        return Err(Error::arg(
            "config.rules",
            format!(
                "a KMS key needs an aws:kms algorithm, not {:?}",
                rule.sse_algorithm
            ),
        ));
    }
    if rule.kms_master_key_id.as_deref() == Some("") {
        return Err(Error::arg("config.rules", "the KMS key id is empty"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encryption_rules() {
        let ok = |c: ServerSideEncryptionConfiguration| check_encryption(&c).is_ok();
        assert!(ok(ServerSideEncryptionConfiguration::sse_s3()));
        assert!(ok(ServerSideEncryptionConfiguration::sse_kms(None)));
        assert!(ok(ServerSideEncryptionConfiguration::sse_kms(Some(
            "k".into()
        ))));
        assert!(!ok(ServerSideEncryptionConfiguration::default()));
        assert!(!ok(ServerSideEncryptionConfiguration::sse_kms(Some(
            String::new()
        ))));
        let mut s3_with_key = ServerSideEncryptionConfiguration::sse_s3();
        s3_with_key.rules[0].kms_master_key_id = Some("k".into());
        assert!(!ok(s3_with_key));
        let mut two = ServerSideEncryptionConfiguration::sse_s3();
        two.rules.push(SseRule::sse_s3());
        assert!(!ok(two));
    }
}
