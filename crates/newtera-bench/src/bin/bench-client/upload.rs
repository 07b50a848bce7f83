//! `Client::put_big`: the multipart workloads (`put_1g` from a zero-copy
//! stream of known length, `upload_256m_unknown` from a reader of unknown
//! length), 8 MiB parts, 8 in flight where the client allows it.

use bytes::BytesMut;
use futures::stream::{StreamExt, TryStreamExt};
use newtera_bench::{BUCKET, PARALLELISM, PART_SIZE};
use tokio::io::AsyncReadExt;

use super::source::{gen_stream, reader_stream, GenReader, CHUNK};
use super::{os_path, unsupported, BoxError, Client, R};

impl Client {
    /// Multipart upload of `total` bytes: from the zero-copy chunk stream
    /// when `known`, else from a reader whose length is not told.
    pub(crate) async fn put_big(&self, key: &str, total: u64, known: bool) -> R<()> {
        match self {
            Client::Newtera(c) => {
                let content = if known {
                    newtera::ObjectContent::from_stream(gen_stream(total), Some(total))
                } else {
                    newtera::ObjectContent::from_reader(GenReader::new(total), None)
                };
                c.put_object(BUCKET, key, content)
                    .part_size(PART_SIZE)
                    .num_parallel_uploads(PARALLELISM)
                    .await?;
            }
            Client::Aws { c, unsigned } => {
                if !known {
                    return Err(unsupported(
                        "aws-sdk-s3 has no upload of unknown length (multipart by hand only)",
                    ));
                }
                // aws-sdk-s3 has no multipart helper: CreateMultipartUpload,
                // UploadPart with 8 in flight, CompleteMultipartUpload.
                use aws_sdk_s3::types::{CompletedMultipartUpload, CompletedPart};
                let id = c
                    .create_multipart_upload()
                    .bucket(BUCKET)
                    .key(key)
                    .send()
                    .await?
                    .upload_id
                    .ok_or("no upload id")?;
                let chunks_per_part = (PART_SIZE as usize) / CHUNK;
                let parts = gen_stream(total)
                    .chunks(chunks_per_part)
                    .enumerate()
                    .map(|(i, chunks)| {
                        let mut part = BytesMut::with_capacity(PART_SIZE as usize);
                        for ch in chunks {
                            part.extend_from_slice(&ch.expect("generated"));
                        }
                        let op = c
                            .upload_part()
                            .bucket(BUCKET)
                            .key(key)
                            .upload_id(&id)
                            .part_number(i as i32 + 1)
                            .body(aws_sdk_s3::primitives::ByteStream::from(part.freeze()));
                        let unsigned = *unsigned;
                        async move {
                            let out = if unsigned {
                                op.customize().disable_payload_signing().send().await?
                            } else {
                                op.send().await?
                            };
                            Ok::<_, BoxError>(
                                CompletedPart::builder()
                                    .part_number(i as i32 + 1)
                                    .set_e_tag(out.e_tag)
                                    .set_checksum_crc32(out.checksum_crc32)
                                    .build(),
                            )
                        }
                    })
                    .buffered(PARALLELISM)
                    .try_collect::<Vec<_>>()
                    .await?;
                c.complete_multipart_upload()
                    .bucket(BUCKET)
                    .key(key)
                    .upload_id(&id)
                    .multipart_upload(
                        CompletedMultipartUpload::builder()
                            .set_parts(Some(parts))
                            .build(),
                    )
                    .send()
                    .await?;
            }
            Client::Minio(c) => {
                use minio::s3::builders::ObjectContent;
                // minio-rs uploads the parts one after the other (no parallelism setting).
                let content = if known {
                    ObjectContent::new_from_stream(gen_stream(total), Some(total))
                } else {
                    ObjectContent::new_from_stream(reader_stream(GenReader::new(total)), None)
                };
                c.put_object_content(BUCKET, key, content)?
                    .part_size(PART_SIZE)
                    .build()
                    .send()
                    .await?;
            }
            Client::ObjectStore(s) => {
                use object_store::{ObjectStoreExt, WriteMultipart};
                let upload = s.put_multipart(&os_path(key)).await?;
                let mut w = WriteMultipart::new_with_chunk_size(upload, PART_SIZE as usize);
                if known {
                    let mut chunks = std::pin::pin!(gen_stream(total));
                    while let Some(ch) = chunks.next().await {
                        w.wait_for_capacity(PARALLELISM).await?;
                        w.put(ch?);
                    }
                } else {
                    let mut r = GenReader::new(total);
                    let mut buf = vec![0u8; CHUNK];
                    loop {
                        let n = r.read(&mut buf).await?;
                        if n == 0 {
                            break;
                        }
                        w.wait_for_capacity(PARALLELISM).await?;
                        w.write(&buf[..n]);
                    }
                }
                w.finish().await?;
            }
        }
        Ok(())
    }
}
