//! BENCHMARKS.md from the samples: medians and spread per (workload,
//! client, config), the headline against the best peer, one table per
//! workload.

use std::time::Duration;

use super::limits::{self, verdict};
use super::{
    cmd_output, workspace_root, Kind, Sample, Workload, ANALYSIS_MARKER, CONFIGS, FLOOR,
    RSS_BOUND_MIB, SINGLE_WORKLOADS, STRICT_WORKLOADS,
};

/// Median figures of one (workload, client, config), with the spread of the
/// repetitions.
#[derive(Clone, Debug)]
pub(super) struct Row {
    pub(super) client: &'static str,
    pub(super) config: &'static str,
    pub(super) supported: bool,
    pub(super) error: Option<String>,
    /// ops/s (Small, List, Delete) or GiB/s (Bulk).
    pub(super) throughput: f64,
    /// Lowest and highest throughput of the repetitions.
    pub(super) throughput_range: (f64, f64),
    /// µs/op, CPU-s/GiB, ms/page or µs/key.
    pub(super) cpu: f64,
    /// Lowest and highest CPU figure of the repetitions.
    pub(super) cpu_range: (f64, f64),
    /// The kernel's share of the CPU: sys / (user + sys).
    pub(super) kernel: f64,
    pub(super) rss_mib: f64,
    pub(super) wall: f64,
    /// Measured rounds of one process (median).
    pub(super) rounds: f64,
    /// Server CPU in cores (CPU-s / wall-s).
    pub(super) server_cores: f64,
}

impl Row {
    /// The CPU figure's user and sys parts.
    pub(super) fn user_sys(&self) -> (f64, f64) {
        (self.cpu * (1.0 - self.kernel), self.cpu * self.kernel)
    }

    /// The largest distance of a repetition's CPU figure from the median, in
    /// % of the median (NaN with one repetition).
    pub(super) fn cpu_noise_pct(&self) -> f64 {
        noise_pct(self.cpu, self.cpu_range)
    }

    /// The same for the throughput.
    pub(super) fn throughput_noise_pct(&self) -> f64 {
        noise_pct(self.throughput, self.throughput_range)
    }
}

fn noise_pct(median: f64, (lo, hi): (f64, f64)) -> f64 {
    if lo == hi {
        return f64::NAN;
    }
    100.0 * (median - lo).max(hi - median) / median
}

/// `−a/+b %`: the lowest and highest repetition around the median.
pub(super) fn spread(median: f64, (lo, hi): (f64, f64)) -> String {
    if !median.is_finite() || lo == hi {
        return "–".into();
    }
    format!(
        "−{:.0}/+{:.0} %",
        100.0 * (median - lo) / median,
        100.0 * (hi - median) / median
    )
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

fn range(v: &[f64]) -> (f64, f64) {
    let v = v.iter().copied().filter(|x| x.is_finite());
    let lo = v.clone().fold(f64::INFINITY, f64::min);
    let hi = v.fold(f64::NEG_INFINITY, f64::max);
    (lo, hi)
}

pub(super) fn median_row(
    w: &Workload,
    client: &'static str,
    config: &'static str,
    samples: &[Sample],
) -> Row {
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
            throughput_range: (f64::NAN, f64::NAN),
            cpu: f64::NAN,
            cpu_range: (f64::NAN, f64::NAN),
            kernel: f64::NAN,
            rss_mib: f64::NAN,
            wall: f64::NAN,
            rounds: f64::NAN,
            server_cores: f64::NAN,
        };
    }
    const GIB: f64 = (1u64 << 30) as f64;
    let throughputs: Vec<f64> = ok
        .iter()
        .map(|s| match w.kind {
            Kind::Bulk => s.bytes / GIB / s.wall,
            _ => s.ops / s.wall,
        })
        .collect();
    let cpus: Vec<f64> = ok
        .iter()
        .map(|s| match w.kind {
            Kind::Bulk => s.cpu / (s.bytes / GIB),
            Kind::Small | Kind::Delete => s.cpu / s.ops * 1e6,
            Kind::List => s.cpu / (s.ops / 1000.0) * 1e3,
        })
        .collect();
    Row {
        client,
        config,
        supported: true,
        error: if ok.len() == samples.len() {
            None
        } else {
            error
        },
        throughput: median(throughputs.clone()),
        throughput_range: range(&throughputs),
        cpu: median(cpus.clone()),
        cpu_range: range(&cpus),
        kernel: median(ok.iter().map(|s| s.sys / s.cpu).collect()),
        rss_mib: median(ok.iter().map(|s| s.rss_mib).collect()),
        wall: median(ok.iter().map(|s| s.wall).collect()),
        rounds: median(ok.iter().map(|s| s.rounds).collect()),
        server_cores: median(ok.iter().map(|s| s.server_cpu / s.wall).collect()),
    }
}

pub(super) fn units(kind: Kind) -> (&'static str, &'static str) {
    match kind {
        Kind::Small => ("ops/s", "client CPU µs/op"),
        Kind::Bulk => ("GiB/s", "client CPU-s/GiB"),
        Kind::List => ("keys/s", "client CPU ms/1,000-key page"),
        Kind::Delete => ("keys/s", "client CPU µs/key"),
    }
}

pub(super) fn fmt_num(x: f64) -> String {
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

pub(super) fn best_peer<'a>(rows: &'a [Row], config: &str) -> Option<&'a Row> {
    rows.iter()
        .filter(|r| {
            r.client != "newtera"
                && r.client != FLOOR
                && r.config == config
                && r.throughput.is_finite()
        })
        .max_by(|a, b| a.throughput.total_cmp(&b.throughput))
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

pub(super) fn render(
    results: &[(&Workload, Vec<Row>)],
    quick: bool,
    reps: usize,
    measured: Duration,
) -> String {
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
         or 64 MiB), then the measured pass, which repeats the workload in rounds until its wall time reaches \
         1.0 s (0.2 s with `--quick`; `wall s (rounds)` in the tables), summing operations, bytes, wall and \
         CPU over the rounds (each round timed on its own, so that removing `fget_1g`'s file between rounds is \
         outside the figures). Client CPU is user + sys from `getrusage(RUSAGE_SELF)` over the measured rounds; \
         `kernel %` is sys / (user + sys); peak RSS is `VmHWM` reset after the warm-up \
         (`/proc/self/clear_refs`). ",
    );
    md.push_str(&format!(
        "{reps} repetition{} in rotating client order; figures are medians, and `CPU spread` is the lowest and \
         highest repetition's CPU figure around the median (the run-to-run noise of this machine). \
         **floor** = no S3 client at all: the same wire work from raw tokio `TcpStream`s on the same \
         multi-thread runtime (hand-written HTTP/1.1 requests, keep-alive, one task owning each connection; \
         reading only the status line, the end of the head, `Content-Length` and the body; no signing, no \
         checksums, no XML model: the list follows its continuation token and counts `<Key>`s by substring \
         search, the parts are 8 MiB PUTs after a CreateMultipartUpload, the download is 8 MiB ranges written \
         at their offsets). It is what the kernel and the runtime alone spend for these requests and bytes \
         here; it has no configs and runs once per repetition. Configs: **default** = each client's \
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
         `x-amz-checksum-mode: ENABLED` (none on ranges, as S3), so Newtera's default verifies it. `srv` = \
         the endpoint used ≥ 0.9 of a core during the run (it may be the bottleneck; its CPU includes the \
         warm-up). Ratios are Newtera / other in the same config (the floor's row: Newtera default / floor): \
         throughput (> 1 is better) and CPU (< 1 is better).\n\n",
        if reps == 1 { "" } else { "s" },
        strict = STRICT_WORKLOADS.join(", "),
        single = SINGLE_WORKLOADS.join(", "),
    ));
    if quick {
        md.push_str("**Quick mode**: smaller operation counts per round (300 at concurrency 1, 3,000 at 32), 256 MiB instead of 1 GiB for the PUT, rounds to 0.2 s, a single repetition (no spread); indicative only.\n\n");
    }

    // Headline.
    md.push_str("## Headline: Newtera against the best peer (highest throughput), per config\n\n");
    md.push_str("| workload | config | Newtera | Newtera CPU | CPU spread | floor CPU | best peer | peer | peer CPU | throughput ratio | CPU ratio | target (design.md) | met |\n|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
    for (w, rows) in results {
        let (tu, cu) = units(w.kind);
        let floor = rows.iter().find(|r| r.client == FLOOR);
        for config in CONFIGS {
            let Some(n) = rows
                .iter()
                .find(|r| r.client == "newtera" && r.config == config)
            else {
                continue;
            };
            let peer = best_peer(rows, config);
            let v = verdict(w, n, peer);
            md.push_str(&format!(
                "| {} | {} | {} {tu} | {} {} | {} | {} | {} | {} {tu} | {} | {} | {} | {} | {} |\n",
                w.name,
                config,
                fmt_num(n.throughput),
                fmt_num(n.cpu),
                cu.trim_start_matches("client CPU "),
                spread(n.cpu, n.cpu_range),
                floor.map(|f| fmt_num(f.cpu)).unwrap_or_else(|| "–".into()),
                peer.map(|p| p.client).unwrap_or("–"),
                peer.map(|p| fmt_num(p.throughput))
                    .unwrap_or_else(|| "–".into()),
                peer.map(|p| fmt_num(p.cpu)).unwrap_or_else(|| "–".into()),
                peer.map(|p| format!("{:.2}×", n.throughput / p.throughput))
                    .unwrap_or_else(|| "–".into()),
                peer.map(|p| format!("{:.2}×", n.cpu / p.cpu))
                    .unwrap_or_else(|| "–".into()),
                v.target,
                if v.met { "yes" } else { "**no**" },
            ));
        }
    }
    md.push('\n');

    for (w, rows) in results {
        md.push_str(&workload_table(w, rows));
    }
    md.push_str(&limits::section(results));
    // The build-cost section, as `cargo xtask bench build-cost` last wrote it.
    if let Ok(section) = std::fs::read_to_string(workspace_root().join(crate::buildcost::RESULTS)) {
        md.push_str(&section);
    }
    md.push_str(ANALYSIS_MARKER);
    md.push('\n');
    md
}

/// The table of one workload: every client and config, and the floor.
fn workload_table(w: &Workload, rows: &[Row]) -> String {
    let (tu, cu) = units(w.kind);
    let mut md = format!("## {} — {}\n\n", w.name, w.what);
    md.push_str(&format!(
        "| client | config | {tu} | {cu} | CPU spread | kernel % | peak RSS MiB | wall s (rounds) | server cores | Newtera throughput ratio | Newtera CPU ratio |\n|---|---|---|---|---|---|---|---|---|---|---|\n"
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
                "| {} | {} | {why} | | | | | | | | |\n",
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
            "| {} | {} | {} | {} | {} | {:.0} | {} | {} ({:.0}) | {:.2}{} | {} | {} |\n",
            r.client,
            r.config,
            fmt_num(r.throughput),
            fmt_num(r.cpu),
            spread(r.cpu, r.cpu_range),
            100.0 * r.kernel,
            rss,
            fmt_num(r.wall),
            r.rounds,
            r.server_cores,
            if r.server_cores >= 0.9 { " srv" } else { "" },
            tr,
            cr
        ));
    }
    md.push('\n');
    md
}
