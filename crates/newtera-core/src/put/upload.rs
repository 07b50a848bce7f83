//! The upload paths of put_object: one PutObject, or a multipart upload
//! with at most `num_parallel_uploads` parts in flight.

use std::sync::Arc;

use http::{HeaderMap, HeaderValue, Method};
use newtera_signer::PayloadHash;
use tokio::task::JoinSet;

use super::part::{content_md5, upload_part, PartContext, PartDone};
use super::plan::{part_plan, MAX_PARTS};
use super::PutOptions;
use crate::checksum::{self, ChecksumAlgorithm};
use crate::client::{Newtera, S3Request};
use crate::content::{ObjectContent, PartData};
use crate::error::{Error, Result};
use crate::multipart::{write_result, Target};
use crate::types::{ObjectWriteResult, Sse};

pub(super) struct Upload {
    pub(super) client: Newtera,
    pub(super) bucket: String,
    pub(super) object: String,
    pub(super) opts: PutOptions,
    pub(super) headers: HeaderMap,
}

fn short_input(got: u64, want: u64) -> Error {
    Error::Input(std::io::Error::new(
        std::io::ErrorKind::UnexpectedEof,
        format!("the data ended after {got} of its declared {want} bytes"),
    ))
}

impl Upload {
    pub(super) async fn run(self, mut content: ObjectContent) -> Result<ObjectWriteResult> {
        let length = content.length();
        let (part_size, part_count) = part_plan(length, self.opts.part_size)?;
        if let Some(p) = &self.opts.progress {
            p.set_total(length);
        }
        let ps = usize::try_from(part_size)
            .map_err(|_| Error::arg("part_size", "too large for this platform"))?;
        // Everything fits one request?
        let first_len = match length {
            Some(len) if len <= part_size => len as usize,
            _ => ps,
        };
        // A reader's part buffers come from, and go back to, the client's
        // pool, which holds idle ones briefly (see `part_buffers.rs`).
        content.share_buffers(
            &self.client.inner.part_buffers,
            self.opts.num_parallel_uploads + 1,
        );
        let first = content.read_chunk(first_len).await.map_err(Error::Input)?;
        if let Some(len) = length {
            if len <= part_size {
                if (first.len() as u64) < len {
                    return Err(short_input(first.len() as u64, len));
                }
                return self.single(first).await;
            }
        } else if first.len() < ps {
            return self.single(first).await;
        }
        // Boxed: the multipart state (task set, guard, part bookkeeping) is
        // large, and would otherwise be moved with every small upload's future.
        Box::pin(self.multipart(content, first, part_size, part_count)).await
    }

    async fn single(&self, data: PartData) -> Result<ObjectWriteResult> {
        let len = data.len() as u64;
        let mut headers = self.headers.clone();
        if let Some(c) = &self.opts.condition {
            c.apply(&mut headers);
        }
        if self.opts.needs_content_md5() {
            headers.insert("content-md5", content_md5(&data));
        }
        if let Some(alg) = self.client.inner.checksum {
            checksum::set_value(
                &mut headers,
                alg,
                &checksum::compute_chunks(alg, data.chunks()),
            );
        }
        let req = S3Request::new("PutObject", Method::PUT)
            .bucket(&self.bucket)
            .object(&self.object)
            .headers(headers)
            .body(data.into_body(), PayloadHash::Unsigned);
        let resp = self.client.send(req).await?;
        if let Some(p) = &self.opts.progress {
            p.update(len);
        }
        Ok(write_result(&self.bucket, &self.object, &resp, None))
    }

    fn target(&self) -> Target<'_> {
        Target {
            client: &self.client,
            bucket: &self.bucket,
            object: &self.object,
        }
    }

    async fn multipart(
        self,
        mut content: ObjectContent,
        first: PartData,
        part_size: u64,
        part_count: Option<u64>,
    ) -> Result<ObjectWriteResult> {
        let mut guard = self
            .target()
            .create(self.headers.clone(), self.client.inner.checksum)
            .await?;
        let upload_id = guard.upload_id().to_owned();
        let result = self
            .upload_parts(&upload_id, &mut content, first, part_size, part_count)
            .await;
        let outcome = match result {
            Ok((parts, full_checksum)) => self.complete(&upload_id, parts, full_checksum).await,
            Err(e) => Err(e),
        };
        if outcome.is_ok() {
            guard.completed();
        }
        guard.finish().await;
        outcome
    }

    async fn upload_parts(
        &self,
        upload_id: &str,
        content: &mut ObjectContent,
        first: PartData,
        part_size: u64,
        part_count: Option<u64>,
    ) -> Result<(Vec<newtera_xml::CompletedPart>, Option<String>)> {
        let ps = part_size as usize;
        let checksum = self.client.inner.checksum;
        // Part lengths by part number, for the whole-object checksum.
        let mut lengths: Vec<u64> = Vec::new();
        let length = content.length();
        let ctx = Arc::new(PartContext {
            client: self.client.clone(),
            bucket: self.bucket.clone(),
            object: self.object.clone(),
            upload_id: upload_id.to_owned(),
            sse: self.opts.sse.clone(),
            progress: self.opts.progress.clone(),
            content_md5: self.opts.needs_content_md5(),
            checksum,
        });
        // A reader source refills the buffers of finished parts. A part is
        // read only once a slot is free, so `num_parallel_uploads` buffers
        // suffice; one more covers the first part, read before the upload
        // was created.
        content.keep_buffers(self.opts.num_parallel_uploads + 1);
        let mut tasks: JoinSet<Result<PartDone>> = JoinSet::new();
        let mut done = Vec::new();
        let mut sent: u64 = 0;
        let mut next = Some(first);
        let mut number: u64 = 0;
        loop {
            let chunk = match next.take() {
                Some(c) => c,
                None => {
                    let want = match length {
                        Some(len) => (len - sent).min(part_size) as usize,
                        None => ps,
                    };
                    // Bound memory: read the next part only once a slot is
                    // free, so at most `num_parallel_uploads` parts are held.
                    while tasks.len() >= self.opts.num_parallel_uploads {
                        if let Err(e) = self.join_one(&mut tasks, &mut done, content).await {
                            tasks.abort_all();
                            return Err(e);
                        }
                    }
                    if want == 0 {
                        PartData::default()
                    } else {
                        match content.read_chunk(want).await {
                            Ok(c) => c,
                            Err(e) => {
                                tasks.abort_all();
                                return Err(Error::Input(e));
                            }
                        }
                    }
                }
            };
            if chunk.is_empty() {
                if let Some(len) = length {
                    if sent < len {
                        tasks.abort_all();
                        return Err(short_input(sent, len));
                    }
                }
                if number > 0 {
                    break;
                }
            }
            number += 1;
            if number > part_count.unwrap_or(MAX_PARTS) {
                tasks.abort_all();
                return Err(Error::arg(
                    "part_size",
                    format!("the data needs more than {MAX_PARTS} parts of {part_size} bytes"),
                ));
            }
            sent += chunk.len() as u64;
            let short = (chunk.len() as u64) < part_size;
            if let Some(len) = length {
                if short && sent < len {
                    tasks.abort_all();
                    return Err(short_input(sent, len));
                }
            }
            // (Only the first part, read before the upload was created, can
            // find no free slot here.)
            while tasks.len() >= self.opts.num_parallel_uploads {
                if let Err(e) = self.join_one(&mut tasks, &mut done, content).await {
                    tasks.abort_all();
                    return Err(e);
                }
            }
            let part_number = number as u32;
            lengths.push(chunk.len() as u64);
            tasks.spawn(upload_part(ctx.clone(), part_number, chunk));
            let last = match length {
                Some(len) => sent >= len,
                None => short,
            };
            if last {
                break;
            }
        }
        // Everything is read: buffers of the parts still in flight are freed
        // as they finish rather than held through completion.
        content.keep_buffers(0);
        while !tasks.is_empty() {
            if let Err(e) = self.join_one(&mut tasks, &mut done, content).await {
                tasks.abort_all();
                return Err(e);
            }
        }
        done.sort_by_key(|p: &newtera_xml::CompletedPart| p.part_number);
        // CRC64NVME multipart objects carry a checksum of the whole object,
        // combined from the parts' checksums (each part was read once).
        let full = match checksum {
            Some(alg @ ChecksumAlgorithm::Crc64Nvme) => {
                if done.len() != lengths.len() {
                    return Err(Error::UnexpectedResponse {
                        op: "CompleteMultipartUpload",
                        reason: format!("{} parts uploaded but {} read", done.len(), lengths.len()),
                    });
                }
                let values = done
                    .iter()
                    .zip(&lengths)
                    .map(|(p, len)| (p.checksum_crc64nvme.as_deref().unwrap_or_default(), *len));
                Some(
                    checksum::combine(alg, values).ok_or_else(|| Error::UnexpectedResponse {
                        op: "CompleteMultipartUpload",
                        reason: "a part's CRC64NVME value could not be combined".into(),
                    })?,
                )
            }
            _ => None,
        };
        Ok((done, full))
    }

    async fn join_one(
        &self,
        tasks: &mut JoinSet<Result<PartDone>>,
        done: &mut Vec<newtera_xml::CompletedPart>,
        content: &mut ObjectContent,
    ) -> Result<()> {
        match tasks.join_next().await {
            None => Ok(()),
            Some(Ok(Ok(PartDone { part, data }))) => {
                done.push(part);
                if let Some(data) = data {
                    content.recycle(data);
                }
                Ok(())
            }
            Some(Ok(Err(e))) => Err(e),
            Some(Err(join)) => Err(Error::UnexpectedResponse {
                op: "UploadPart",
                reason: format!("part upload task failed: {join}"),
            }),
        }
    }

    async fn complete(
        &self,
        upload_id: &str,
        parts: Vec<newtera_xml::CompletedPart>,
        full_checksum: Option<String>,
    ) -> Result<ObjectWriteResult> {
        let mut headers = HeaderMap::new();
        if let Some(c) = &self.opts.condition {
            c.apply(&mut headers);
        }
        // The SSE-C key goes with the completion too: S3 asks for it there
        // when the upload was started with one, and servers check it.
        if let Some(sse) = &self.opts.sse {
            sse.part_headers(&mut headers);
        }
        if let Some(v) = full_checksum.and_then(|v| HeaderValue::from_str(&v).ok()) {
            headers.insert(ChecksumAlgorithm::Crc64Nvme.header_name(), v);
            headers.insert(
                "x-amz-checksum-type",
                HeaderValue::from_static("FULL_OBJECT"),
            );
        }
        let ssec = match &self.opts.sse {
            Some(Sse::CustomerKey(k)) => Some(k),
            _ => None,
        };
        self.target()
            .complete(upload_id, parts, headers, ssec)
            .await
    }
}
