//! Bucket operations: list_buckets, bucket_exists, make_bucket, remove_bucket.

use std::sync::Arc;
use std::time::SystemTime;

use http::{HeaderName, HeaderValue, Method};

use crate::client::{Newtera, S3Request, DEFAULT_REGION};
use crate::error::{Error, Result};
use crate::validate::{check_aws_bucket_name, check_bucket_name, check_new_bucket_name};
use crate::{into_future, time};

/// A bucket, as `list_buckets` reports it.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Bucket {
    /// The bucket's name.
    pub name: String,
    /// When the bucket was created, if the server said.
    pub creation_date: Option<SystemTime>,
}

/// Lists all buckets the credentials can see. Built by [`Newtera::list_buckets`].
#[derive(Debug)]
#[must_use = "a request does nothing until awaited"]
pub struct ListBuckets {
    client: Newtera,
}

/// Checks whether a bucket exists. Built by [`Newtera::bucket_exists`].
#[derive(Debug)]
#[must_use = "a request does nothing until awaited"]
pub struct BucketExists {
    client: Newtera,
    bucket: String,
}

/// Creates a bucket. Built by [`Newtera::make_bucket`].
#[derive(Debug)]
#[must_use = "a request does nothing until awaited"]
pub struct MakeBucket {
    client: Newtera,
    bucket: String,
    location: Option<String>,
    object_lock: bool,
}

/// Removes an empty bucket. Built by [`Newtera::remove_bucket`].
#[derive(Debug)]
#[must_use = "a request does nothing until awaited"]
pub struct RemoveBucket {
    client: Newtera,
    bucket: String,
}

impl Newtera {
    /// Lists information of all accessible buckets.
    pub fn list_buckets(&self) -> ListBuckets {
        ListBuckets {
            client: self.clone(),
        }
    }

    /// Checks if a bucket exists.
    pub fn bucket_exists(&self, bucket_name: impl Into<String>) -> BucketExists {
        BucketExists {
            client: self.clone(),
            bucket: bucket_name.into(),
        }
    }

    /// Creates a bucket, in `location` (default: the client's region, else
    /// `us-east-1`), optionally with object lock enabled.
    pub fn make_bucket(&self, bucket_name: impl Into<String>) -> MakeBucket {
        MakeBucket {
            client: self.clone(),
            bucket: bucket_name.into(),
            location: None,
            object_lock: false,
        }
    }

    /// Removes an empty bucket.
    pub fn remove_bucket(&self, bucket_name: impl Into<String>) -> RemoveBucket {
        RemoveBucket {
            client: self.clone(),
            bucket: bucket_name.into(),
        }
    }
}

impl ListBuckets {
    /// Sends the request.
    pub async fn send(self) -> Result<Vec<Bucket>> {
        const OP: &str = "ListBuckets";
        let resp = self
            .client
            .send(S3Request::new(OP, Method::GET).buffered_answer())
            .await?;
        let body = crate::read_body(OP, resp).await?;
        let doc = newtera_xml::ListAllMyBucketsResult::from_xml(&body).map_err(Error::xml(OP))?;
        Ok(doc
            .buckets
            .into_iter()
            .map(|b| Bucket {
                creation_date: time::parse_iso8601(&b.creation_date),
                name: b.name,
            })
            .collect())
    }
}

impl BucketExists {
    /// Sends the request.
    pub async fn send(self) -> Result<bool> {
        check_bucket_name(&self.bucket)?;
        let req = S3Request::new("HeadBucket", Method::HEAD).bucket(&self.bucket);
        match self.client.send(req).await {
            Ok(_) => Ok(true),
            Err(e) if e.code() == Some("NoSuchBucket") => Ok(false),
            Err(e) => Err(e),
        }
    }
}

impl MakeBucket {
    /// The region to create the bucket in.
    pub fn location(mut self, region: impl Into<String>) -> Self {
        self.location = Some(region.into());
        self
    }

    /// Enables S3 object lock on the new bucket (which also enables versioning).
    pub fn object_lock(mut self, enabled: bool) -> Self {
        self.object_lock = enabled;
        self
    }

    /// Sends the request.
    pub async fn send(self) -> Result<()> {
        check_new_bucket_name(&self.bucket)?;
        if self.client.is_aws() {
            check_aws_bucket_name(&self.bucket, true)?;
        }
        if let Some(loc) = self
            .location
            .as_deref()
            .filter(|l| !crate::url::is_valid_region(l))
        {
            return Err(Error::arg(
                "location",
                format!("{loc:?} is not a region name"),
            ));
        }
        let client_region = self.client.region().map(str::to_owned);
        if let (Some(loc), Some(cr)) = (&self.location, &client_region) {
            if loc != cr {
                return Err(Error::arg(
                    "location",
                    format!("{loc:?} differs from the client's region {cr:?}"),
                ));
            }
        }
        let region = self
            .location
            .or(client_region)
            .unwrap_or_else(|| DEFAULT_REGION.to_owned());
        let mut req = S3Request::new("CreateBucket", Method::PUT)
            .bucket(&self.bucket)
            .region(region.as_str());
        if region != DEFAULT_REGION {
            let doc = newtera_xml::CreateBucketConfiguration {
                location_constraint: Some(region.clone()),
            };
            let xml = doc.to_xml().map_err(Error::xml("CreateBucket"))?;
            req = req.signed_body(xml);
        }
        if self.object_lock {
            req = req.header(
                HeaderName::from_static("x-amz-bucket-object-lock-enabled"),
                HeaderValue::from_static("true"),
            );
        }
        match self.client.send(req).await {
            Ok(_) => {}
            // An earlier attempt created it and its answer was lost.
            Err(Error::S3(e)) if e.code == "BucketAlreadyOwnedByYou" && e.attempts > 1 => {}
            Err(e) => return Err(e),
        }
        self.client
            .remember_region(&self.bucket, &Arc::from(region));
        Ok(())
    }
}

impl RemoveBucket {
    /// Sends the request.
    pub async fn send(self) -> Result<()> {
        check_bucket_name(&self.bucket)?;
        let req = S3Request::new("DeleteBucket", Method::DELETE).bucket(&self.bucket);
        match self.client.send(req).await {
            Ok(_) => {}
            // An earlier attempt removed it and its answer was lost.
            Err(Error::S3(e)) if e.code == "NoSuchBucket" && e.attempts > 1 => {}
            Err(e) => return Err(e),
        }
        self.client.forget_region(&self.bucket);
        Ok(())
    }
}

into_future!(ListBuckets => Vec<Bucket>);
into_future!(BucketExists => bool);
into_future!(MakeBucket => ());
into_future!(RemoveBucket => ());
