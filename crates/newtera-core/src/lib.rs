//! The S3 operations of Newtera: request building, response parsing, typed
//! errors, region discovery, multipart orchestration and listing streams.
//!
//! Most users depend on the `newtera` facade crate, which re-exports this one.

mod bucket;
mod bucket_config;
mod checksum;
mod client;
mod content;
mod copy;
pub mod credentials;
mod delete;
mod error;
mod fget;
mod get;
mod headers;
mod integrity;
mod list;
mod multipart;
mod multipart_upload;
mod object_body;
mod object_config;
mod parallel_get;
mod part_buffers;
mod post_policy;
mod presign;
mod progress;
mod put;
mod region;
mod strays;
mod task;
mod time;
mod types;
mod uploads;
mod url;
mod validate;

#[cfg(test)]
mod proptests;

pub use bucket::{Bucket, BucketExists, ListBuckets, MakeBucket, RemoveBucket};
pub use bucket_config::*;
pub use checksum::ChecksumAlgorithm;
pub use client::{Newtera, NewteraBuilder, DEFAULT_REGION};
pub use content::ObjectContent;
pub use copy::{ComposeObject, ComposeSource, CopyObject, CopySource, Directive};
pub use credentials::{
    default_chain, AssumeRoleProvider, CachedProvider, EcsProvider, ImdsProvider,
    NetworkCredentialsError, WebIdentityProvider,
};
pub use delete::{DeleteErrorStream, DeleteObjects, RemoveObject, RemoveObjects};
pub use error::{Error, Result, S3Error};
pub use fget::FGetObject;
pub use get::{GetObject, GetObjectResponse, ObjectBody, StatObject};
pub use headers::WriteCondition;
pub use list::{ListObjects, ObjectStream};
pub use multipart_upload::{
    CompleteMultipartUpload, CreateMultipartUpload, MultipartUpload, UploadPart, UploadedPart,
};
pub use object_config::{
    DeleteObjectTags, GetObjectRetention, GetObjectTags, IsObjectLegalHoldEnabled,
    SetObjectLegalHold, SetObjectRetention, SetObjectTags,
};
pub use parallel_get::{DEFAULT_DOWNLOAD_PART_SIZE, DEFAULT_PARALLEL_DOWNLOADS};
pub use post_policy::{PostPolicy, PostPolicyForm, PresignedPostPolicy};
pub use presign::GetPresignedUrl;
pub use put::{
    part_plan, FPutObject, PutObject, MAX_OBJECT_SIZE, MAX_PARTS, MAX_PART_SIZE, MIN_PART_SIZE,
};
pub use types::{
    DeleteError, DeleteObject, Object, ObjectWriteResult, Progress, Retention, RetentionMode, Sse,
    SseCustomerKey, SseKms, SseS3, Tags,
};
pub use uploads::{IncompleteUpload, ListIncompleteUploads, RemoveIncompleteUpload};
pub use validate::{check_bucket_name, check_new_bucket_name, check_object_name};

pub use newtera_signer as signer;
pub use newtera_transport as transport;

/// Implements `IntoFuture` for a request builder with a `send` method, so
/// that `client.op(..).option(..).await` works.
macro_rules! into_future {
    ($ty:ty => $out:ty) => {
        impl ::std::future::IntoFuture for $ty {
            type Output = $crate::error::Result<$out>;
            type IntoFuture = ::futures::future::BoxFuture<'static, Self::Output>;
            fn into_future(self) -> Self::IntoFuture {
                Box::pin(self.send())
            }
        }
    };
}
pub(crate) use into_future;

/// Reads a whole (small) response body: XML documents, not object data.
pub(crate) async fn read_body(
    op: &'static str,
    resp: newtera_transport::HttpResponse,
) -> Result<bytes::Bytes> {
    const LIMIT: usize = 64 << 20;
    resp.into_body()
        .collect(LIMIT)
        .await
        .map_err(Error::transport(op))
}
