//! get_bucket_tags, set_bucket_tags, delete_bucket_tags.

use newtera_xml::Tagging;

use super::{bucket_config_op, ConfigBody};
use crate::client::Newtera;
use crate::error::{Error, Result};
use crate::types::Tags;

/// The answer of a bucket without tags.
const NO_TAGS: &[&str] = &["NoSuchTagSet"];

bucket_config_op! {
    /// Reads a bucket's tags. Built by [`Newtera::get_bucket_tags`]; `None`
    /// when the bucket has none.
    GetBucketTags {} => Option<Tags>
}

bucket_config_op! {
    /// Replaces a bucket's tags. Built by [`Newtera::set_bucket_tags`].
    SetBucketTags { tags: Tags } => ()
}

bucket_config_op! {
    /// Removes a bucket's tags. Built by [`Newtera::delete_bucket_tags`].
    DeleteBucketTags {} => ()
}

impl Newtera {
    /// Gets the tags of a bucket.
    pub fn get_bucket_tags(&self, bucket_name: impl Into<String>) -> GetBucketTags {
        GetBucketTags {
            client: self.clone(),
            bucket: bucket_name.into(),
        }
    }

    /// Sets the tags of a bucket (at most 50, see [`Tags::new_bucket_tags`]),
    /// replacing any it had.
    pub fn set_bucket_tags(&self, bucket_name: impl Into<String>, tags: Tags) -> SetBucketTags {
        SetBucketTags {
            client: self.clone(),
            bucket: bucket_name.into(),
            tags,
        }
    }

    /// Deletes the tags of a bucket.
    pub fn delete_bucket_tags(&self, bucket_name: impl Into<String>) -> DeleteBucketTags {
        DeleteBucketTags {
            client: self.clone(),
            bucket: bucket_name.into(),
        }
    }
}

impl GetBucketTags {
    /// Sends the request.
    pub async fn send(self) -> Result<Option<Tags>> {
        let doc = self
            .client
            .get_bucket_config_doc(
                "GetBucketTagging",
                &self.bucket,
                "tagging",
                NO_TAGS,
                Tagging::from_xml,
            )
            .await?;
        Ok(doc.map(|t| Tags::from_server(false, t.tags)))
    }
}

impl SetBucketTags {
    /// Sends the request.
    pub async fn send(self) -> Result<()> {
        const OP: &str = "PutBucketTagging";
        let xml = self.tags.to_tagging().to_xml().map_err(Error::xml(OP))?;
        self.client
            .put_bucket_config(OP, &self.bucket, "tagging", ConfigBody::Xml(xml))
            .await
    }
}

impl DeleteBucketTags {
    /// Sends the request.
    pub async fn send(self) -> Result<()> {
        self.client
            .delete_bucket_config("DeleteBucketTagging", &self.bucket, "tagging", NO_TAGS)
            .await
    }
}
