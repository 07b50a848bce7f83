//! `cargo xtask bench [--quick]`: Newtera beside aws-sdk-s3, minio-rs and
//! object_store on one loopback endpoint, each (client, workload, config) in
//! its own process, three repetitions in rotating client order (one with
//! `--quick`), medians and the spread across repetitions written to
//! BENCHMARKS.md. Each process repeats its measured workload until 1.0 s of
//! wall time (0.2 s with `--quick`). A `floor` client (raw sockets and
//! hand-written HTTP/1.1, no library) runs the same wire work once per
//! repetition: what the kernel and the runtime alone cost on this machine,
//! against which the rows short of a target are set (`bench_limits.rs`).
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

/// The "Rows short of a target" section.
#[path = "bench_limits.rs"]
mod limits;
/// Rendering of BENCHMARKS.md.
#[path = "bench_report.rs"]
mod report;

use report::{median_row, render, Row};

const CLIENTS: [&str; 4] = ["newtera", "aws", "minio", "object_store"];
const CONFIGS: [&str; 2] = ["default", "equal"];
/// The client without a library (config "default" only), run once per
/// repetition beside the others.
const FLOOR: &str = "floor";
/// Repetitions of a full run. With every measured pass at least 1.0 s,
/// one repetition of all (client, workload, config) processes takes about
/// 150-170 s here, so 5 repetitions would pass 12 minutes: 3.
const REPS: usize = 3;
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
        what: "Delete 10,000 keys (DeleteObjects, 1,000 a request)",
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
    /// user + sys.
    cpu: f64,
    /// sys alone.
    sys: f64,
    /// Measured rounds (each process repeats the workload to a minimum wall time).
    rounds: f64,
    rss_mib: f64,
    server_cpu: f64,
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
    let reps = if quick { 1 } else { REPS };
    let started = std::time::Instant::now();
    let mut raw = String::new();
    let mut results: Vec<(&Workload, Vec<Row>)> = Vec::new();
    for w in WORKLOADS {
        let mut samples: BTreeMap<(&str, &str), Vec<Sample>> = BTreeMap::new();
        for rep in 0..reps {
            // The floor takes its turn in the rotation like the clients.
            let order: Vec<&str> = CLIENTS.iter().copied().chain([FLOOR]).collect();
            for i in 0..order.len() {
                let client = order[(i + rep) % order.len()];
                if client == FLOOR {
                    let s = run_client(
                        &bin, &server, &endpoint, client, w.name, "default", quick, &mut raw,
                    )?;
                    samples.entry((client, "default")).or_default().push(s);
                    continue;
                }
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
            .chain([(FLOOR, "default")])
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
    let mut md = render(&results, quick, reps, measured);
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
        sys: num("sys_s"),
        // A line without it comes from a client that measured one pass.
        rounds: j.get("rounds").map_or(1.0, |_| num("rounds")),
        rss_mib: num("peak_rss_kib") / 1024.0,
        // The server's CPU includes the client's warm-up; scale it by nothing
        // and report it against the measured wall time as an upper bound.
        server_cpu: cpu1 - cpu0,
    };
    eprintln!(
        "xtask: bench {workload:<20} {client:<12} {config:<7} wall {:>7.3}s ({:>3} rounds) cpu {:>7.3}s (sys {:>3.0} %) rss {:>7.1}MiB{}",
        s.wall,
        s.rounds,
        s.cpu,
        100.0 * s.sys / s.cpu,
        s.rss_mib,
        s.error.as_deref().map(|e| format!("  [{e}]")).unwrap_or_default()
    );
    Ok(s)
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

pub(crate) fn cmd_output(program: &str, args: &[&str]) -> String {
    Command::new(program)
        .args(args)
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_else(|| "?".into())
}
