//! `cargo xtask bench [--quick]`: Newtera beside aws-sdk-s3, minio-rs and
//! object_store on one loopback endpoint, each (client, workload, config) in
//! its own process, three repetitions in rotating client order (one with
//! `--quick`), medians written to BENCHMARKS.md.
//!
//! The benchmark crate (`crates/newtera-bench`) is built in release mode in
//! its own target dir (`target/bench`, or `$NEWTERA_BENCH_TARGET_DIR`) so the
//! heavy peers never touch the default target dir.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use crate::{cargo, run, Failure};

const CLIENTS: [&str; 4] = ["newtera", "aws", "minio", "object_store"];
const CONFIGS: [&str; 2] = ["default", "equal"];
/// Workloads also run by Newtera alone with `strict_integrity(true)`
/// (config "strict"; the peers have no such mode).
const STRICT_WORKLOADS: [&str; 1] = ["get_1g_stream"];
/// Workloads also run by Newtera alone with `num_parallel_downloads(1)`
/// (config "single": one stream).
const SINGLE_WORKLOADS: [&str; 1] = ["fget_1g"];
/// Everything after this line of BENCHMARKS.md is kept when it is rewritten.
const ANALYSIS_MARKER: &str = "<!-- analysis: kept across runs -->";
/// Peak RSS bound of the large transfers: 16 MiB + part_size × (parallelism + 1).
const RSS_BOUND_MIB: f64 = 16.0 + 8.0 * (8.0 + 1.0);

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    /// Small requests: ops/s and µs CPU per op.
    Small,
    /// Data transfers: GiB/s and CPU-s per GiB.
    Bulk,
    /// Listing: keys/s and ms CPU per 1,000-key page.
    List,
    /// Batched deletes: keys/s and µs CPU per key.
    Delete,
}

struct Workload {
    name: &'static str,
    what: &'static str,
    kind: Kind,
    /// The design.md target on client CPU, in the row's CPU unit.
    cpu_target: Option<f64>,
    rss_bound: bool,
}

const WORKLOADS: &[Workload] = &[
    Workload {
        name: "put_1k_c1",
        what: "PUT 1 KiB, concurrency 1",
        kind: Kind::Small,
        cpu_target: None,
        rss_bound: false,
    },
    Workload {
        name: "put_1k_c32",
        what: "PUT 1 KiB, concurrency 32",
        kind: Kind::Small,
        cpu_target: Some(25.0),
        rss_bound: false,
    },
    Workload {
        name: "get_1k_c1",
        what: "GET 1 KiB, concurrency 1",
        kind: Kind::Small,
        cpu_target: None,
        rss_bound: false,
    },
    Workload {
        name: "get_1k_c32",
        what: "GET 1 KiB, concurrency 32",
        kind: Kind::Small,
        cpu_target: Some(25.0),
        rss_bound: false,
    },
    Workload {
        name: "head_1k_c1",
        what: "HEAD, concurrency 1",
        kind: Kind::Small,
        cpu_target: None,
        rss_bound: false,
    },
    Workload {
        name: "head_1k_c32",
        what: "HEAD, concurrency 32",
        kind: Kind::Small,
        cpu_target: Some(25.0),
        rss_bound: false,
    },
    Workload {
        name: "put_1g",
        what: "PUT 1 GiB multipart (8 MiB parts, 8 in flight) from a stream of known length",
        kind: Kind::Bulk,
        cpu_target: Some(0.40),
        rss_bound: true,
    },
    Workload {
        name: "upload_256m_unknown",
        what: "PUT 256 MiB from an AsyncRead of unknown length (8 MiB parts, 8 in flight)",
        kind: Kind::Bulk,
        cpu_target: Some(0.40),
        rss_bound: true,
    },
    Workload {
        name: "get_1g_stream",
        what: "GET 1 GiB as one stream",
        kind: Kind::Bulk,
        cpu_target: Some(0.20),
        rss_bound: true,
    },
    Workload {
        name: "get_1g_ranged",
        what: "GET 1 GiB as 8 MiB ranges, 8 in flight",
        kind: Kind::Bulk,
        cpu_target: Some(0.20),
        rss_bound: true,
    },
    Workload {
        name: "fget_1g",
        what: "GET 1 GiB into a file (/dev/shm), full-object CRC64NVME declared: Newtera fget_object (default: its defaults, 16 MiB × 8, CRC verified; equal: no checksum, 8 MiB × 8; single: one stream), aws-sdk-s3 and object_store 8 MiB ranges × 8 written at offsets, minio-rs to_file (one stream)",
        kind: Kind::Bulk,
        cpu_target: Some(0.20),
        // Newtera's default (16 MiB × 8) is bounded by 16 + 16 × 9 MiB, not 88.
        rss_bound: false,
    },
    Workload {
        name: "list_100k",
        what: "List 100,000 keys (1,000-key pages)",
        kind: Kind::List,
        cpu_target: Some(0.6),
        rss_bound: false,
    },
    Workload {
        name: "delete_10k",
        what: "Delete 10,000 keys (DeleteObjects, 1,000 a request), repeated 20 times (5 with --quick)",
        kind: Kind::Delete,
        cpu_target: None,
        rss_bound: false,
    },
];

/// One measurement: the client's JSON line plus the server's CPU.
#[derive(Clone, Debug, Default)]
struct Sample {
    supported: bool,
    error: Option<String>,
    ops: f64,
    bytes: f64,
    wall: f64,
    cpu: f64,
    rss_mib: f64,
    server_cpu: f64,
}

/// Median figures of one (workload, client, config).
#[derive(Clone, Debug)]
struct Row {
    client: &'static str,
    config: &'static str,
    supported: bool,
    error: Option<String>,
    /// ops/s (Small, List, Delete) or GiB/s (Bulk).
    throughput: f64,
    /// µs/op, CPU-s/GiB, ms/page or µs/key.
    cpu: f64,
    rss_mib: f64,
    wall: f64,
    /// Server CPU in cores (CPU-s / wall-s).
    server_cores: f64,
}

pub(crate) fn bench(args: &[String]) -> Result<(), Failure> {
    match args.first().map(String::as_str) {
        Some("build-cost") => return crate::buildcost::build_cost(&args[1..]),
        Some("profile") => return crate::profile::profile(&args[1..]),
        _ => {}
    }
    let quick = args.iter().any(|a| a == "--quick");
    if let Some(a) = args.iter().find(|a| a.as_str() != "--quick") {
        return Err(Failure::new(format!("bench: unknown argument {a}")));
    }
    let root = workspace_root();
    let bin = build_bench()?;
    let target = bin.parent().map(Path::to_path_buf).unwrap_or_default();
    let mut server = Server::start(&bin.join("bench-server"))?;
    let endpoint = format!("http://{}", server.addr);
    let reps = if quick { 1 } else { 3 };
    let started = std::time::Instant::now();
    let mut raw = String::new();
    let mut results: Vec<(&Workload, Vec<Row>)> = Vec::new();
    for w in WORKLOADS {
        let mut samples: BTreeMap<(&str, &str), Vec<Sample>> = BTreeMap::new();
        for rep in 0..reps {
            for i in 0..CLIENTS.len() {
                let client = CLIENTS[(i + rep) % CLIENTS.len()];
                for config in CONFIGS {
                    let s = run_client(
                        &bin, &server, &endpoint, client, w.name, config, quick, &mut raw,
                    )?;
                    samples.entry((client, config)).or_default().push(s);
                }
                if client == "newtera" && STRICT_WORKLOADS.contains(&w.name) {
                    let s = run_client(
                        &bin, &server, &endpoint, client, w.name, "strict", quick, &mut raw,
                    )?;
                    samples.entry((client, "strict")).or_default().push(s);
                }
                if client == "newtera" && SINGLE_WORKLOADS.contains(&w.name) {
                    let s = run_client(
                        &bin, &server, &endpoint, client, w.name, "single", quick, &mut raw,
                    )?;
                    samples.entry((client, "single")).or_default().push(s);
                }
            }
        }
        let rows = CLIENTS
            .iter()
            .flat_map(|&c| CONFIGS.iter().map(move |&k| (c, k)))
            .chain(
                ["strict", "single"]
                    .into_iter()
                    .filter(|k| samples.contains_key(&("newtera", *k)))
                    .map(|k| ("newtera", k)),
            )
            .map(|(c, k)| median_row(w, c, k, &samples[&(c, k)]))
            .collect();
        results.push((w, rows));
    }
    server.stop();
    let measured = started.elapsed();
    std::fs::create_dir_all(&target).ok();
    std::fs::write(target.join("results.jsonl"), &raw)
        .map_err(|e| Failure::new(format!("cannot write results.jsonl: {e}")))?;
    let out = root.join("BENCHMARKS.md");
    let mut md = render(&results, quick, measured);
    // Keep the hand-written analysis below the marker across runs.
    if let Ok(old) = std::fs::read_to_string(&out) {
        if let Some((_, tail)) = old.split_once(ANALYSIS_MARKER) {
            md.push_str(tail.trim_start_matches('\n'));
        }
    }
    std::fs::write(&out, md)
        .map_err(|e| Failure::new(format!("cannot write {}: {e}", out.display())))?;
    eprintln!(
        "xtask: wrote {} ({:.0} s of runs)",
        out.display(),
        measured.as_secs_f64()
    );
    Ok(())
}

/// Builds the benchmark crate's binaries in release mode in their own
/// target dir (`target/bench`, or `$NEWTERA_BENCH_TARGET_DIR`); returns the
/// folder that holds them.
pub(crate) fn build_bench() -> Result<PathBuf, Failure> {
    let root = workspace_root();
    let target = std::env::var_os("NEWTERA_BENCH_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target").join("bench"));
    run(cargo()
        .current_dir(&root)
        .env("CARGO_TARGET_DIR", &target)
        .args([
            "build",
            "--release",
            "--manifest-path",
            "crates/newtera-bench/Cargo.toml",
            "--bins",
        ]))?;
    Ok(target.join("release"))
}

pub(crate) fn workspace_root() -> PathBuf {
    // xtask's manifest dir is <root>/xtask.
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}

/// The benchmark endpoint, a child process stopped when dropped.
pub(crate) struct Server {
    child: Child,
    /// `127.0.0.1:PORT`.
    pub(crate) addr: String,
}

impl Server {
    /// Starts `bench-server` and waits for the address it listens on.
    pub(crate) fn start(bin: &Path) -> Result<Self, Failure> {
        let mut child = Command::new(bin)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .map_err(|e| Failure::new(format!("cannot start {}: {e}", bin.display())))?;
        let stdout = child
            .stdout
            .take()
            .ok_or_else(|| Failure::new("no server stdout"))?;
        let mut line = String::new();
        BufReader::new(stdout)
            .read_line(&mut line)
            .map_err(|e| Failure::new(format!("bench-server: {e}")))?;
        let addr = line
            .trim()
            .strip_prefix("listening ")
            .ok_or_else(|| Failure::new(format!("bench-server said {line:?}")))?
            .to_string();
        Ok(Server { child, addr })
    }

    /// The server's user+sys CPU so far, in seconds.
    fn cpu(&self) -> Result<f64, Failure> {
        let fail = |e: std::io::Error| Failure::new(format!("bench-server /__cpu: {e}"));
        let mut s = std::net::TcpStream::connect(&self.addr).map_err(fail)?;
        s.set_read_timeout(Some(Duration::from_secs(10)))
            .map_err(fail)?;
        write!(
            s,
            "GET /__cpu HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
            self.addr
        )
        .map_err(fail)?;
        let mut resp = String::new();
        s.read_to_string(&mut resp).map_err(fail)?;
        let body = resp.rsplit("\r\n\r\n").next().unwrap_or("").trim();
        body.parse::<f64>()
            .map(|us| us / 1e6)
            .map_err(|_| Failure::new(format!("bench-server /__cpu answered {resp:?}")))
    }

    fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop();
    }
}

#[allow(clippy::too_many_arguments)]
fn run_client(
    bin: &Path,
    server: &Server,
    endpoint: &str,
    client: &str,
    workload: &str,
    config: &str,
    quick: bool,
    raw: &mut String,
) -> Result<Sample, Failure> {
    let mut cmd = Command::new(bin.join("bench-client"));
    cmd.args([
        "--client",
        client,
        "--workload",
        workload,
        "--config",
        config,
        "--endpoint",
        endpoint,
    ]);
    if quick {
        cmd.arg("--quick");
    }
    let cpu0 = server.cpu()?;
    let out = cmd
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| Failure::new(format!("cannot run bench-client: {e}")))?;
    let cpu1 = server.cpu()?;
    let line = String::from_utf8_lossy(&out.stdout);
    let line = line.lines().last().unwrap_or("").to_string();
    raw.push_str(&line);
    raw.push('\n');
    let j = parse_flat_json(&line);
    let num = |k: &str| {
        j.get(k)
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(f64::NAN)
    };
    let supported = j.get("supported").map(|v| v == "true").unwrap_or(false);
    let error = j.get("error").cloned().or_else(|| {
        (!out.status.success() || j.is_empty()).then(|| format!("exit {}: {}", out.status, line))
    });
    let s = Sample {
        supported: supported || !j.contains_key("supported"),
        error,
        ops: num("ops"),
        bytes: num("bytes"),
        wall: num("wall_s"),
        cpu: num("user_s") + num("sys_s"),
        rss_mib: num("peak_rss_kib") / 1024.0,
        // The server's CPU includes the client's warm-up; scale it by nothing
        // and report it against the measured wall time as an upper bound.
        server_cpu: cpu1 - cpu0,
    };
    eprintln!(
        "xtask: bench {workload:<20} {client:<12} {config:<7} wall {:>7.3}s cpu {:>7.3}s rss {:>7.1}MiB{}",
        s.wall,
        s.cpu,
        s.rss_mib,
        s.error.as_deref().map(|e| format!("  [{e}]")).unwrap_or_default()
    );
    Ok(s)
}

fn median(mut v: Vec<f64>) -> f64 {
    v.retain(|x| x.is_finite());
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_by(|a, b| a.total_cmp(b));
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

fn median_row(w: &Workload, client: &'static str, config: &'static str, samples: &[Sample]) -> Row {
    let ok: Vec<&Sample> = samples
        .iter()
        .filter(|s| s.supported && s.error.is_none())
        .collect();
    let supported = samples.iter().all(|s| s.supported);
    let error = samples.iter().find_map(|s| s.error.clone());
    if ok.is_empty() {
        return Row {
            client,
            config,
            supported,
            error,
            throughput: f64::NAN,
            cpu: f64::NAN,
            rss_mib: f64::NAN,
            wall: f64::NAN,
            server_cores: f64::NAN,
        };
    }
    const GIB: f64 = (1u64 << 30) as f64;
    let throughput = median(
        ok.iter()
            .map(|s| match w.kind {
                Kind::Bulk => s.bytes / GIB / s.wall,
                _ => s.ops / s.wall,
            })
            .collect(),
    );
    let cpu = median(
        ok.iter()
            .map(|s| match w.kind {
                Kind::Bulk => s.cpu / (s.bytes / GIB),
                Kind::Small | Kind::Delete => s.cpu / s.ops * 1e6,
                Kind::List => s.cpu / (s.ops / 1000.0) * 1e3,
            })
            .collect(),
    );
    Row {
        client,
        config,
        supported: true,
        error: if ok.len() == samples.len() {
            None
        } else {
            error
        },
        throughput,
        cpu,
        rss_mib: median(ok.iter().map(|s| s.rss_mib).collect()),
        wall: median(ok.iter().map(|s| s.wall).collect()),
        server_cores: median(ok.iter().map(|s| s.server_cpu / s.wall).collect()),
    }
}

/// Parses one flat JSON object (string, number, bool and null values) into
/// key -> raw value (strings unescaped for `\"` and `\\` only).
fn parse_flat_json(s: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let b = s.trim().as_bytes();
    if b.first() != Some(&b'{') {
        return out;
    }
    let mut i = 1;
    let read_str = |i: &mut usize| -> String {
        let mut v = Vec::new();
        *i += 1; // opening quote
        while *i < b.len() && b[*i] != b'"' {
            if b[*i] == b'\\' && *i + 1 < b.len() {
                *i += 1;
                v.push(match b[*i] {
                    b'n' => b'\n',
                    c => c,
                });
            } else {
                v.push(b[*i]);
            }
            *i += 1;
        }
        *i += 1; // closing quote
        String::from_utf8_lossy(&v).into_owned()
    };
    while i < b.len() {
        while i < b.len() && matches!(b[i], b' ' | b',' | b'\n') {
            i += 1;
        }
        if i >= b.len() || b[i] != b'"' {
            break;
        }
        let key = read_str(&mut i);
        while i < b.len() && matches!(b[i], b' ' | b':') {
            i += 1;
        }
        let val = if i < b.len() && b[i] == b'"' {
            read_str(&mut i)
        } else {
            let start = i;
            while i < b.len() && !matches!(b[i], b',' | b'}') {
                i += 1;
            }
            String::from_utf8_lossy(&b[start..i]).trim().to_string()
        };
        out.insert(key, val);
    }
    out
}

fn units(kind: Kind) -> (&'static str, &'static str) {
    match kind {
        Kind::Small => ("ops/s", "client CPU µs/op"),
        Kind::Bulk => ("GiB/s", "client CPU-s/GiB"),
        Kind::List => ("keys/s", "client CPU ms/1,000-key page"),
        Kind::Delete => ("keys/s", "client CPU µs/key"),
    }
}

fn fmt_num(x: f64) -> String {
    if !x.is_finite() {
        "–".into()
    } else if x >= 1000.0 {
        format!("{:.0}", x)
    } else if x >= 100.0 {
        format!("{:.1}", x)
    } else if x >= 1.0 {
        format!("{:.2}", x)
    } else {
        format!("{:.3}", x)
    }
}

fn best_peer<'a>(rows: &'a [Row], config: &str) -> Option<&'a Row> {
    rows.iter()
        .filter(|r| r.client != "newtera" && r.config == config && r.throughput.is_finite())
        .max_by(|a, b| a.throughput.total_cmp(&b.throughput))
}

pub(crate) fn cmd_output(program: &str, args: &[&str]) -> String {
    Command::new(program)
        .args(args)
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_else(|| "?".into())
}

fn machine() -> String {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo
        .lines()
        .find(|l| l.starts_with("model name"))
        .and_then(|l| l.split(':').nth(1))
        .map(|s| s.trim().to_string())
        .unwrap_or_else(|| "?".into());
    let sha = if cpuinfo.contains(" sha_ni") {
        ", SHA-NI"
    } else {
        ""
    };
    let mem = std::fs::read_to_string("/proc/meminfo")
        .unwrap_or_default()
        .lines()
        .find(|l| l.starts_with("MemTotal"))
        .and_then(|l| {
            l.split_whitespace()
                .nth(1)
                .and_then(|k| k.parse::<f64>().ok())
        })
        .map(|kib| format!("{:.1} GiB", kib / 1024.0 / 1024.0))
        .unwrap_or_else(|| "?".into());
    let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease")
        .map(|s| s.trim().to_string())
        .unwrap_or_else(|_| "?".into());
    let nproc = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(0);
    format!(
        "{nproc} CPUs ({model}{sha}), {mem} RAM, Linux {kernel}, {}",
        cmd_output("rustc", &["--version"])
    )
}

fn render(results: &[(&Workload, Vec<Row>)], quick: bool, measured: Duration) -> String {
    let mut md = String::new();
    let cmd = if quick {
        "cargo xtask bench --quick"
    } else {
        "cargo xtask bench"
    };
    md.push_str("# Benchmarks\n\n");
    md.push_str(&format!(
        "Produced by `{cmd}` on {} (commit {}{}), {:.0} s of measured runs.\n\n",
        cmd_output("date", &["-u", "+%Y-%m-%d %H:%M UTC"]),
        cmd_output("git", &["rev-parse", "--short", "HEAD"]),
        if cmd_output("git", &["status", "--porcelain", "--untracked-files=no"]).is_empty() {
            ""
        } else {
            ", with uncommitted changes"
        },
        measured.as_secs_f64()
    ));
    md.push_str(&format!("Machine: {}.\n\n", machine()));
    md.push_str(
        "Method: a minimal S3 endpoint (`crates/newtera-bench`, hyper, HTTP/1.1, 127.0.0.1, no signature \
         checks, no storage: uploads are drained, aws-chunked bodies decoded, GETs served from a preallocated \
         1 GiB buffer, listings from prerendered 1,000-key pages) runs as its own process. Each (client, \
         workload, config) runs in its own `bench-client` process: a warm-up pass (a tenth of the operations, \
         or 64 MiB), then the measured pass; client CPU is user + sys from `getrusage(RUSAGE_SELF)` over the \
         measured pass, peak RSS is `VmHWM` reset after the warm-up (`/proc/self/clear_refs`). ",
    );
    md.push_str(&format!(
        "{} repetition{} in rotating client order; figures are medians. Configs: **default** = each client's \
         defaults (Newtera: UNSIGNED-PAYLOAD + CRC64NVME; aws-sdk-s3: signed payload + CRC32 request checksums, \
         response validation when supported; object_store: signed payload (SHA-256); minio-rs: signed payload \
         (SHA-256)); **equal** = unsigned payload and no checksums where the client allows it (Newtera \
         `checksum_algorithm(None)`; aws-sdk-s3 `disable_payload_signing()` + checksums `WhenRequired`; \
         object_store `with_unsigned_payload(true)`; minio-rs has no such switch, so its equal row is its \
         default). Same part size (8 MiB) and parts in flight (8) everywhere, except minio-rs, which uploads \
         parts one at a time. **strict** (Newtera only, {strict}) = default + `strict_integrity(true)`: \
         the endpoint declares no checksum, so the whole-object GET is verified against its MD5 ETag \
         (the default config verifies nothing there). **single** (Newtera only, {single}) = default + \
         `num_parallel_downloads(1)`. The {single} rows read a second key of the same 1 GiB for which the \
         endpoint declares the real full-object CRC64NVME on HEAD and whole GETs asked with \
         `x-amz-checksum-mode: ENABLED` (none on ranges, as S3), so Newtera's default verifies it. `srv` = the endpoint used ≥ 0.9 of a core during the run (it may be the \
         bottleneck; its CPU includes the warm-up). Ratios are Newtera / peer in the same config: \
         throughput (> 1 is better) and CPU (< 1 is better).\n\n",
        if quick { 1 } else { 3 },
        if quick { "" } else { "s" },
        strict = STRICT_WORKLOADS.join(", "),
        single = SINGLE_WORKLOADS.join(", "),
    ));
    if quick {
        md.push_str("**Quick mode**: smaller operation counts (300 at concurrency 1, 3,000 at 32), 256 MiB instead of 1 GiB for the PUT, a single repetition; indicative only.\n\n");
    }

    // Headline.
    md.push_str("## Headline: Newtera against the best peer (highest throughput), per config\n\n");
    md.push_str("| workload | config | Newtera | Newtera CPU | best peer | peer | peer CPU | throughput ratio | CPU ratio | target (design.md) | met |\n|---|---|---|---|---|---|---|---|---|---|---|\n");
    for (w, rows) in results {
        let (tu, cu) = units(w.kind);
        for config in CONFIGS {
            let Some(n) = rows
                .iter()
                .find(|r| r.client == "newtera" && r.config == config)
            else {
                continue;
            };
            let peer = best_peer(rows, config);
            let mut target = Vec::new();
            let mut met = true;
            if let Some(t) = w.cpu_target {
                target.push(format!("CPU ≤ {t}"));
                met &= n.cpu <= t;
            }
            if w.rss_bound {
                target.push(format!("RSS ≤ {RSS_BOUND_MIB:.0} MiB"));
                met &= n.rss_mib <= RSS_BOUND_MIB;
            }
            if let Some(p) = peer {
                target.push("≥ peer throughput at ≤ 0.7× CPU".into());
                met &= n.throughput >= p.throughput && n.cpu <= 0.7 * p.cpu;
            }
            met &= n.throughput.is_finite();
            md.push_str(&format!(
                "| {} | {} | {} {tu} | {} {} | {} | {} {tu} | {} | {} | {} | {} | {} |\n",
                w.name,
                config,
                fmt_num(n.throughput),
                fmt_num(n.cpu),
                cu.trim_start_matches("client CPU "),
                peer.map(|p| p.client).unwrap_or("–"),
                peer.map(|p| fmt_num(p.throughput))
                    .unwrap_or_else(|| "–".into()),
                peer.map(|p| fmt_num(p.cpu)).unwrap_or_else(|| "–".into()),
                peer.map(|p| format!("{:.2}×", n.throughput / p.throughput))
                    .unwrap_or_else(|| "–".into()),
                peer.map(|p| format!("{:.2}×", n.cpu / p.cpu))
                    .unwrap_or_else(|| "–".into()),
                target.join("; "),
                if met { "yes" } else { "**no**" },
            ));
        }
    }
    md.push('\n');

    for (w, rows) in results {
        let (tu, cu) = units(w.kind);
        md.push_str(&format!("## {} — {}\n\n", w.name, w.what));
        md.push_str(&format!(
            "| client | config | {tu} | {cu} | peak RSS MiB | wall s | server cores | Newtera throughput ratio | Newtera CPU ratio |\n|---|---|---|---|---|---|---|---|---|\n"
        ));
        for r in rows {
            if !r.throughput.is_finite() {
                let why = r.error.as_deref().unwrap_or("no result");
                let why = why
                    .split("unsupported: ")
                    .nth(1)
                    .filter(|_| !r.supported)
                    .map(|s| format!("unsupported: {}", s.trim_end_matches(['"', ')'])))
                    .unwrap_or_else(|| {
                        format!(
                            "failed: {}",
                            why.chars().take(160).collect::<String>().replace('|', "/")
                        )
                    });
                md.push_str(&format!(
                    "| {} | {} | {why} | | | | | | |\n",
                    r.client, r.config
                ));
                continue;
            }
            let n = rows
                .iter()
                .find(|x| x.client == "newtera" && x.config == r.config);
            let (tr, cr) = match n {
                Some(n) if r.client != "newtera" && n.throughput.is_finite() => (
                    format!("{:.2}×", n.throughput / r.throughput),
                    format!("{:.2}×", n.cpu / r.cpu),
                ),
                _ => ("".into(), "".into()),
            };
            let rss = if w.rss_bound && r.rss_mib > RSS_BOUND_MIB {
                format!("{} (> {RSS_BOUND_MIB:.0})", fmt_num(r.rss_mib))
            } else {
                fmt_num(r.rss_mib)
            };
            md.push_str(&format!(
                "| {} | {} | {} | {} | {} | {} | {:.2}{} | {} | {} |\n",
                r.client,
                r.config,
                fmt_num(r.throughput),
                fmt_num(r.cpu),
                rss,
                fmt_num(r.wall),
                r.server_cores,
                if r.server_cores >= 0.9 { " srv" } else { "" },
                tr,
                cr
            ));
        }
        md.push('\n');
    }
    // The build-cost section, as `cargo xtask bench build-cost` last wrote it.
    if let Ok(section) = std::fs::read_to_string(workspace_root().join(crate::buildcost::RESULTS)) {
        md.push_str(&section);
    }
    md.push_str(ANALYSIS_MARKER);
    md.push('\n');
    md
}
