//! `cargo xtask bench profile [CLIENT:WORKLOAD:CONFIG ...]`: where the CPU
//! of a benchmark run goes, from `perf record -e cpu-clock` (a software
//! clock: it works in VMs without hardware counters).
//!
//! Each run is one `bench-client` process against the same `bench-server`
//! as `cargo xtask bench`; the profile covers the whole process (start-up
//! and the warm-up pass included, both small beside a measured pass of at
//! least a second). The samples are grouped by where they fall: the
//! kernel's copy of socket data, its TCP/IP path, scheduling and wake-ups,
//! memory (page faults, page allocation), the rest of the kernel, and in
//! user space libc's copies, the allocator, hashing/checksums, the HTTP
//! library, the runtime, Newtera's own code and the rest. The result goes
//! to `crates/newtera-bench/PROFILES.md`.
//!
//! Without arguments it profiles the rows that `design.md`'s targets are
//! hardest on, each beside the `floor` client (the same wire work with no
//! HTTP library) when the bench client has one.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;
use std::process::{Command, Stdio};

use crate::bench::{build_bench, workspace_root, Server};
use crate::Failure;

/// (client, workload, config) profiled by default.
const DEFAULT_RUNS: &[(&str, &str, &str)] = &[
    ("newtera", "get_1k_c1", "default"),
    ("newtera", "head_1k_c32", "default"),
    ("newtera", "get_1g_stream", "default"),
    ("newtera", "get_1g_ranged", "default"),
    ("newtera", "fget_1g", "equal"),
    ("newtera", "list_100k", "default"),
    ("newtera", "delete_10k", "equal"),
    ("newtera", "upload_256m_unknown", "default"),
];

/// Where a sample falls.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Bucket {
    KernelCopy,
    KernelNet,
    KernelSched,
    KernelMemory,
    KernelOther,
    UserCopy,
    UserAlloc,
    UserHash,
    UserHttp,
    UserRuntime,
    UserNewtera,
    UserOther,
}

impl Bucket {
    const ALL: [Bucket; 12] = [
        Bucket::KernelCopy,
        Bucket::KernelNet,
        Bucket::KernelSched,
        Bucket::KernelMemory,
        Bucket::KernelOther,
        Bucket::UserCopy,
        Bucket::UserAlloc,
        Bucket::UserHash,
        Bucket::UserHttp,
        Bucket::UserRuntime,
        Bucket::UserNewtera,
        Bucket::UserOther,
    ];

    fn label(self) -> &'static str {
        match self {
            Bucket::KernelCopy => "kernel: copy to/from user",
            Bucket::KernelNet => "kernel: TCP/IP",
            Bucket::KernelSched => "kernel: scheduling, wake-ups, futex, epoll",
            Bucket::KernelMemory => "kernel: page faults, page allocation",
            Bucket::KernelOther => "kernel: other (syscall entry, files, ...)",
            Bucket::UserCopy => "user: memcpy/memmove",
            Bucket::UserAlloc => "user: allocator",
            Bucket::UserHash => "user: SHA-256/MD5/CRC",
            Bucket::UserHttp => "user: hyper, http, httparse",
            Bucket::UserRuntime => "user: tokio, futures",
            Bucket::UserNewtera => "user: newtera crates",
            Bucket::UserOther => "user: other",
        }
    }

    fn of(kernel: bool, sym: &str) -> Bucket {
        let has = |words: &[&str]| words.iter().any(|w| sym.contains(w));
        if kernel {
            if has(&["copy", "rep_movs", "memcpy", "memmove", "check_object_size"]) {
                Bucket::KernelCopy
            } else if has(&[
                "schedule",
                "task_switch",
                "wake",
                "futex",
                "ep_",
                "epoll",
                "ttwu",
                "enqueue",
                "dequeue",
                "pick_next",
                "update_curr",
                "raw_spin",
                "idle",
                "hrtimer",
                "select_task",
            ]) {
                Bucket::KernelSched
            } else if has(&[
                "tcp", "ip_", "ipv4", "skb", "sock", "softirq", "net_", "netif", "napi",
                "loopback", "dev_", "inet", "__dst", "datagram",
            ]) || sym.starts_with("sk_")
                || sym.starts_with("__sk_")
            {
                Bucket::KernelNet
            } else if has(&[
                "page", "folio", "fault", "mm_", "_mm", "pte", "pmd", "lru", "vma", "memcg",
                "clear_", "zone", "rmqueue", "shmem",
            ]) {
                Bucket::KernelMemory
            } else {
                Bucket::KernelOther
            }
        } else if has(&["memcpy", "memmove", "memset"]) {
            Bucket::UserCopy
        } else if has(&[
            "malloc",
            "free",
            "realloc",
            "rdl_",
            "rust_alloc",
            "rust_dealloc",
            "calloc",
        ]) {
            Bucket::UserAlloc
        } else if has(&["sha2", "sha256", "md5", "crc", "hmac", "digest"]) {
            Bucket::UserHash
        } else if has(&["hyper", "http::", "httparse", "h1::"]) {
            Bucket::UserHttp
        } else if has(&["tokio", "futures", "mio::"]) {
            Bucket::UserRuntime
        } else if has(&["newtera"]) {
            Bucket::UserNewtera
        } else {
            Bucket::UserOther
        }
    }
}

struct Profile {
    what: String,
    samples_pct: BTreeMap<Bucket, f64>,
    top: Vec<(f64, String)>,
    result: String,
}

pub(crate) fn profile(args: &[String]) -> Result<(), Failure> {
    let runs: Vec<(String, String, String)> = if args.is_empty() {
        DEFAULT_RUNS
            .iter()
            .flat_map(|&(c, w, k)| {
                [(c, w, k), ("floor", w, "default")]
                    .map(|(c, w, k)| (c.to_string(), w.to_string(), k.to_string()))
            })
            .collect()
    } else {
        args.iter()
            .map(|a| {
                let mut p = a.split(':').map(str::to_string);
                match (p.next(), p.next(), p.next()) {
                    (Some(c), Some(w), k) => Ok((c, w, k.unwrap_or_else(|| "default".into()))),
                    _ => Err(Failure::new(format!(
                        "bench profile: {a:?} is not CLIENT:WORKLOAD[:CONFIG]"
                    ))),
                }
            })
            .collect::<Result<_, _>>()?
    };
    let perf = Command::new("perf").arg("--version").output();
    if !perf.is_ok_and(|o| o.status.success()) {
        return Err(Failure::new(
            "bench profile needs `perf` on PATH (Debian: apt-get install linux-perf)",
        ));
    }
    let bin = build_bench()?;
    let server = Server::start(&bin.join("bench-server"))?;
    let endpoint = format!("http://{}", server.addr);
    let dir = std::env::temp_dir().join(format!("newtera-profile-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| Failure::new(format!("{}: {e}", dir.display())))?;
    let mut profiles = Vec::new();
    for (client, workload, config) in &runs {
        let data = dir.join(format!("{client}-{workload}-{config}.data"));
        eprintln!("xtask: profiling {client} {workload} {config}");
        let out = Command::new("perf")
            .args(["record", "-q", "-e", "cpu-clock", "-F", "4000", "-o"])
            .arg(&data)
            .arg("--")
            .arg(bin.join("bench-client"))
            .args([
                "--client",
                client,
                "--workload",
                workload,
                "--config",
                config,
            ])
            .args(["--endpoint", &endpoint])
            .stderr(Stdio::inherit())
            .output()
            .map_err(|e| Failure::new(format!("perf record: {e}")))?;
        let result = String::from_utf8_lossy(&out.stdout).trim().to_string();
        if !out.status.success() {
            // A client without this workload (e.g. no floor for it) is
            // skipped, not fatal.
            eprintln!("xtask: {client} {workload} {config} failed: {result}");
            continue;
        }
        profiles.push(summarize(
            &data,
            format!("{client} {workload} {config}"),
            result,
        )?);
    }
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
    let out = workspace_root().join("crates/newtera-bench/PROFILES.md");
    std::fs::write(&out, render(&profiles))
        .map_err(|e| Failure::new(format!("cannot write {}: {e}", out.display())))?;
    eprintln!("xtask: wrote {}", out.display());
    Ok(())
}

/// Reads one `perf.data` back as percentages per bucket and the top symbols.
fn summarize(data: &Path, what: String, result: String) -> Result<Profile, Failure> {
    let out = Command::new("perf")
        .args(["report", "--stdio", "--no-children", "-g", "none"])
        .args(["--sort", "sym", "--percent-limit", "0", "-i"])
        .arg(data)
        .stderr(Stdio::null())
        .output()
        .map_err(|e| Failure::new(format!("perf report: {e}")))?;
    let text = String::from_utf8_lossy(&out.stdout);
    let mut samples_pct = BTreeMap::new();
    let mut top = Vec::new();
    for line in text.lines().filter(|l| !l.starts_with('#')) {
        // "    29.38%  [k] finish_task_switch.isra.0"
        let mut parts = line.split_whitespace();
        let (Some(pct), Some(kind)) = (parts.next(), parts.next()) else {
            continue;
        };
        let Some(pct) = pct.strip_suffix('%').and_then(|p| p.parse::<f64>().ok()) else {
            continue;
        };
        let sym = parts.collect::<Vec<_>>().join(" ");
        let kernel = kind == "[k]";
        *samples_pct.entry(Bucket::of(kernel, &sym)).or_insert(0.0) += pct;
        if top.len() < 12 {
            top.push((pct, format!("{kind} {sym}")));
        }
    }
    Ok(Profile {
        what,
        samples_pct,
        top,
        result,
    })
}

fn render(profiles: &[Profile]) -> String {
    let mut md = String::new();
    let _ = writeln!(
        md,
        "# Profiles of benchmark rows\n\nProduced by `cargo xtask bench profile` on {}: \
         `perf record -e cpu-clock -F 4000` of one `bench-client` process per row (the whole \
         process: start-up and warm-up included), against `bench-server` on 127.0.0.1. \
         `floor` is the bench's client with no HTTP library, signing or parsing (raw \
         sockets, the same requests). Shares are of the process's samples.\n",
        crate::bench::cmd_output("date", &["-u", "+%Y-%m-%d %H:%M UTC"])
    );
    md.push_str("| bucket |");
    for p in profiles {
        let _ = write!(md, " {} |", p.what);
    }
    md.push_str("\n|---|");
    md.push_str(&"---|".repeat(profiles.len()));
    md.push('\n');
    for b in Bucket::ALL {
        let _ = write!(md, "| {} |", b.label());
        for p in profiles {
            let v = p.samples_pct.get(&b).copied().unwrap_or(0.0);
            let _ = write!(md, " {v:.1} % |");
        }
        md.push('\n');
    }
    md.push_str("| **kernel total** |");
    for p in profiles {
        let k: f64 = p
            .samples_pct
            .iter()
            .filter(|(b, _)| **b <= Bucket::KernelOther)
            .map(|(_, v)| v)
            .sum();
        let _ = write!(md, " **{k:.1} %** |");
    }
    md.push('\n');
    for p in profiles {
        let _ = writeln!(md, "\n## {}\n\nrun: `{}`\n", p.what, p.result);
        md.push_str("| share | symbol |\n|---|---|\n");
        for (pct, sym) in &p.top {
            let _ = writeln!(md, "| {pct:.2} % | `{}` |", sym.replace('|', "\\|"));
        }
    }
    md
}
