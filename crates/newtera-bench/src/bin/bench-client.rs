//! Runs one (client, workload, config) of the benchmark in this process and
//! prints one JSON line: wall time, user and system CPU (`getrusage`), the
//! operations and bytes moved, the number of measured rounds and peak RSS
//! (`VmHWM`, reset after the warm-up).
//!
//! ```text
//! bench-client --client {newtera,aws,minio,object_store,floor} --workload W
//!              --config {default,equal,strict,single} --endpoint http://127.0.0.1:PORT
//!              [--quick] [--current-thread]
//! ```
//!
//! After a warm-up pass, the measured pass repeats the workload (rounds)
//! until its wall time reaches 1.0 s (0.2 s with `--quick`); ops, bytes,
//! wall and CPU are summed over the rounds. Each round is timed on its own
//! (wall clock and `getrusage`), so that what happens between rounds (the
//! removal of `fget_1g`'s file) is outside the figures.
//!
//! `strict` (Newtera only) is the default config with
//! `strict_integrity(true)`: a whole-object GET is verified against the
//! endpoint's MD5 ETag. `single` (Newtera only, `fget_1g`) is the default
//! config with `num_parallel_downloads(1)`: one stream.
//!
//! `floor` is no library: the same wire work over raw `TcpStream`s with
//! hand-written HTTP/1.1 (see `bench-client/floor.rs`), the cost of the
//! kernel and the runtime alone. It has the `default` config only.
//!
//! Workloads: put_1k_c1 put_1k_c32 get_1k_c1 get_1k_c32 head_1k_c1
//! head_1k_c32 put_1g get_1g_stream get_1g_ranged list_100k delete_10k
//! upload_256m_unknown fget_1g.
//!
//! `fget_1g` downloads the 1 GiB object whose full-object CRC64NVME the
//! endpoint declares into a file (`/dev/shm` when present), removed after
//! each measured round: Newtera `fget_object` (default: its defaults; equal:
//! no checksum, 8 MiB × 8 like the peers; single: one stream); aws-sdk-s3
//! and object_store (no file download of their own) a HEAD, then 8 MiB
//! ranged GETs, 8 in flight, each written at its offset; minio-rs its own
//! `ObjectContent::to_file` (one stream).

use std::error::Error as StdError;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use futures::stream::{self, BoxStream, StreamExt, TryStreamExt};
use newtera_bench::{cpu_time, proc_status_kib, reset_peak_rss, BUCKET, LIST_PREFIX};

/// `Client::fget`, the `fget_1g` workload's download into a file.
#[path = "bench-client/fget.rs"]
mod fget;
/// The `floor` client: raw sockets, hand-written HTTP/1.1.
#[path = "bench-client/floor.rs"]
mod floor;
/// The generated upload sources.
#[path = "bench-client/source.rs"]
mod source;
/// `Client::put_big`, the multipart workloads.
#[path = "bench-client/upload.rs"]
mod upload;
/// The floor client's minimal HTTP/1.1 over one connection.
#[path = "bench-client/wire.rs"]
mod wire;
/// One pass of each workload for the library clients.
#[path = "bench-client/workloads.rs"]
mod workloads;

use workloads::Scale;

type BoxError = Box<dyn StdError + Send + Sync>;
type R<T> = Result<T, BoxError>;

const ACCESS_KEY: &str = "benchaccesskey";
const SECRET_KEY: &str = "benchsecretkey";
const REGION: &str = "us-east-1";

fn unsupported(why: &str) -> BoxError {
    format!("unsupported: {why}").into()
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

/// What runs the workload: a library client or the floor.
enum Driver {
    Lib(Arc<Client>),
    Floor(floor::Floor),
}

impl Driver {
    async fn new(client: &str, config: &str, endpoint: &str) -> R<Self> {
        if client == "floor" {
            if config != "default" {
                return Err(unsupported("the floor has no configs"));
            }
            return Ok(Driver::Floor(floor::Floor::new(endpoint)?));
        }
        Ok(Driver::Lib(Arc::new(
            make_client(client, config, endpoint).await?,
        )))
    }

    async fn run(&self, workload: &str, config: &str, scale: Scale) -> R<(u64, u64)> {
        match self {
            Driver::Lib(c) => workloads::run(c, workload, config, scale).await,
            Driver::Floor(f) => f.run(workload, scale).await,
        }
    }
}

/// The measured pass: rounds until the wall time reaches `min_wall`.
struct Measured {
    rounds: u64,
    ops: u64,
    bytes: u64,
    wall: Duration,
    user: Duration,
    sys: Duration,
}

async fn measure(
    d: &Driver,
    workload: &str,
    config: &str,
    quick: bool,
    min_wall: Duration,
) -> R<Measured> {
    let scale = Scale { quick, warm: false };
    let mut m = Measured {
        rounds: 0,
        ops: 0,
        bytes: 0,
        wall: Duration::ZERO,
        user: Duration::ZERO,
        sys: Duration::ZERO,
    };
    while m.rounds == 0 || m.wall < min_wall {
        let (u0, s0) = cpu_time();
        let t0 = Instant::now();
        let (ops, bytes) = d.run(workload, config, scale).await?;
        let wall = t0.elapsed();
        let (u1, s1) = cpu_time();
        // Outside the round's figures: the file of fget_1g.
        newtera_bench::fget::remove_download();
        m.rounds += 1;
        m.ops += ops;
        m.bytes += bytes;
        m.wall += wall;
        m.user += u1 - u0;
        m.sys += s1 - s0;
    }
    Ok(m)
}

fn main() {
    let mut client = String::new();
    let mut workload = String::new();
    let mut config = "default".to_string();
    let mut endpoint = String::new();
    let mut quick = false;
    let mut current_thread = false;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--client" => client = args.next().unwrap_or_default(),
            "--workload" => workload = args.next().unwrap_or_default(),
            "--config" => config = args.next().unwrap_or_default(),
            "--endpoint" => endpoint = args.next().unwrap_or_default(),
            "--quick" => quick = true,
            "--current-thread" => current_thread = true,
            other => {
                eprintln!("unknown argument {other}");
                std::process::exit(2);
            }
        }
    }
    // `--current-thread` (profiling only; `cargo xtask bench` never passes
    // it): one thread runs the client, so nothing is handed between worker
    // threads.
    let mut builder = if current_thread {
        tokio::runtime::Builder::new_current_thread()
    } else {
        tokio::runtime::Builder::new_multi_thread()
    };
    let rt = builder.enable_all().build().expect("runtime");
    if !["default", "equal", "strict", "single"].contains(&config.as_str()) {
        eprintln!("unknown config {config}");
        std::process::exit(2);
    }
    let min_wall = Duration::from_millis(if quick { 200 } else { 1000 });
    newtera_bench::fget::remove_download();
    let out = rt.block_on(async {
        let d = Driver::new(&client, &config, &endpoint).await?;
        d.run(&workload, &config, Scale { quick, warm: true })
            .await?;
        newtera_bench::fget::remove_download();
        let reset = reset_peak_rss();
        let m = measure(&d, &workload, &config, quick, min_wall).await?;
        Ok::<_, BoxError>(serde_json::json!({
            "client": client,
            "config": config,
            "workload": workload,
            "supported": true,
            "rounds": m.rounds,
            "ops": m.ops,
            "bytes": m.bytes,
            "wall_s": m.wall.as_secs_f64(),
            "user_s": m.user.as_secs_f64(),
            "sys_s": m.sys.as_secs_f64(),
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
