//! Object tags: get_object_tags, set_object_tags, delete_object_tags.

use http::{HeaderMap, Method};

use super::{version_setter, Target};
use crate::client::Newtera;
use crate::error::{Error, Result};
use crate::into_future;
use crate::types::Tags;

/// The most tags an object may carry.
const MAX_OBJECT_TAGS: usize = 10;

/// Reads the tags of an object. Built by [`Newtera::get_object_tags`].
#[derive(Debug)]
#[must_use = "a request does nothing until awaited"]
pub struct GetObjectTags {
    target: Target,
}

/// Replaces the tags of an object. Built by [`Newtera::set_object_tags`].
#[derive(Debug)]
#[must_use = "a request does nothing until awaited"]
pub struct SetObjectTags {
    target: Target,
    tags: Tags,
}

/// Removes all tags of an object. Built by [`Newtera::delete_object_tags`].
#[derive(Debug)]
#[must_use = "a request does nothing until awaited"]
pub struct DeleteObjectTags {
    target: Target,
}

impl Newtera {
    /// Gets the tags of an object: `None` when the server says it has no
    /// tag set (`NoSuchTagSet`), otherwise the tags (S3 answers an empty
    /// set for an untagged object).
    pub fn get_object_tags(
        &self,
        bucket_name: impl Into<String>,
        object_name: impl Into<String>,
    ) -> GetObjectTags {
        GetObjectTags {
            target: Target::new(self, bucket_name.into(), object_name.into()),
        }
    }

    /// Sets the tags of an object, replacing any it had. At most 10 tags
    /// (the object limit; bucket [`Tags`] with more are refused before
    /// sending).
    pub fn set_object_tags(
        &self,
        bucket_name: impl Into<String>,
        object_name: impl Into<String>,
        tags: Tags,
    ) -> SetObjectTags {
        SetObjectTags {
            target: Target::new(self, bucket_name.into(), object_name.into()),
            tags,
        }
    }

    /// Deletes the tags of an object.
    pub fn delete_object_tags(
        &self,
        bucket_name: impl Into<String>,
        object_name: impl Into<String>,
    ) -> DeleteObjectTags {
        DeleteObjectTags {
            target: Target::new(self, bucket_name.into(), object_name.into()),
        }
    }
}

version_setter!(GetObjectTags, SetObjectTags, DeleteObjectTags);

impl GetObjectTags {
    /// Sends the request.
    pub async fn send(self) -> Result<Option<Tags>> {
        const OP: &str = "GetObjectTagging";
        self.target.check()?;
        let Some(body) = self
            .target
            .get_doc(OP, "tagging", &["NoSuchTagSet"])
            .await?
        else {
            return Ok(None);
        };
        let doc = newtera_xml::Tagging::from_xml(&body).map_err(Error::xml(OP))?;
        Ok(Some(Tags::from_server(true, doc.tags)))
    }
}

impl SetObjectTags {
    /// Sends the request.
    pub async fn send(self) -> Result<()> {
        const OP: &str = "PutObjectTagging";
        self.target.check()?;
        if self.tags.len() > MAX_OBJECT_TAGS {
            return Err(Error::arg(
                "tags",
                format!(
                    "an object takes at most {MAX_OBJECT_TAGS} tags, not {}",
                    self.tags.len()
                ),
            ));
        }
        let xml = self
            .tags
            .to_tagging()
            .to_xml()
            .map_err(|e| Error::arg("tags", format!("cannot be written as XML: {e}")))?;
        self.target
            .put_doc(OP, "tagging", xml, HeaderMap::new())
            .await
    }
}

impl DeleteObjectTags {
    /// Sends the request.
    pub async fn send(self) -> Result<()> {
        const OP: &str = "DeleteObjectTagging";
        self.target.check()?;
        let req = self.target.request(OP, Method::DELETE, "tagging");
        self.target.client.send(req).await?;
        Ok(())
    }
}

into_future!(GetObjectTags => Option<Tags>);
into_future!(SetObjectTags => ());
into_future!(DeleteObjectTags => ());
