//! get_bucket_notification, set_bucket_notification,
//! delete_bucket_notification.
//!
//! MinIO's `listen_bucket_notification` streaming extension is not here:
//! no server the tests can start implements it.

use newtera_xml::{NotificationCommon, NotificationConfiguration};

use super::{bucket_config_op, ConfigBody};
use crate::client::Newtera;
use crate::error::{Error, Result};

bucket_config_op! {
    /// Reads a bucket's notification configuration. Built by
    /// [`Newtera::get_bucket_notification`]; empty when it has none.
    GetBucketNotification {} => NotificationConfiguration
}

bucket_config_op! {
    /// Sets a bucket's notification configuration. Built by
    /// [`Newtera::set_bucket_notification`].
    SetBucketNotification { config: NotificationConfiguration } => ()
}

bucket_config_op! {
    /// Removes a bucket's notification configuration. Built by
    /// [`Newtera::delete_bucket_notification`].
    DeleteBucketNotification {} => ()
}

impl Newtera {
    /// Gets the notification configuration of a bucket; an empty one when
    /// notifications are off.
    pub fn get_bucket_notification(&self, bucket_name: impl Into<String>) -> GetBucketNotification {
        GetBucketNotification {
            client: self.clone(),
            bucket: bucket_name.into(),
        }
    }

    /// Sets the notification configuration of a bucket, replacing the one
    /// it had. Each queue, topic and cloud-function configuration needs an
    /// ARN and at least one event; nothing is sent otherwise.
    pub fn set_bucket_notification(
        &self,
        bucket_name: impl Into<String>,
        config: NotificationConfiguration,
    ) -> SetBucketNotification {
        SetBucketNotification {
            client: self.clone(),
            bucket: bucket_name.into(),
            config,
        }
    }

    /// Turns a bucket's notifications off by setting an empty
    /// configuration (S3 has no DELETE for it).
    pub fn delete_bucket_notification(
        &self,
        bucket_name: impl Into<String>,
    ) -> DeleteBucketNotification {
        DeleteBucketNotification {
            client: self.clone(),
            bucket: bucket_name.into(),
        }
    }
}

const PUT: &str = "PutBucketNotificationConfiguration";

impl GetBucketNotification {
    /// Sends the request.
    pub async fn send(self) -> Result<NotificationConfiguration> {
        const OP: &str = "GetBucketNotificationConfiguration";
        let body = self
            .client
            .get_bucket_config(OP, &self.bucket, "notification", &[])
            .await?;
        match body {
            Some(b) if !b.iter().all(u8::is_ascii_whitespace) => {
                NotificationConfiguration::from_xml(&b).map_err(Error::xml(OP))
            }
            _ => Ok(NotificationConfiguration::default()),
        }
    }
}

impl SetBucketNotification {
    /// Sends the request.
    pub async fn send(self) -> Result<()> {
        check_notification(&self.config)?;
        let xml = self.config.to_xml().map_err(Error::xml(PUT))?;
        self.client
            .put_bucket_config(PUT, &self.bucket, "notification", ConfigBody::Xml(xml))
            .await
    }
}

impl DeleteBucketNotification {
    /// Sends the request.
    pub async fn send(self) -> Result<()> {
        let xml = NotificationConfiguration::default()
            .to_xml()
            .map_err(Error::xml(PUT))?;
        self.client
            .put_bucket_config(PUT, &self.bucket, "notification", ConfigBody::Xml(xml))
            .await
    }
}

fn check_notification(c: &NotificationConfiguration) -> Result<()> {
    let targets = c
        .queue_configurations
        .iter()
        .map(|q| ("queue", q.queue.as_str(), &q.common))
        .chain(
            c.topic_configurations
                .iter()
                .map(|t| ("topic", t.topic.as_str(), &t.common)),
        )
        .chain(
            c.cloud_function_configurations
                .iter()
                .map(|f| ("cloud function", f.cloud_function.as_str(), &f.common)),
        );
    for (kind, arn, common) in targets {
        check_target(kind, arn, common)?;
    }
    Ok(())
}

fn check_target(kind: &str, arn: &str, common: &NotificationCommon) -> Result<()> {
    if arn.trim().is_empty() {
        return Err(Error::arg(
            "config",
            format!("a {kind} configuration needs an ARN"),
        ));
    }
    if common.events.is_empty() || common.events.iter().any(|e| e.trim().is_empty()) {
        return Err(Error::arg(
            "config",
            format!("the {kind} configuration of {arn:?} needs events, none of them blank"),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use newtera_xml::{CloudFunctionConfiguration, QueueConfiguration, TopicConfiguration};

    #[test]
    fn notification_targets() {
        let ok = |c: &NotificationConfiguration| check_notification(c).is_ok();
        let mut c = NotificationConfiguration::default();
        assert!(ok(&c));
        c.queue_configurations.push(QueueConfiguration::new(
            "arn:aws:sqs:us-east-1:1:q",
            NotificationCommon::new(["s3:ObjectCreated:*"]),
        ));
        assert!(ok(&c));
        c.topic_configurations.push(TopicConfiguration::new(
            "",
            NotificationCommon::new(["s3:ObjectCreated:*"]),
        ));
        assert!(!ok(&c));
        c.topic_configurations.clear();
        c.cloud_function_configurations
            .push(CloudFunctionConfiguration::new(
                "arn:aws:lambda:us-east-1:1:function:f",
                NotificationCommon::new(Vec::<String>::new()),
            ));
        assert!(!ok(&c));
    }
}
