//! Runs one (client, workload, config) of the benchmark in this process and
//! prints one JSON line: wall time, user and system CPU (`getrusage`) and
//! peak RSS (`VmHWM`, reset after the warm-up).
//!
//! ```text
//! bench-client --client {newtera,aws,minio,object_store} --workload W
//!              --config {default,equal,strict} --endpoint http://127.0.0.1:PORT [--quick]
//! ```
//!
//! `strict` (Newtera only) is the default config with
//! `strict_integrity(true)`: a whole-object GET is verified against the
//! endpoint's MD5 ETag. `single` (Newtera only, `fget_1g`) is the default
//! config with `num_parallel_downloads(1)`: one stream.
//!
//! Workloads: put_1k_c1 put_1k_c32 get_1k_c1 get_1k_c32 head_1k_c1
//! head_1k_c32 put_1g get_1g_stream get_1g_ranged list_100k delete_10k
//! upload_256m_unknown fget_1g.
//!
//! `fget_1g` downloads the 1 GiB object whose full-object CRC64NVME the
//! endpoint declares into a file (`/dev/shm` when present), removed after
//! the measured pass: Newtera `fget_object` (default: its defaults; equal:
//! no checksum, 8 MiB × 8 like the peers; single: one stream); aws-sdk-s3
//! and object_store (no file download of their own) a HEAD, then 8 MiB
//! ranged GETs, 8 in flight, each written at its offset; minio-rs its own
//! `ObjectContent::to_file` (one stream).

use std::error::Error as StdError;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Instant;

use bytes::{Bytes, BytesMut};
use futures::stream::{self, BoxStream, StreamExt, TryStreamExt};
use newtera_bench::{
    cpu_time, proc_status_kib, reset_peak_rss, BIG_CRC_KEY, BIG_KEY, BIG_SIZE, BUCKET, LIST_KEYS,
    LIST_PREFIX, PARALLELISM, PART_SIZE,
};
use tokio::io::{AsyncRead, AsyncReadExt, ReadBuf};

/// `Client::fget`, the `fget_1g` workload's download into a file.
#[path = "bench-client/fget.rs"]
mod fget;

type BoxError = Box<dyn StdError + Send + Sync>;
type R<T> = Result<T, BoxError>;

const ACCESS_KEY: &str = "benchaccesskey";
const SECRET_KEY: &str = "benchsecretkey";
const REGION: &str = "us-east-1";
/// Size of the chunks the generated upload sources yield.
const CHUNK: usize = 1 << 20;

fn unsupported(why: &str) -> BoxError {
    format!("unsupported: {why}").into()
}

/// One 1 MiB chunk of pattern data; every generated source hands out clones
/// of it (zero-copy) or copies from it (readers).
fn pattern() -> Bytes {
    static P: std::sync::OnceLock<Bytes> = std::sync::OnceLock::new();
    P.get_or_init(|| Bytes::from((0..CHUNK).map(|i| (i % 253) as u8).collect::<Vec<u8>>()))
        .clone()
}

/// A stream of `total` bytes in 1 MiB chunks, without copying.
fn gen_stream(total: u64) -> impl futures::Stream<Item = std::io::Result<Bytes>> + Send + 'static {
    let p = pattern();
    let n = total.div_ceil(CHUNK as u64);
    stream::iter(0..n).map(move |i| {
        let left = total - i * CHUNK as u64;
        Ok(p.slice(..(left.min(CHUNK as u64) as usize)))
    })
}

/// An `AsyncRead` of `remaining` bytes of pattern data whose length the
/// consumer is not told.
struct GenReader {
    remaining: u64,
    pos: usize,
    p: Bytes,
}

impl GenReader {
    fn new(total: u64) -> Self {
        GenReader {
            remaining: total,
            pos: 0,
            p: pattern(),
        }
    }
}

impl AsyncRead for GenReader {
    fn poll_read(
        mut self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let n = (buf.remaining() as u64)
            .min(self.remaining)
            .min((CHUNK - self.pos) as u64) as usize;
        let pos = self.pos;
        buf.put_slice(&self.p[pos..pos + n]);
        self.pos = (pos + n) % CHUNK;
        self.remaining -= n as u64;
        Poll::Ready(Ok(()))
    }
}

/// Reads `reader` into 1 MiB chunks (copying), as a user reading a file or a
/// socket of unknown length would.
fn reader_stream(
    reader: GenReader,
) -> impl futures::Stream<Item = std::io::Result<Bytes>> + Send + 'static {
    stream::try_unfold(reader, |mut reader| async move {
        let mut buf = BytesMut::with_capacity(CHUNK);
        while buf.len() < CHUNK {
            if reader.read_buf(&mut buf).await? == 0 {
                break;
            }
        }
        if buf.is_empty() {
            Ok(None)
        } else {
            Ok(Some((buf.freeze(), reader)))
        }
    })
}

enum Client {
    Newtera(newtera::Newtera),
    Aws {
        c: aws_sdk_s3::Client,
        unsigned: bool,
    },
    Minio(minio::s3::MinioClient),
    ObjectStore(Arc<object_store::aws::AmazonS3>),
}

async fn make_client(name: &str, config: &str, endpoint: &str) -> R<Client> {
    let equal = config == "equal";
    if config == "strict" && name != "newtera" {
        return Err(unsupported("strict integrity is a Newtera mode"));
    }
    if config == "single" && name != "newtera" {
        return Err(unsupported("single is a Newtera fget mode"));
    }
    Ok(match name {
        "newtera" => {
            let mut b = newtera::Newtera::builder(endpoint)
                .access_key(ACCESS_KEY)
                .secret_key(SECRET_KEY)
                .region(REGION)
                .strict_integrity(config == "strict");
            if equal {
                b = b.checksum_algorithm(None);
            }
            Client::Newtera(b.build()?)
        }
        "aws" => {
            use aws_sdk_s3::config::{
                BehaviorVersion, Credentials, Region, RequestChecksumCalculation,
                ResponseChecksumValidation,
            };
            let sdk = aws_config::defaults(BehaviorVersion::latest())
                .region(Region::new(REGION))
                .endpoint_url(endpoint)
                .credentials_provider(Credentials::new(
                    ACCESS_KEY, SECRET_KEY, None, None, "bench",
                ))
                .load()
                .await;
            let mut conf = aws_sdk_s3::config::Builder::from(&sdk).force_path_style(true);
            if equal {
                conf = conf
                    .request_checksum_calculation(RequestChecksumCalculation::WhenRequired)
                    .response_checksum_validation(ResponseChecksumValidation::WhenRequired);
            }
            Client::Aws {
                c: aws_sdk_s3::Client::from_conf(conf.build()),
                unsigned: equal,
            }
        }
        "minio" => {
            // minio-rs has no unsigned-payload or no-checksum switch beyond its
            // defaults (which send no checksum): both configs are the same.
            let base: minio::s3::http::BaseUrl = endpoint.parse()?;
            let c = minio::s3::MinioClientBuilder::new(base)
                .provider(Some(minio::s3::creds::StaticProvider::new(
                    ACCESS_KEY, SECRET_KEY, None,
                )))
                .skip_region_lookup(true)
                .build()?;
            Client::Minio(c)
        }
        "object_store" => {
            let s = object_store::aws::AmazonS3Builder::new()
                .with_endpoint(endpoint)
                .with_allow_http(true)
                .with_bucket_name(BUCKET)
                .with_region(REGION)
                .with_access_key_id(ACCESS_KEY)
                .with_secret_access_key(SECRET_KEY)
                .with_virtual_hosted_style_request(false)
                .with_unsigned_payload(equal)
                .build()?;
            Client::ObjectStore(Arc::new(s))
        }
        other => return Err(format!("unknown client {other}").into()),
    })
}

async fn drain_stream<E: Into<BoxError>>(
    mut s: impl futures::Stream<Item = Result<Bytes, E>> + Unpin,
) -> R<u64> {
    let mut n = 0u64;
    while let Some(b) = s.next().await {
        n += b.map_err(Into::into)?.len() as u64;
    }
    Ok(n)
}

fn os_path(key: &str) -> object_store::path::Path {
    object_store::path::Path::from(key)
}

impl Client {
    async fn put_small(&self, key: &str, data: Bytes) -> R<()> {
        match self {
            Client::Newtera(c) => {
                c.put_object(BUCKET, key, data).await?;
            }
            Client::Aws { c, unsigned } => {
                let op = c
                    .put_object()
                    .bucket(BUCKET)
                    .key(key)
                    .body(aws_sdk_s3::primitives::ByteStream::from(data));
                if *unsigned {
                    op.customize().disable_payload_signing().send().await?;
                } else {
                    op.send().await?;
                }
            }
            Client::Minio(c) => {
                c.put_object_content(BUCKET, key, data)?
                    .build()
                    .send()
                    .await?;
            }
            Client::ObjectStore(s) => {
                use object_store::ObjectStoreExt;
                s.put(&os_path(key), data.into()).await?;
            }
        }
        Ok(())
    }

    async fn get(&self, key: &str, range: Option<(u64, u64)>) -> R<u64> {
        match self {
            Client::Newtera(c) => {
                let mut req = c.get_object(BUCKET, key);
                if let Some((off, len)) = range {
                    req = req.offset(off).length(len);
                }
                drain_stream(req.await?.into_stream()).await
            }
            Client::Aws { c, .. } => {
                let mut req = c.get_object().bucket(BUCKET).key(key);
                if let Some((off, len)) = range {
                    req = req.range(format!("bytes={}-{}", off, off + len - 1));
                }
                let mut body = req.send().await?.body;
                let mut n = 0u64;
                while let Some(b) = body.try_next().await? {
                    n += b.len() as u64;
                }
                Ok(n)
            }
            Client::Minio(c) => {
                use minio::s3::types::S3Api;
                let req = c.get_object(BUCKET, key)?;
                let resp = match range {
                    Some((off, len)) => req.offset(off).length(len).build().send().await?,
                    None => req.build().send().await?,
                };
                let (s, _len) = resp.into_boxed_stream()?;
                drain_stream(s).await
            }
            Client::ObjectStore(s) => {
                use object_store::ObjectStoreExt;
                match range {
                    Some((off, len)) => {
                        Ok(s.get_range(&os_path(key), off..off + len).await?.len() as u64)
                    }
                    None => drain_stream(s.get(&os_path(key)).await?.into_stream()).await,
                }
            }
        }
    }

    async fn head(&self, key: &str) -> R<()> {
        match self {
            Client::Newtera(c) => {
                c.stat_object(BUCKET, key).await?;
            }
            Client::Aws { c, .. } => {
                c.head_object().bucket(BUCKET).key(key).send().await?;
            }
            Client::Minio(c) => {
                use minio::s3::types::S3Api;
                c.stat_object(BUCKET, key)?.build().send().await?;
            }
            Client::ObjectStore(s) => {
                use object_store::ObjectStoreExt;
                s.head(&os_path(key)).await?;
            }
        }
        Ok(())
    }

    /// Multipart upload of `total` bytes: from the zero-copy chunk stream
    /// when `known`, else from a reader whose length is not told.
    async fn put_big(&self, key: &str, total: u64, known: bool) -> R<()> {
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

    async fn list(&self) -> R<u64> {
        let mut n = 0u64;
        match self {
            Client::Newtera(c) => {
                let mut s = c
                    .list_objects(BUCKET)
                    .prefix(LIST_PREFIX)
                    .recursive(true)
                    .into_stream();
                while let Some(_o) = s.try_next().await? {
                    n += 1;
                }
            }
            Client::Aws { c, .. } => {
                let mut pages = c
                    .list_objects_v2()
                    .bucket(BUCKET)
                    .prefix(LIST_PREFIX)
                    .into_paginator()
                    .send();
                while let Some(page) = pages.next().await {
                    n += page?.contents.map_or(0, |c| c.len() as u64);
                }
            }
            Client::Minio(c) => {
                use minio::s3::types::ToStream;
                let mut pages = c
                    .list_objects(BUCKET)?
                    .prefix(Some(LIST_PREFIX.to_string()))
                    .recursive(true)
                    .build()
                    .to_stream()
                    .await;
                while let Some(page) = pages.next().await {
                    n += page?.contents.len() as u64;
                }
            }
            Client::ObjectStore(s) => {
                use object_store::ObjectStore;
                let mut l = s.list(Some(&os_path(LIST_PREFIX.trim_end_matches('/'))));
                while let Some(_o) = l.try_next().await? {
                    n += 1;
                }
            }
        }
        Ok(n)
    }

    async fn delete(&self, keys: Vec<String>) -> R<()> {
        match self {
            Client::Newtera(c) => {
                let errors = c.remove_objects(BUCKET, keys).send().await?;
                if !errors.is_empty() {
                    return Err(format!("{} delete errors", errors.len()).into());
                }
            }
            Client::Aws { c, .. } => {
                use aws_sdk_s3::types::{Delete, ObjectIdentifier};
                for batch in keys.chunks(1000) {
                    let objects = batch
                        .iter()
                        .map(|k| ObjectIdentifier::builder().key(k).build())
                        .collect::<Result<Vec<_>, _>>()?;
                    c.delete_objects()
                        .bucket(BUCKET)
                        .delete(
                            Delete::builder()
                                .set_objects(Some(objects))
                                .quiet(true)
                                .build()?,
                        )
                        .send()
                        .await?;
                }
            }
            Client::Minio(c) => {
                use minio::s3::builders::ObjectToDelete;
                use minio::s3::types::{ObjectKey, ToStream};
                let objects = keys
                    .into_iter()
                    .map(|k| ObjectKey::new(k).map(ObjectToDelete::from))
                    .collect::<Result<Vec<_>, _>>()?;
                let mut s = c
                    .delete_objects_streaming(BUCKET, objects.into_iter())?
                    .to_stream()
                    .await;
                while let Some(r) = s.next().await {
                    r?;
                }
            }
            Client::ObjectStore(s) => {
                use object_store::ObjectStore;
                let paths: BoxStream<'static, object_store::Result<object_store::path::Path>> =
                    stream::iter(keys.into_iter().map(|k| Ok(os_path(&k)))).boxed();
                let mut d = s.delete_stream(paths);
                while let Some(r) = d.next().await {
                    r?;
                }
            }
        }
        Ok(())
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Small {
    Put,
    Get,
    Head,
}

async fn run_small(client: &Arc<Client>, op: Small, n: usize, conc: usize) -> R<(u64, u64)> {
    let next = Arc::new(AtomicUsize::new(0));
    let data = pattern().slice(..1024);
    let workers = (0..conc).map(|_| {
        let client = client.clone();
        let next = next.clone();
        let data = data.clone();
        tokio::spawn(async move {
            let mut bytes = 0u64;
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= n {
                    return Ok::<_, BoxError>(bytes);
                }
                let key = format!("small/obj-{:04}", i % 1000);
                match op {
                    Small::Put => {
                        client.put_small(&key, data.clone()).await?;
                        bytes += 1024;
                    }
                    Small::Get => bytes += client.get(&key, None).await?,
                    Small::Head => client.head(&key).await?,
                }
            }
        })
    });
    let mut bytes = 0;
    for w in futures::future::join_all(workers).await {
        bytes += w??;
    }
    Ok((n as u64, bytes))
}

async fn run_ranged(client: &Arc<Client>, total: u64) -> R<(u64, u64)> {
    let ranges = total.div_ceil(PART_SIZE);
    let bytes = stream::iter(0..ranges)
        .map(|i| {
            let client = client.clone();
            async move {
                let off = i * PART_SIZE;
                let len = PART_SIZE.min(total - off);
                let n = client.get(BIG_KEY, Some((off, len))).await?;
                if n != len {
                    return Err::<u64, BoxError>(
                        format!("range {off}+{len}: got {n} bytes").into(),
                    );
                }
                Ok(n)
            }
        })
        .buffer_unordered(PARALLELISM)
        .try_fold(0u64, |a, n| async move { Ok(a + n) })
        .await?;
    Ok((ranges, bytes))
}

/// Runs `workload` at `scale` (1.0 = the measured size); returns (ops, bytes).
/// The config of this process (`--config`), for the workloads whose
/// calls depend on it beyond the client's settings (`fget_1g`).
static CONFIG: std::sync::OnceLock<String> = std::sync::OnceLock::new();

async fn run(client: &Arc<Client>, workload: &str, quick: bool, warm: bool) -> R<(u64, u64)> {
    let small_n = |c1: usize| -> usize {
        let n = match (quick, c1 == 1) {
            (false, true) => 10_000,
            (false, false) => 20_000,
            (true, true) => 300,
            (true, false) => 3_000,
        };
        if warm {
            (n / 10).max(c1)
        } else {
            n
        }
    };
    let big = if warm {
        64 << 20
    } else if quick {
        256 << 20
    } else {
        BIG_SIZE
    };
    match workload {
        "put_1k_c1" => run_small(client, Small::Put, small_n(1), 1).await,
        "put_1k_c32" => run_small(client, Small::Put, small_n(32), 32).await,
        "get_1k_c1" => run_small(client, Small::Get, small_n(1), 1).await,
        "get_1k_c32" => run_small(client, Small::Get, small_n(32), 32).await,
        "head_1k_c1" => run_small(client, Small::Head, small_n(1), 1).await,
        "head_1k_c32" => run_small(client, Small::Head, small_n(32), 32).await,
        "put_1g" => {
            client.put_big("big/upload", big, true).await?;
            Ok((big.div_ceil(PART_SIZE), big))
        }
        "upload_256m_unknown" => {
            let total = if warm { 64 << 20 } else { 256 << 20 };
            client.put_big("big/unknown", total, false).await?;
            Ok((total.div_ceil(PART_SIZE), total))
        }
        "get_1g_stream" => {
            if warm {
                let n = client.get(BIG_KEY, Some((0, 64 << 20))).await?;
                return Ok((1, n));
            }
            let n = client.get(BIG_KEY, None).await?;
            if n != BIG_SIZE {
                return Err(format!("got {n} bytes of {BIG_SIZE}").into());
            }
            Ok((1, n))
        }
        "fget_1g" => {
            if warm {
                let n = client.get(BIG_CRC_KEY, Some((0, 64 << 20))).await?;
                return Ok((1, n));
            }
            let path = newtera_bench::fget::download_path();
            let config = CONFIG.get().map_or("default", String::as_str);
            let n = client.fget(BIG_CRC_KEY, &path, config).await?;
            if n != BIG_SIZE {
                return Err(format!("file of {n} bytes, object of {BIG_SIZE}").into());
            }
            Ok((1, n))
        }
        "get_1g_ranged" => run_ranged(client, if warm { 64 << 20 } else { BIG_SIZE }).await,
        "list_100k" => {
            let n = client.list().await?;
            if n != LIST_KEYS as u64 {
                return Err(format!("listed {n} keys of {LIST_KEYS}").into());
            }
            Ok((n, 0))
        }
        "delete_10k" => {
            // 10,000 keys take milliseconds: repeat the batch so that the
            // CPU time is well above getrusage's resolution.
            let rounds = if warm {
                1
            } else if quick {
                5
            } else {
                20
            };
            for _ in 0..rounds {
                let keys = (0..10_000).map(|i| format!("del/obj-{i:05}")).collect();
                client.delete(keys).await?;
            }
            Ok((rounds * 10_000, 0))
        }
        other => Err(format!("unknown workload {other}").into()),
    }
}

fn main() {
    let mut client = String::new();
    let mut workload = String::new();
    let mut config = "default".to_string();
    let mut endpoint = String::new();
    let mut quick = false;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--client" => client = args.next().unwrap_or_default(),
            "--workload" => workload = args.next().unwrap_or_default(),
            "--config" => config = args.next().unwrap_or_default(),
            "--endpoint" => endpoint = args.next().unwrap_or_default(),
            "--quick" => quick = true,
            other => {
                eprintln!("unknown argument {other}");
                std::process::exit(2);
            }
        }
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    if !["default", "equal", "strict", "single"].contains(&config.as_str()) {
        eprintln!("unknown config {config}");
        std::process::exit(2);
    }
    let _ = CONFIG.set(config.clone());
    newtera_bench::fget::remove_download();
    let out = rt.block_on(async {
        let c = Arc::new(make_client(&client, &config, &endpoint).await?);
        run(&c, &workload, quick, true).await?;
        let reset = reset_peak_rss();
        let (u0, s0) = cpu_time();
        let t0 = Instant::now();
        let (ops, bytes) = run(&c, &workload, quick, false).await?;
        let wall = t0.elapsed();
        let (u1, s1) = cpu_time();
        // Outside the measured pass: the file of fget_1g.
        newtera_bench::fget::remove_download();
        Ok::<_, BoxError>(serde_json::json!({
            "client": client,
            "config": config,
            "workload": workload,
            "supported": true,
            "ops": ops,
            "bytes": bytes,
            "wall_s": wall.as_secs_f64(),
            "user_s": (u1 - u0).as_secs_f64(),
            "sys_s": (s1 - s0).as_secs_f64(),
            "peak_rss_kib": proc_status_kib("VmHWM"),
            "rss_reset": reset,
        }))
    });
    newtera_bench::fget::remove_download();
    match out {
        Ok(v) => println!("{v}"),
        Err(e) => {
            let msg = e.to_string();
            let supported = !msg.starts_with("unsupported");
            println!(
                "{}",
                serde_json::json!({
                    "client": client, "config": config, "workload": workload,
                    "supported": supported, "error": format!("{e:?}"),
                })
            );
            if supported {
                std::process::exit(1);
            }
        }
    }
}
