//! Multipart uploads: `put_multipart_opts` (a `MultipartUpload` that is
//! aborted when dropped unfinished) and `MultipartStore` (upload ids the
//! caller keeps).

use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use bytes::Bytes;
use newtera::UploadedPart;
use object_store::multipart::{MultipartStore, PartId};
use object_store::path::Path;
use object_store::{
    MultipartId, MultipartUpload, PutMultipartOptions, PutPayload, PutResult, Result, UploadPart,
};

use crate::error::{generic, map_err};
use crate::put::{put_result, write_attributes};
use crate::NewteraStore;

/// CreateMultipartUpload with the options' attributes and tags.
async fn create(
    store: &NewteraStore,
    location: &Path,
    opts: &PutMultipartOptions,
) -> Result<newtera::MultipartUpload> {
    let attrs = write_attributes(&opts.attributes, &opts.tags)?;
    let mut req = store
        .client()
        .create_multipart_upload(store.bucket(), location.as_ref())
        .metadata(attrs.metadata);
    if let Some(ct) = attrs.content_type {
        req = req.content_type(ct);
    }
    if let Some(t) = attrs.tags {
        req = req.tags(t);
    }
    req.await.map_err(|e| map_err(e, location.as_ref()))
}

pub(crate) async fn put_multipart_opts(
    store: &NewteraStore,
    location: &Path,
    opts: PutMultipartOptions,
) -> Result<Box<dyn MultipartUpload>> {
    let upload = create(store, location, &opts).await?;
    Ok(Box::new(Upload {
        store: store.clone(),
        opts,
        location: location.clone(),
        upload: Some(upload),
        next_part: 1,
        parts: Arc::new(Mutex::new(Vec::new())),
    }))
}

fn chunks(data: PutPayload) -> Vec<Bytes> {
    data.into_iter().collect()
}

/// One `put_multipart` upload. Each `put_part` is one UploadPart sent at
/// once, so memory is what the caller has in flight; the upload is aborted
/// by `abort`, and when dropped without `complete`.
#[derive(Debug)]
struct Upload {
    store: NewteraStore,
    /// The attributes and tags, for an upload completed without parts.
    opts: PutMultipartOptions,
    location: Path,
    /// `None` once completed or aborted.
    upload: Option<newtera::MultipartUpload>,
    next_part: u32,
    parts: Arc<Mutex<Vec<UploadedPart>>>,
}

impl Upload {
    fn finished(&self) -> object_store::Error {
        generic(format!(
            "the multipart upload of {} is already completed or aborted",
            self.location
        ))
    }
}

#[async_trait]
impl MultipartUpload for Upload {
    fn put_part(&mut self, data: PutPayload) -> UploadPart {
        let Some(upload) = &self.upload else {
            let err = self.finished();
            return Box::pin(async move { Err(err) });
        };
        let number = self.next_part;
        self.next_part += 1;
        let req = upload.upload_part(number, chunks(data));
        let parts = self.parts.clone();
        let key = self.location.to_string();
        Box::pin(async move {
            let part = req.await.map_err(|e| map_err(e, &key))?;
            parts
                .lock()
                .map_err(|_| generic("the part list lock is poisoned".into()))?
                .push(part);
            Ok(())
        })
    }

    async fn complete(&mut self) -> Result<PutResult> {
        let upload = self.upload.take().ok_or_else(|| self.finished())?;
        let parts = std::mem::take(
            &mut *self
                .parts
                .lock()
                .map_err(|_| generic("the part list lock is poisoned".into()))?,
        );
        let key = self.location.as_ref();
        if parts.is_empty() {
            // S3 completes no upload without parts: an upload of nothing is
            // one PutObject of nothing, with the same attributes.
            upload.abort().await.map_err(|e| map_err(e, key))?;
            let opts = object_store::PutOptions {
                tags: self.opts.tags.clone(),
                attributes: self.opts.attributes.clone(),
                ..Default::default()
            };
            return crate::put::put_opts(&self.store, &self.location, PutPayload::default(), opts)
                .await;
        }
        let r = upload
            .complete(parts, None)
            .await
            .map_err(|e| map_err(e, key))?;
        Ok(put_result(&r))
    }

    async fn abort(&mut self) -> Result<()> {
        let upload = self.upload.take().ok_or_else(|| self.finished())?;
        upload
            .abort()
            .await
            .map_err(|e| map_err(e, self.location.as_ref()))
    }
}

/// A part as object_store keeps it: `<size>:<checksum>:<etag>` (the size
/// and checksum are what the completion of a checksummed upload needs).
fn encode(p: &UploadedPart) -> PartId {
    PartId {
        content_id: format!(
            "{}:{}:{}",
            p.size,
            p.checksum.as_deref().unwrap_or(""),
            p.etag
        ),
    }
}

fn decode(part_number: u32, id: &PartId) -> Result<UploadedPart> {
    let bad = || {
        generic(format!(
            "{:?} is not a part id of this store",
            id.content_id
        ))
    };
    let mut it = id.content_id.splitn(3, ':');
    let size = it.next().and_then(|s| s.parse().ok()).ok_or_else(bad)?;
    let checksum = it.next().ok_or_else(bad)?;
    let etag = it.next().ok_or_else(bad)?;
    let checksum = (!checksum.is_empty()).then(|| checksum.to_owned());
    Ok(UploadedPart::new(part_number, etag, size, checksum))
}

fn part_number(idx: usize) -> Result<u32> {
    u32::try_from(idx + 1).map_err(|_| generic(format!("part index {idx} is too large")))
}

#[async_trait]
impl MultipartStore for NewteraStore {
    async fn create_multipart(&self, path: &Path) -> Result<MultipartId> {
        self.create_multipart_opts(path, PutMultipartOptions::default())
            .await
    }

    async fn create_multipart_opts(
        &self,
        path: &Path,
        opts: PutMultipartOptions,
    ) -> Result<MultipartId> {
        // The caller keeps the id (and aborts the upload if need be).
        Ok(create(self, path, &opts).await?.detach())
    }

    async fn put_part(
        &self,
        path: &Path,
        id: &MultipartId,
        part_idx: usize,
        data: PutPayload,
    ) -> Result<PartId> {
        let part = self
            .client()
            .upload_part(
                self.bucket(),
                path.as_ref(),
                id,
                part_number(part_idx)?,
                chunks(data),
            )
            .await
            .map_err(|e| map_err(e, path.as_ref()))?;
        Ok(encode(&part))
    }

    async fn complete_multipart(
        &self,
        path: &Path,
        id: &MultipartId,
        parts: Vec<PartId>,
    ) -> Result<PutResult> {
        let key = path.as_ref();
        let mut uploaded = parts
            .iter()
            .enumerate()
            .map(|(i, p)| decode(part_number(i)?, p))
            .collect::<Result<Vec<_>>>()?;
        if uploaded.is_empty() {
            // S3 completes no upload without parts: an empty object is one
            // empty part.
            let part = self
                .client()
                .upload_part(self.bucket(), key, id, 1, [])
                .await
                .map_err(|e| map_err(e, key))?;
            uploaded.push(part);
        }
        let r = self
            .client()
            .complete_multipart_upload(self.bucket(), key, id, uploaded)
            .await
            .map_err(|e| map_err(e, key))?;
        Ok(put_result(&r))
    }

    async fn abort_multipart(&self, path: &Path, id: &MultipartId) -> Result<()> {
        self.client()
            .abort_multipart_upload(self.bucket(), path.as_ref(), id)
            .await
            .map_err(|e| map_err(e, path.as_ref()))
    }
}
