//! `cargo xtask bench build-cost [--runs N]`: what a minimal program that
//! does one put and one get costs to build with each client.
//!
//! The programs live in `crates/newtera-bench/buildcost/<client>/`, each a
//! workspace of its own with its own `Cargo.lock` (versions pinned; built
//! `--offline` after a `cargo fetch`, so no build waits on the network). Each run is a
//! clean `cargo build --release` in a fresh target dir, deleted afterwards:
//! wall time, and the CPU time (user + sys) of the whole cargo process tree,
//! taken as the growth of this process's `cutime`/`cstime` in
//! `/proc/self/stat` (the children cargo waited for, and theirs). The release
//! binary is linked with `strip = "symbols"` (`CARGO_PROFILE_RELEASE_STRIP`)
//! and its size taken. Figures are the medians of N runs (default 2) in
//! rotating client order; the load average before each build is kept so a
//! reader can judge how busy the machine was.
//!
//! Writes `crates/newtera-bench/buildcost/RESULTS.md`, which `cargo xtask
//! bench` includes in BENCHMARKS.md as its "Build cost" section.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Instant;

use crate::{cargo, Failure};

/// The clients, as the directory names under `buildcost/`.
const CLIENTS: [&str; 4] = ["newtera", "aws", "minio", "object_store"];
/// Where the programs and the results file live, from the workspace root.
pub(crate) const DIR: &str = "crates/newtera-bench/buildcost";
/// The section file `cargo xtask bench` includes.
pub(crate) const RESULTS: &str = "crates/newtera-bench/buildcost/RESULTS.md";

/// One clean build.
#[derive(Clone, Debug)]
struct Build {
    wall: f64,
    cpu: f64,
    /// Packages cargo compiled (the program excluded; build dependencies included).
    compiled: usize,
    /// Size of the stripped release binary.
    size: u64,
    /// 1-minute load average just before the build.
    load: f64,
}

pub(crate) fn build_cost(args: &[String]) -> Result<(), Failure> {
    let mut runs = 2usize;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--runs" => {
                runs = it
                    .next()
                    .and_then(|n| n.parse().ok())
                    .filter(|&n| n > 0)
                    .ok_or_else(|| Failure::new("bench build-cost: --runs N (N ≥ 1)"))?;
            }
            other => {
                return Err(Failure::new(format!(
                    "bench build-cost: unknown argument {other}"
                )))
            }
        }
    }
    let root = crate::bench::workspace_root();
    // Fetch what the lock files name first (adding entries only if a
    // Newtera crate gained a dependency), so the measured builds never wait
    // on the network.
    for client in CLIENTS {
        crate::run(cargo().current_dir(&root).args([
            "fetch",
            "--manifest-path",
            &manifest(client),
        ]))?;
    }
    let graph: Vec<usize> = CLIENTS
        .iter()
        .map(|c| dependency_graph(&root, c))
        .collect::<Result<_, _>>()?;
    let mut builds: Vec<Vec<Build>> = vec![Vec::new(); CLIENTS.len()];
    for run in 0..runs {
        for i in 0..CLIENTS.len() {
            let k = (i + run) % CLIENTS.len();
            let b = clean_build(&root, CLIENTS[k])?;
            eprintln!(
                "xtask: build-cost {:<12} run {} wall {:>6.1}s cpu {:>6.1}s crates {:>3} binary {:>5.1} MiB (load {:.2})",
                CLIENTS[k],
                run + 1,
                b.wall,
                b.cpu,
                b.compiled,
                b.size as f64 / (1 << 20) as f64,
                b.load
            );
            builds[k].push(b);
        }
        // After each round, so an interrupted run leaves what it measured.
        let out = root.join(RESULTS);
        std::fs::write(&out, render(&graph, &builds))
            .map_err(|e| Failure::new(format!("cannot write {}: {e}", out.display())))?;
        eprintln!("xtask: wrote {} (round {})", out.display(), run + 1);
    }
    Ok(())
}

fn manifest(client: &str) -> String {
    format!("{DIR}/{client}/Cargo.toml")
}

/// Crates in the program's normal dependency graph, the program excluded
/// (`cargo tree -e normal`, each package once).
fn dependency_graph(root: &Path, client: &str) -> Result<usize, Failure> {
    let out = cargo()
        .current_dir(root)
        .args([
            "tree",
            "--offline",
            "-e",
            "normal",
            "--prefix",
            "none",
            "--manifest-path",
            &manifest(client),
        ])
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| Failure::new(format!("cannot run cargo tree: {e}")))?;
    if !out.status.success() {
        return Err(Failure::new(format!(
            "cargo tree of {client} failed ({})",
            out.status
        )));
    }
    let text = String::from_utf8_lossy(&out.stdout);
    let mut pkgs: Vec<&str> = text
        .lines()
        .map(|l| l.trim_end_matches(" (*)").trim())
        .filter(|l| !l.is_empty())
        .collect();
    pkgs.sort_unstable();
    pkgs.dedup();
    // The first line is the program itself.
    Ok(pkgs.len().saturating_sub(1))
}

/// User + sys CPU seconds of the children this process has waited for
/// (`cutime` + `cstime`, fields 16 and 17 of `/proc/self/stat`).
fn children_cpu() -> Result<f64, Failure> {
    let stat = std::fs::read_to_string("/proc/self/stat")
        .map_err(|e| Failure::new(format!("cannot read /proc/self/stat: {e}")))?;
    // The command name (field 2) is in parentheses and may hold spaces.
    let rest = stat
        .rsplit_once(')')
        .map(|(_, r)| r)
        .ok_or_else(|| Failure::new("unexpected /proc/self/stat"))?;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // `rest` starts at field 3.
    let ticks = |n: usize| -> Result<f64, Failure> {
        fields
            .get(n - 3)
            .and_then(|v| v.parse::<f64>().ok())
            .ok_or_else(|| Failure::new("unexpected /proc/self/stat"))
    };
    // USER_HZ is 100 on every Linux ABI.
    Ok((ticks(16)? + ticks(17)?) / 100.0)
}

fn load_average() -> f64 {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|s| s.split_whitespace().next().and_then(|v| v.parse().ok()))
        .unwrap_or(f64::NAN)
}

fn clean_build(root: &Path, client: &str) -> Result<Build, Failure> {
    let target: PathBuf = root.join("target").join(format!("buildcost-{client}"));
    let _ = std::fs::remove_dir_all(&target);
    let load = load_average();
    let cpu0 = children_cpu()?;
    let t0 = Instant::now();
    let mut cmd = cargo();
    cmd.current_dir(root)
        .env("CARGO_TARGET_DIR", &target)
        .env("CARGO_PROFILE_RELEASE_STRIP", "symbols")
        .env_remove("RUSTC_WRAPPER")
        .env_remove("RUSTFLAGS")
        .args([
            "build",
            "--release",
            "--offline",
            "--manifest-path",
            &manifest(client),
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    eprintln!("xtask: running {}", crate::show(&cmd));
    let out = cmd
        .output()
        .map_err(|e| Failure::new(format!("cannot run cargo build: {e}")))?;
    let wall = t0.elapsed().as_secs_f64();
    let cpu = children_cpu()? - cpu0;
    let log = String::from_utf8_lossy(&out.stderr);
    if !out.status.success() {
        let _ = std::fs::remove_dir_all(&target);
        return Err(Failure::new(format!(
            "build of {client} failed ({}):\n{log}",
            out.status
        )));
    }
    let compiled = log
        .lines()
        .filter(|l| l.trim_start().starts_with("Compiling "))
        .filter(|l| !l.contains("buildcost-"))
        .count();
    let bin = target
        .join("release")
        .join(format!("buildcost-{}", client.replace('_', "-")));
    let size = std::fs::metadata(&bin)
        .map_err(|e| Failure::new(format!("no binary {}: {e}", bin.display())))?
        .len();
    std::fs::remove_dir_all(&target)
        .map_err(|e| Failure::new(format!("cannot remove {}: {e}", target.display())))?;
    Ok(Build {
        wall,
        cpu,
        compiled,
        size,
        load,
    })
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    match v.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => v[n / 2],
        n => (v[n / 2 - 1] + v[n / 2]) / 2.0,
    }
}

fn render(graph: &[usize], builds: &[Vec<Build>]) -> String {
    let runs = builds.first().map_or(0, Vec::len);
    let med = |k: usize, f: &dyn Fn(&Build) -> f64| median(builds[k].iter().map(f).collect());
    let loads: Vec<f64> = builds.iter().flatten().map(|b| b.load).collect();
    let (lo, hi) = loads.iter().fold((f64::INFINITY, 0.0f64), |(lo, hi), &l| {
        (lo.min(l), hi.max(l))
    });
    let newtera_wall = med(0, &|b| b.wall);
    let newtera_cpu = med(0, &|b| b.cpu);
    let mut md = String::new();
    md.push_str("## Build cost: a minimal program (one put, one get)\n\n");
    md.push_str(&format!(
        "Produced by `cargo xtask bench build-cost` on {} (commit {}). The programs are in \
         `{DIR}/<client>/` (tokio `macros` + `rt-multi-thread`, and the client with the features \
         the benchmark crate uses), each with its own `Cargo.lock`. Each figure is the median of \
         {runs} clean `cargo build --release` run{plural} per client in a fresh target dir (all dependencies \
         compiled, nothing cached), in rotating client order. CPU = user + sys of the whole cargo \
         process tree (less sensitive than wall time to other work on the machine); the machine's \
         1-minute load average before the builds was {lo:.1}–{hi:.1} on {} CPUs, so wall times \
         are noisy. Crates = packages in `cargo tree -e normal` (the program excluded); compiled = \
         packages cargo built, build dependencies included. Binary = release binary stripped of \
         symbols.\n\n",
        crate::bench::cmd_output("date", &["-u", "+%Y-%m-%d %H:%M UTC"]),
        crate::bench::cmd_output("git", &["rev-parse", "--short", "HEAD"]),
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        plural = if runs == 1 { "" } else { "s" },
    ));
    md.push_str(
        "| client | wall s | CPU s | crates (normal graph) | compiled | binary MiB | Newtera wall ratio | Newtera CPU ratio |\n\
         |---|---|---|---|---|---|---|---|\n",
    );
    for (k, client) in CLIENTS.iter().enumerate() {
        let wall = med(k, &|b| b.wall);
        let cpu = med(k, &|b| b.cpu);
        let (wr, cr) = if k == 0 {
            (String::new(), String::new())
        } else {
            (
                format!("{:.2}×", newtera_wall / wall),
                format!("{:.2}×", newtera_cpu / cpu),
            )
        };
        md.push_str(&format!(
            "| {client} | {wall:.0} | {cpu:.0} | {} | {:.0} | {:.2} | {wr} | {cr} |\n",
            graph[k],
            med(k, &|b| b.compiled as f64),
            med(k, &|b| b.size as f64) / (1 << 20) as f64,
        ));
    }
    md.push_str("\nEach run (wall s / CPU s, load average before it):\n\n");
    for (k, client) in CLIENTS.iter().enumerate() {
        let runs: Vec<String> = builds[k]
            .iter()
            .map(|b| format!("{:.0} / {:.0} ({:.1})", b.wall, b.cpu, b.load))
            .collect();
        md.push_str(&format!("- {client}: {}\n", runs.join(", ")));
    }
    md.push('\n');
    md
}
