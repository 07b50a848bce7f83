//! The fault matrix: every operation × every fault, through the testkit's
//! fault-injecting proxy in front of a real server.
//!
//! Each cell runs one operation through a fresh [`FaultProxy`] scripted
//! with one fault, applied once (transient) or every time (permanent):
//!
//! - transient: the operation must succeed with exactly the right bytes, and
//!   the proxy's counters must show that the fault fired and that the client
//!   came back (a retry or a resumption). That includes corrupted 2xx
//!   answers (a flipped byte, a well-framed answer cut short): a damaged XML
//!   document or a download failing its checksum is fetched again. A
//!   corruption the server gives the client no means to detect (no usable
//!   checksum) is reported apart as "unverifiable";
//! - permanent: the operation must return the expected typed error, after a
//!   bounded number of attempts.
//!
//! After every cell, through a client that does not go through the proxy:
//! no multipart upload left behind, and no temporary file left in the
//! `fget_object` target directory. One test per server runs the whole
//! matrix and prints one summary line.

#![allow(clippy::unwrap_used)]

#[path = "faults/cells.rs"]
mod cells;
mod common;

use std::collections::BTreeSet;
use std::path::Path;
use std::time::{Duration, Instant};

use bytes::Bytes;
use futures::StreamExt as _;
use newtera::transport::RetryConfig;
use newtera::{Error, Newtera, ObjectContent};
use newtera_testkit::fault::{FaultProxy, RuleHandle};

use cells::{cells, rule, Cell, Kind, Op, Persistence};
use newtera_testkit::TestServer;

const KIB: usize = 1024;
const MIB: usize = 1024 * 1024;
/// Total attempts the cell clients make per request.
const MAX_ATTEMPTS: u32 = 3;
/// Resumptions of a cut-off download (the client default).
const RESUMES: u32 = 5;
/// The per-attempt timeout of clients in stall cells.
const STALL_TIMEOUT: Duration = Duration::from_millis(1500);
/// A cell that takes longer than this hangs.
const CELL_LIMIT: Duration = Duration::from_secs(40);
/// Cells run at once per server.
const CONCURRENCY: usize = 6;

/// Deterministic test data (xorshift), different per `seed`.
fn data(len: usize, seed: u64) -> Vec<u8> {
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut out = Vec::with_capacity(len + 8);
    while out.len() < len {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        out.extend_from_slice(&x.to_le_bytes());
    }
    out.truncate(len);
    out
}

/// What the cells of one server share.
struct Env {
    server: &'static TestServer,
    /// A client that does not go through any proxy, for setup and checks.
    direct: Newtera,
    bucket: String,
    single: Bytes,
    multi: Bytes,
}

const SINGLE_KEY: &str = "shared/single.bin";
const MULTI_KEY: &str = "shared/multi.bin";
const MULTI_LEN: usize = 2 * 5 * MIB + 100 * KIB;

impl Env {
    async fn new(server: &'static TestServer) -> Env {
        let direct = common::builder(server)
            .region(server.region.clone())
            .build()
            .unwrap();
        let bucket = common::bucket(&direct, "faults").await;
        let single = Bytes::from(data(MIB + 12_345, 1));
        let multi = Bytes::from(data(MULTI_LEN, 2));
        direct
            .put_object(&bucket, SINGLE_KEY, single.clone())
            .await
            .unwrap();
        direct
            .put_object(&bucket, MULTI_KEY, multi.clone())
            .part_size(5 * MIB as u64)
            .num_parallel_uploads(2)
            .await
            .unwrap();
        Env {
            server,
            direct,
            bucket,
            single,
            multi,
        }
    }

    /// A client through `proxy`, with fast retries.
    fn client(&self, proxy: &FaultProxy, stall: bool) -> Newtera {
        let timeout = if stall {
            STALL_TIMEOUT
        } else {
            Duration::from_secs(20)
        };
        Newtera::builder(proxy.url())
            .access_key(self.server.access_key.clone())
            .secret_key(self.server.secret_key.clone())
            .region(self.server.region.clone())
            .retry(RetryConfig {
                max_attempts: MAX_ATTEMPTS,
                initial_backoff: Duration::from_millis(10),
                max_backoff: Duration::from_millis(100),
                budget: None,
            })
            .request_timeout(Some(timeout))
            .read_timeout(Some(timeout))
            .connect_timeout(Duration::from_secs(2))
            .resume_attempts(RESUMES)
            .build()
            .unwrap()
    }
}

/// How a cell ended.
#[derive(Debug)]
enum Outcome {
    /// Succeeded and the result checked out.
    Success,
    /// Failed with the typed error the fault calls for.
    ExpectedError,
    /// Succeeded with wrong or short data.
    Corrupt(String),
    /// Failed with an error the fault does not call for.
    UnexpectedError(String),
    /// Did not return within [`CELL_LIMIT`].
    Hung,
    /// A flipped byte went undetected because the server declares no
    /// checksum the client can verify for this object (moto's multipart
    /// CRC64NVME value is 4 bytes long, for instance). Counted apart and
    /// reported; every server that declares a usable checksum must catch it.
    Unverifiable(String),
}

struct Report {
    cell: Cell,
    outcome: Outcome,
    /// Problems besides the outcome: debris, a fault that did not fire, no
    /// retry seen, unbounded attempts.
    problems: Vec<String>,
    debris: bool,
    elapsed: Duration,
}

/// A one-line description of an error, with its chain.
fn describe(e: &Error) -> String {
    let mut s = match e {
        Error::Transport { op, source, .. } => format!("Transport({op}, {:?})", source.kind()),
        Error::S3(s3) => format!("S3({}, {}, {})", s3.op, s3.code, s3.status.as_u16()),
        Error::Part {
            part_number,
            source,
        } => format!("Part({part_number}, {})", describe(source)),
        e => format!("{e}"),
    };
    if let Error::Transport { source, .. } = e {
        let mut cause = std::error::Error::source(source);
        while let Some(c) = cause {
            s.push_str(&format!(": {c}"));
            cause = c.source();
        }
    }
    s
}

/// Runs the operation of `cell` through `client`; `Ok(Err(..))` when it
/// succeeded with a wrong result.
async fn run_op(
    env: &Env,
    client: &Newtera,
    cell: Cell,
    key: &str,
    dir: &Path,
    seed: u64,
) -> Result<Result<(), String>, Error> {
    let b = env.bucket.as_str();
    let same = |got: &[u8], want: &[u8]| -> Result<(), String> {
        if got.len() != want.len() {
            Err(format!("{} bytes instead of {}", got.len(), want.len()))
        } else if got != want {
            let at = got.iter().zip(want).position(|(a, b)| a != b).unwrap_or(0);
            Err(format!("wrong bytes from offset {at}"))
        } else {
            Ok(())
        }
    };
    match cell.op {
        Op::PutSingle => {
            let body = data(256 * KIB + 7, seed);
            client.put_object(b, key, body.clone()).await?;
            let got = env.direct.get_object(b, key).await?.bytes().await?;
            Ok(same(&got, &body))
        }
        Op::MultipartCreate | Op::MultipartPart | Op::MultipartComplete => {
            let body = data(MULTI_LEN, seed);
            // Faulted parts come from a reader: its part buffers are
            // refilled for later parts, which must not disturb a retry.
            let content = if cell.op == Op::MultipartPart {
                let reader = std::io::Cursor::new(body.clone());
                ObjectContent::from_reader(reader, Some(body.len() as u64))
            } else {
                ObjectContent::from(body.clone())
            };
            client
                .put_object(b, key, content)
                .part_size(5 * MIB as u64)
                .num_parallel_uploads(2)
                .await?;
            let got = env.direct.get_object(b, key).await?.bytes().await?;
            Ok(same(&got, &body))
        }
        Op::Get => {
            let got = client.get_object(b, SINGLE_KEY).await?.bytes().await?;
            Ok(same(&got, &env.single))
        }
        Op::GetMultipartObject => {
            let got = client.get_object(b, MULTI_KEY).await?.bytes().await?;
            Ok(same(&got, &env.multi))
        }
        Op::FGet => {
            let target = dir.join("out.bin");
            let stat = client.fget_object(b, SINGLE_KEY, &target).await?;
            let got = std::fs::read(&target).map_err(|e| Error::Io {
                path: target.clone(),
                source: e,
            })?;
            if stat.size != Some(env.single.len() as u64) {
                return Ok(Err(format!("stat size {:?}", stat.size)));
            }
            Ok(same(&got, &env.single))
        }
        Op::Stat => {
            let o = client.stat_object(b, SINGLE_KEY).await?;
            if o.size != Some(env.single.len() as u64) {
                return Ok(Err(format!("size {:?}", o.size)));
            }
            Ok(Ok(()))
        }
        Op::ListPage => {
            let objects = client
                .list_objects(b)
                .prefix(format!("{key}/"))
                .recursive(true)
                .max_keys(2)
                .await?;
            let got: Vec<String> = objects.into_iter().map(|o| o.object_name).collect();
            let want: Vec<String> = (0..7).map(|i| format!("{key}/o{i}")).collect();
            if got != want {
                return Ok(Err(format!("listed {got:?}")));
            }
            Ok(Ok(()))
        }
        Op::RemoveObject => {
            client.remove_object(b, key).await?;
            match env.direct.stat_object(b, key).await {
                Err(e) if e.code() == Some("NoSuchKey") => Ok(Ok(())),
                other => Ok(Err(format!("still there: {:?}", other.map(|o| o.size)))),
            }
        }
        Op::RemoveObjects => {
            let names: Vec<String> = (0..5).map(|i| format!("{key}/o{i}")).collect();
            let errors = client.remove_objects(b, names).await?;
            if !errors.is_empty() {
                return Ok(Err(format!("delete errors {errors:?}")));
            }
            let left = env
                .direct
                .list_objects(b)
                .prefix(format!("{key}/"))
                .recursive(true)
                .await?;
            if !left.is_empty() {
                return Ok(Err(format!("{} objects left", left.len())));
            }
            Ok(Ok(()))
        }
        Op::MakeBucket => {
            client.make_bucket(key).await?;
            if !env.direct.bucket_exists(key).await? {
                return Ok(Err("the bucket does not exist".into()));
            }
            Ok(Ok(()))
        }
        Op::BucketExists => {
            if !client.bucket_exists(key).await? {
                return Ok(Err("an existing bucket was reported missing".into()));
            }
            Ok(Ok(()))
        }
        Op::RemoveBucket => {
            client.remove_bucket(key).await?;
            if env.direct.bucket_exists(key).await? {
                return Ok(Err("the bucket still exists".into()));
            }
            Ok(Ok(()))
        }
        Op::ListBuckets => {
            let buckets = client.list_buckets().await?;
            if !buckets.iter().any(|x| x.name == env.bucket) {
                return Ok(Err("the matrix bucket is not listed".into()));
            }
            Ok(Ok(()))
        }
    }
}

/// Prepares what the cell's operation works on (through the direct client).
async fn setup(env: &Env, op: Op, key: &str) {
    let b = env.bucket.as_str();
    match op {
        Op::ListPage => {
            for i in 0..7 {
                env.direct
                    .put_object(b, format!("{key}/o{i}"), format!("{i}"))
                    .await
                    .unwrap();
            }
        }
        Op::RemoveObjects => {
            for i in 0..5 {
                env.direct
                    .put_object(b, format!("{key}/o{i}"), format!("{i}"))
                    .await
                    .unwrap();
            }
        }
        Op::RemoveObject => {
            env.direct.put_object(b, key, "doomed").await.unwrap();
        }
        Op::BucketExists | Op::RemoveBucket => env.direct.make_bucket(key).await.unwrap(),
        _ => {}
    }
}

async fn run_cell(env: &Env, cell: Cell, index: usize) -> Report {
    let start = Instant::now();
    let bucket_op = matches!(
        cell.op,
        Op::MakeBucket | Op::BucketExists | Op::RemoveBucket
    );
    let key = if bucket_op {
        newtera_testkit::unique_bucket(&format!("fm{index}"))
    } else {
        format!("c{index:03}")
    };
    setup(env, cell.op, &key).await;
    let proxy = FaultProxy::start(&env.server.endpoint).unwrap();
    let handle: RuleHandle = proxy.add(rule(cell, &env.bucket, &key));
    let client = env.client(
        &proxy,
        matches!(cell.kind, Kind::Stall | Kind::StallMidBody),
    );
    let dir = tempfile::tempdir().unwrap();
    let result = tokio::time::timeout(
        CELL_LIMIT,
        run_op(env, &client, cell, &key, dir.path(), index as u64 + 100),
    )
    .await;
    let mut problems = Vec::new();
    let outcome = match result {
        Err(_) => Outcome::Hung,
        Ok(Ok(Ok(()))) => Outcome::Success,
        Ok(Ok(Err(wrong))) => Outcome::Corrupt(wrong),
        Ok(Err(e)) => {
            let allowed = match cell.persistence {
                Persistence::Permanent => cell.kind.expected_error(&e),
                // A corrupted answer is fetched again within the retry
                // budget: a transient corruption ends in success.
                Persistence::Transient => false,
            };
            if allowed {
                Outcome::ExpectedError
            } else {
                Outcome::UnexpectedError(describe(&e))
            }
        }
    };
    let outcome = match outcome {
        Outcome::Corrupt(wrong) if cell.kind.corrupts_answer() => {
            match unusable_checksum(env, cell.op).await {
                Some(why) => Outcome::Unverifiable(format!("{wrong}; {why}")),
                None => Outcome::Corrupt(wrong),
            }
        }
        o => o,
    };
    // Did the fault fire, did the client come back, were attempts bounded?
    if handle.applied() == 0 {
        problems.push(format!(
            "the fault never fired ({} matching requests)",
            handle.matched()
        ));
    }
    match (&outcome, cell.persistence) {
        (Outcome::Success, Persistence::Transient)
            if handle.matched() < handle.applied() + 1 + u64::from(cell.op == Op::ListPage) =>
        {
            problems.push("succeeded without coming back after the fault".into());
        }
        (Outcome::Success, Persistence::Permanent) => {
            problems.push("succeeded through a permanent fault".into());
        }
        (Outcome::ExpectedError, Persistence::Permanent)
            if handle.matched() > cell.op.attempt_bound() =>
        {
            problems.push(format!(
                "{} attempts, more than the bound {}",
                handle.matched(),
                cell.op.attempt_bound()
            ));
        }
        _ => {}
    }
    // Debris: multipart uploads, temporary files.
    let mut debris = false;
    if !bucket_op && cell.op != Op::ListBuckets {
        match env
            .direct
            .list_incomplete_uploads(&env.bucket)
            .prefix(&key)
            .await
        {
            Ok(uploads) if uploads.is_empty() => {}
            Ok(uploads) => {
                debris = true;
                problems.push(format!("{} multipart upload(s) left behind", uploads.len()));
                for u in uploads {
                    let _ = env
                        .direct
                        .remove_incomplete_upload(&env.bucket, &u.object_name)
                        .await;
                }
            }
            Err(e) => problems.push(format!("cannot list incomplete uploads: {}", describe(&e))),
        }
    }
    let mut files: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    let allowed: &[&str] = match (&outcome, cell.op) {
        (Outcome::Success, Op::FGet) => &["out.bin"],
        _ => &[],
    };
    if files != allowed {
        debris = true;
        problems.push(format!("files left in the fget directory: {files:?}"));
    }
    // Leave no test buckets behind.
    if bucket_op {
        let _ = env.direct.remove_bucket(&key).await;
    }
    drop(client);
    drop(proxy);
    Report {
        cell,
        outcome,
        problems,
        debris,
        elapsed: start.elapsed(),
    }
}

/// Why the object `op` reads has no checksum the client could verify, if so.
async fn unusable_checksum(env: &Env, op: Op) -> Option<String> {
    let key = match op {
        Op::GetMultipartObject => MULTI_KEY,
        _ => return None,
    };
    let resp = env.direct.get_object(&env.bucket, key).await.ok()?;
    let declared: Vec<String> = resp
        .headers
        .iter()
        .filter(|(k, _)| k.as_str().starts_with("x-amz-checksum-crc"))
        .map(|(k, v)| format!("{k}: {}", v.to_str().unwrap_or("?")))
        .collect();
    let usable = resp.headers.iter().any(|(k, v)| {
        let v = v.to_str().unwrap_or("");
        let want = match k.as_str() {
            "x-amz-checksum-crc64nvme" => 12,
            "x-amz-checksum-crc32c" => 8,
            _ => return false,
        };
        !v.contains('-') && v.len() == want
    });
    (!usable).then(|| format!("the server declares no usable checksum ({declared:?})"))
}

async fn matrix(server: &'static TestServer) {
    let started = Instant::now();
    let env = Env::new(server).await;
    let cells = cells();
    let mut reports: Vec<(usize, Report)> = futures::stream::iter(cells.into_iter().enumerate())
        .map(|(i, cell)| {
            let env = &env;
            async move { (i, run_cell(env, cell, i).await) }
        })
        .buffer_unordered(CONCURRENCY)
        .collect()
        .await;
    reports.sort_by_key(|(i, _)| *i);

    let (mut ok, mut expected, mut corrupt, mut debris, mut unexpected, mut hung, mut other) =
        (0, 0, 0, 0, 0, 0, 0);
    let mut unverifiable = Vec::new();
    let mut lines = Vec::new();
    let mut failing_ops = BTreeSet::new();
    for (_, r) in &reports {
        match &r.outcome {
            Outcome::Success => ok += 1,
            Outcome::ExpectedError => expected += 1,
            Outcome::Corrupt(_) => corrupt += 1,
            Outcome::UnexpectedError(_) => unexpected += 1,
            Outcome::Hung => hung += 1,
            Outcome::Unverifiable(w) => unverifiable.push(format!("  {}: {w}", r.cell)),
        }
        if r.debris {
            debris += 1;
        }
        let bad_outcome = !matches!(
            r.outcome,
            Outcome::Success | Outcome::ExpectedError | Outcome::Unverifiable(_)
        );
        if !r.problems.is_empty() && !r.debris && !bad_outcome {
            other += 1;
        }
        if bad_outcome || !r.problems.is_empty() {
            failing_ops.insert(r.cell.op.name());
            let what = match &r.outcome {
                Outcome::Success => "succeeded".to_owned(),
                Outcome::ExpectedError => "expected error".to_owned(),
                Outcome::Corrupt(w) => format!("CORRUPT: {w}"),
                Outcome::UnexpectedError(e) => format!("unexpected error: {e}"),
                Outcome::Hung => "HUNG".to_owned(),
                Outcome::Unverifiable(w) => format!("unverifiable: {w}"),
            };
            lines.push(format!(
                "  {}: {what}{}{} [{:.1}s]",
                r.cell,
                if r.problems.is_empty() { "" } else { "; " },
                r.problems.join("; "),
                r.elapsed.as_secs_f64()
            ));
        }
    }
    let total = reports.len();
    println!(
        "fault matrix ({:?}): {total} cells, {ok} succeeded with the right bytes, {expected} expected typed errors, \
         {corrupt} corrupt, {debris} debris, {unexpected} unexpected errors, {hung} hung, {other} other problems, \
         {} unverifiable by the server's checksum [{:.1}s]",
        server.kind,
        unverifiable.len(),
        started.elapsed().as_secs_f64()
    );
    for l in unverifiable.iter().chain(&lines) {
        println!("{l}");
    }
    assert!(
        lines.is_empty(),
        "{:?}: {} of {total} fault-matrix cells failed:\n{}",
        server.kind,
        lines.len(),
        lines.join("\n")
    );
}

/// garage checks signatures: every retried attempt is signed afresh.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fault_matrix_garage() {
    if std::env::var("NEWTERA_TEST_ONLY").is_ok_and(|v| v != "garage") {
        return;
    }
    matrix(newtera_testkit::garage()).await;
}

/// moto: a second, independently written server.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fault_matrix_moto() {
    if std::env::var("NEWTERA_TEST_ONLY").is_ok_and(|v| v != "moto") {
        return;
    }
    matrix(newtera_testkit::moto()).await;
}
