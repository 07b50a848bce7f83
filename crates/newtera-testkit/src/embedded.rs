//! An in-process S3 server (s3s + s3s-fs) for the quickstart example.
//!
//! s3s-fs is handy but not a reference: it deletes non-empty buckets, does
//! not encode keys for `encoding-type=url`, omits ETags from listings, and
//! takes an empty `delimiter` (which S3 reads as none, and which clients
//! following the reference SDK always send on recursive listings) for a
//! delimiter that splits every key after its first character. [`Fs`] mends
//! only that last one, so that the examples list what S3 would. Tests of
//! behaviour use garage and moto.

use std::fmt;
use std::io;
use std::path::Path;

use hyper_util::rt::TokioIo;
use s3s::auth::SimpleAuth;
use s3s::dto;
use s3s::service::S3ServiceBuilder;
use s3s::{S3Request, S3Response, S3Result, S3};
use tokio::net::TcpListener;
use tokio::task::{JoinHandle, JoinSet};

/// An embedded S3 server on `127.0.0.1`, serving from a folder. It stops when
/// dropped.
pub struct EmbeddedServer {
    /// `127.0.0.1:PORT` (plain HTTP).
    pub endpoint: String,
    /// The access key it accepts.
    pub access_key: String,
    /// The secret key of `access_key`.
    pub secret_key: String,
    /// Its region.
    pub region: String,
    task: JoinHandle<()>,
}

impl EmbeddedServer {
    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://{}", self.endpoint)
    }
}

impl fmt::Debug for EmbeddedServer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EmbeddedServer")
            .field("endpoint", &self.endpoint)
            .field("access_key", &self.access_key)
            .field("secret_key", &"<redacted>")
            .field("region", &self.region)
            .finish_non_exhaustive()
    }
}

impl Drop for EmbeddedServer {
    fn drop(&mut self) {
        // Aborting the accept task drops its JoinSet, which aborts every
        // connection task.
        self.task.abort();
    }
}

/// Starts an s3s-fs server storing its buckets under `root` (which must
/// exist), checking SigV4 signatures made with `access_key`/`secret_key`,
/// on a free `127.0.0.1` port, inside the current tokio runtime.
///
/// # Errors
/// If `root` cannot be used or no port can be bound.
///
/// # Panics
/// If called outside a tokio runtime.
pub async fn start_embedded(
    root: &Path,
    access_key: impl Into<String>,
    secret_key: impl Into<String>,
) -> io::Result<EmbeddedServer> {
    let access_key = access_key.into();
    let secret_key = secret_key.into();
    let fs = s3s_fs::FileSystem::new(root)
        .map_err(|e| io::Error::other(format!("s3s-fs on {}: {e:?}", root.display())))?;
    let service = {
        let mut builder = S3ServiceBuilder::new(Fs(fs));
        builder.set_auth(SimpleAuth::from_single(
            access_key.clone(),
            secret_key.clone(),
        ));
        builder.build()
    };
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let endpoint = listener.local_addr()?.to_string();
    let task = tokio::spawn(async move {
        let mut connections = JoinSet::new();
        loop {
            let socket = tokio::select! {
                accepted = listener.accept() => match accepted {
                    Ok((socket, _)) => socket,
                    Err(_) => continue,
                },
                // Reap finished connections so the set does not grow.
                Some(_) = connections.join_next(), if !connections.is_empty() => continue,
            };
            let _ = socket.set_nodelay(true);
            let service = service.clone();
            connections.spawn(async move {
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(socket), service)
                    .await;
            });
        }
    });
    Ok(EmbeddedServer {
        endpoint,
        access_key,
        secret_key,
        region: "us-east-1".to_owned(),
        task,
    })
}

/// s3s-fs with an empty `delimiter` read as none, as S3 reads it; every
/// other call goes to s3s-fs unchanged.
struct Fs(s3s_fs::FileSystem);

#[async_trait::async_trait]
impl S3 for Fs {
    async fn create_bucket(
        &self,
        req: S3Request<dto::CreateBucketInput>,
    ) -> S3Result<S3Response<dto::CreateBucketOutput>> {
        self.0.create_bucket(req).await
    }

    async fn copy_object(
        &self,
        req: S3Request<dto::CopyObjectInput>,
    ) -> S3Result<S3Response<dto::CopyObjectOutput>> {
        self.0.copy_object(req).await
    }

    async fn delete_bucket(
        &self,
        req: S3Request<dto::DeleteBucketInput>,
    ) -> S3Result<S3Response<dto::DeleteBucketOutput>> {
        self.0.delete_bucket(req).await
    }

    async fn delete_object(
        &self,
        req: S3Request<dto::DeleteObjectInput>,
    ) -> S3Result<S3Response<dto::DeleteObjectOutput>> {
        self.0.delete_object(req).await
    }

    async fn delete_objects(
        &self,
        req: S3Request<dto::DeleteObjectsInput>,
    ) -> S3Result<S3Response<dto::DeleteObjectsOutput>> {
        self.0.delete_objects(req).await
    }

    async fn get_bucket_location(
        &self,
        req: S3Request<dto::GetBucketLocationInput>,
    ) -> S3Result<S3Response<dto::GetBucketLocationOutput>> {
        self.0.get_bucket_location(req).await
    }

    async fn get_object(
        &self,
        req: S3Request<dto::GetObjectInput>,
    ) -> S3Result<S3Response<dto::GetObjectOutput>> {
        self.0.get_object(req).await
    }

    async fn head_bucket(
        &self,
        req: S3Request<dto::HeadBucketInput>,
    ) -> S3Result<S3Response<dto::HeadBucketOutput>> {
        self.0.head_bucket(req).await
    }

    async fn head_object(
        &self,
        req: S3Request<dto::HeadObjectInput>,
    ) -> S3Result<S3Response<dto::HeadObjectOutput>> {
        self.0.head_object(req).await
    }

    async fn list_buckets(
        &self,
        req: S3Request<dto::ListBucketsInput>,
    ) -> S3Result<S3Response<dto::ListBucketsOutput>> {
        self.0.list_buckets(req).await
    }

    async fn put_object(
        &self,
        req: S3Request<dto::PutObjectInput>,
    ) -> S3Result<S3Response<dto::PutObjectOutput>> {
        self.0.put_object(req).await
    }

    async fn create_multipart_upload(
        &self,
        req: S3Request<dto::CreateMultipartUploadInput>,
    ) -> S3Result<S3Response<dto::CreateMultipartUploadOutput>> {
        self.0.create_multipart_upload(req).await
    }

    async fn upload_part(
        &self,
        req: S3Request<dto::UploadPartInput>,
    ) -> S3Result<S3Response<dto::UploadPartOutput>> {
        self.0.upload_part(req).await
    }

    async fn upload_part_copy(
        &self,
        req: S3Request<dto::UploadPartCopyInput>,
    ) -> S3Result<S3Response<dto::UploadPartCopyOutput>> {
        self.0.upload_part_copy(req).await
    }

    async fn list_parts(
        &self,
        req: S3Request<dto::ListPartsInput>,
    ) -> S3Result<S3Response<dto::ListPartsOutput>> {
        self.0.list_parts(req).await
    }

    async fn complete_multipart_upload(
        &self,
        req: S3Request<dto::CompleteMultipartUploadInput>,
    ) -> S3Result<S3Response<dto::CompleteMultipartUploadOutput>> {
        self.0.complete_multipart_upload(req).await
    }

    async fn abort_multipart_upload(
        &self,
        req: S3Request<dto::AbortMultipartUploadInput>,
    ) -> S3Result<S3Response<dto::AbortMultipartUploadOutput>> {
        self.0.abort_multipart_upload(req).await
    }

    async fn list_objects(
        &self,
        mut req: S3Request<dto::ListObjectsInput>,
    ) -> S3Result<S3Response<dto::ListObjectsOutput>> {
        no_empty_delimiter(&mut req.input.delimiter);
        self.0.list_objects(req).await
    }

    async fn list_objects_v2(
        &self,
        mut req: S3Request<dto::ListObjectsV2Input>,
    ) -> S3Result<S3Response<dto::ListObjectsV2Output>> {
        no_empty_delimiter(&mut req.input.delimiter);
        self.0.list_objects_v2(req).await
    }
}

/// An empty delimiter is no delimiter.
fn no_empty_delimiter(delimiter: &mut Option<String>) {
    if delimiter.as_deref() == Some("") {
        *delimiter = None;
    }
}
