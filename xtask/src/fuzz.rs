//! `fuzz [--seconds N] [TARGET...]`: a bounded smoke run of the libFuzzer
//! targets in `fuzz/` (see `fuzz/README.md`).
//!
//! Installs cargo-fuzz into `$NEWTERA_CACHE/cargo-fuzz` if it is not there,
//! builds every target once (stable rustc with `RUSTC_BOOTSTRAP=1`, address
//! sanitizer, debug assertions), runs each for N seconds
//! (`-max_total_time`) under a watchdog, prints runs, seconds and corpus
//! size per target and a summary table, and fails if any target crashed,
//! leaked, ran out of memory or timed out, naming the crash artifact.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::{run, servers, Failure};

/// The cargo-fuzz release installed into the cache.
const CARGO_FUZZ_VERSION: &str = "0.13.2";
/// Seconds each target runs unless `--seconds` says otherwise.
const DEFAULT_SECONDS: u64 = 10;
/// Extra seconds past `-max_total_time` before the watchdog kills a target
/// (loading the corpus, writing the final stats).
const GRACE_SECONDS: u64 = 60;

/// libFuzzer flags every run gets (besides time, corpus and artifacts).
const LIBFUZZER_FLAGS: &[&str] = &[
    // No input may take more than 10 s (a hang is a bug).
    "-timeout=10",
    // Whole-process and single-allocation memory caps: unbounded
    // allocation on hostile input is a bug.
    "-rss_limit_mb=1024",
    "-malloc_limit_mb=256",
    // S3 documents of the seed corpus are below 2 KB; 8 KB leaves room to
    // grow lists while keeping runs fast.
    "-max_len=8192",
    "-print_final_stats=1",
];

/// ASan settings: a small quarantine keeps the RSS well under the limit.
const ASAN_OPTIONS: &str = "quarantine_size_mb=64:detect_leaks=1";

struct Outcome {
    target: String,
    ok: bool,
    runs: Option<u64>,
    seconds: f64,
    corpus: Option<String>,
    peak_rss_mb: Option<u64>,
    artifact: Option<PathBuf>,
    log: PathBuf,
    why: String,
}

/// Runs the fuzz smoke test; `args` are `[--seconds N] [TARGET...]`.
pub(crate) fn fuzz(args: &[String]) -> Result<(), Failure> {
    let mut seconds = DEFAULT_SECONDS;
    let mut only = Vec::new();
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--seconds" => {
                seconds = it
                    .next()
                    .and_then(|s| s.parse().ok())
                    .filter(|&s| s > 0)
                    .ok_or_else(|| Failure::new("--seconds needs a positive number"))?;
            }
            a if a.starts_with('-') => return Err(Failure::new(format!("fuzz: unknown flag {a}"))),
            a => only.push(a.to_owned()),
        }
    }

    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .ok_or_else(|| Failure::new("xtask has no parent folder"))?
        .to_path_buf();
    let fuzz_dir = root.join("fuzz");
    let cache = servers::cache_dir()?;
    let cargo_fuzz = install_cargo_fuzz(&cache)?;
    // The build lives in the cache so that a fresh clone (CI) reuses the
    // compiled dependencies, libFuzzer's C++ included.
    let target_dir = std::env::var_os("NEWTERA_FUZZ_TARGET_DIR")
        .filter(|d| !d.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| cache.join("fuzz-target"));
    let triple = host_triple()?;

    let mut targets = list_targets(&fuzz_dir)?;
    if !only.is_empty() {
        if let Some(bad) = only.iter().find(|t| !targets.contains(t)) {
            return Err(Failure::new(format!(
                "fuzz: no target {bad}; targets: {}",
                targets.join(", ")
            )));
        }
        targets.retain(|t| only.contains(t));
    }

    let build_start = Instant::now();
    let mut build = Command::new(&cargo_fuzz);
    build
        .args(["fuzz", "build", "--release", "--debug-assertions"])
        .args(["--sanitizer", "address", "--target", &triple])
        .arg("--fuzz-dir")
        .arg(&fuzz_dir)
        .arg("--target-dir")
        .arg(&target_dir)
        .current_dir(&root)
        // cargo-fuzz passes nightly-only flags (-Z sanitizer, -C passes=…);
        // this lets the stable compiler accept them.
        .env("RUSTC_BOOTSTRAP", "1");
    run(&mut build)?;
    let build_secs = build_start.elapsed().as_secs_f64();
    eprintln!("xtask: fuzz build took {build_secs:.1}s");

    let bin_dir = target_dir.join(&triple).join("release");
    let work = fuzz_dir.join("corpus-work");
    let mut outcomes = Vec::new();
    for target in &targets {
        let outcome = run_target(&fuzz_dir, &bin_dir, &work, target, seconds)?;
        print_outcome(&outcome);
        outcomes.push(outcome);
    }

    println!();
    println!("fuzz smoke run: {seconds}s per target, build {build_secs:.1}s");
    println!(
        "{:<34} {:>10} {:>8} {:>9} {:>16} {:>8}  result",
        "target", "runs", "seconds", "exec/s", "corpus", "rss MB"
    );
    let mut total = 0.0;
    for o in &outcomes {
        total += o.seconds;
        let runs = o.runs.map_or("?".to_owned(), |r| r.to_string());
        let rate = match o.runs {
            Some(r) if o.seconds > 0.0 => format!("{:.0}", r as f64 / o.seconds),
            _ => "?".to_owned(),
        };
        println!(
            "{:<34} {:>10} {:>8.1} {:>9} {:>16} {:>8}  {}",
            o.target,
            runs,
            o.seconds,
            rate,
            o.corpus.as_deref().unwrap_or("?"),
            o.peak_rss_mb.map_or("?".to_owned(), |m| m.to_string()),
            if o.ok { "ok" } else { "FAILED" },
        );
    }
    println!(
        "{} targets, {total:.1}s fuzzing + {build_secs:.1}s build",
        outcomes.len()
    );

    let failed: Vec<&Outcome> = outcomes.iter().filter(|o| !o.ok).collect();
    if failed.is_empty() {
        return Ok(());
    }
    let list = failed
        .iter()
        .map(|o| match &o.artifact {
            Some(a) => format!("{} ({}; input {})", o.target, o.why, a.display()),
            None => format!("{} ({}; log {})", o.target, o.why, o.log.display()),
        })
        .collect::<Vec<_>>()
        .join(", ");
    Err(Failure::new(format!(
        "fuzz: {} target(s) failed: {list}",
        failed.len()
    )))
}

/// The cargo-fuzz binary: `$NEWTERA_CARGO_FUZZ`, else the one in the cache,
/// installed from crates.io if missing.
fn install_cargo_fuzz(cache: &Path) -> Result<PathBuf, Failure> {
    if let Some(bin) = std::env::var_os("NEWTERA_CARGO_FUZZ").filter(|b| !b.is_empty()) {
        return Ok(PathBuf::from(bin));
    }
    let root = cache.join("cargo-fuzz");
    let bin = root.join("bin").join("cargo-fuzz");
    let version = Command::new(&bin)
        .args(["fuzz", "--version"])
        .stderr(Stdio::null())
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).into_owned());
    if version.is_some_and(|v| v.contains(CARGO_FUZZ_VERSION)) {
        return Ok(bin);
    }
    let mut install = crate::cargo();
    install
        .args([
            "install",
            "--locked",
            "--force",
            "--version",
            CARGO_FUZZ_VERSION,
        ])
        .arg("--root")
        .arg(&root)
        .arg("cargo-fuzz");
    run(&mut install)?;
    Ok(bin)
}

/// The host triple, from `rustc -vV`.
fn host_triple() -> Result<String, Failure> {
    let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let out = Command::new(rustc)
        .arg("-vV")
        .output()
        .map_err(|e| Failure::new(format!("cannot run rustc -vV: {e}")))?;
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("host: "))
        .map(str::to_owned)
        .ok_or_else(|| Failure::new("rustc -vV printed no host"))
}

/// The targets: the files of `fuzz/fuzz_targets`, sorted.
fn list_targets(fuzz_dir: &Path) -> Result<Vec<String>, Failure> {
    let dir = fuzz_dir.join("fuzz_targets");
    let entries = fs::read_dir(&dir)
        .map_err(|e| Failure::new(format!("cannot list {}: {e}", dir.display())))?;
    let mut targets: Vec<String> = entries
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let name = e.file_name().into_string().ok()?;
            name.strip_suffix(".rs").map(str::to_owned)
        })
        .collect();
    targets.sort();
    Ok(targets)
}

/// Runs one target for `seconds`, its output going to a log file.
fn run_target(
    fuzz_dir: &Path,
    bin_dir: &Path,
    work: &Path,
    target: &str,
    seconds: u64,
) -> Result<Outcome, Failure> {
    let io = |what: &str, p: &Path, e: std::io::Error| {
        Failure::new(format!("fuzz: cannot {what} {}: {e}", p.display()))
    };
    // New inputs go to the work corpus (not committed); the seeds in
    // fuzz/corpus/<target> are only read.
    let work_corpus = work.join(target);
    let seeds = fuzz_dir.join("corpus").join(target);
    let artifacts = fuzz_dir.join("artifacts").join(target);
    let logs = work.join("logs");
    for d in [&work_corpus, &seeds, &artifacts, &logs] {
        fs::create_dir_all(d).map_err(|e| io("create", d, e))?;
    }
    let log = logs.join(format!("{target}.log"));
    let log_file = fs::File::create(&log).map_err(|e| io("create", &log, e))?;
    let log_err = log_file.try_clone().map_err(|e| io("open", &log, e))?;
    let bin = bin_dir.join(target);
    let mut cmd = Command::new(&bin);
    cmd.arg(&work_corpus)
        .arg(&seeds)
        .arg(format!("-max_total_time={seconds}"))
        .arg(format!("-artifact_prefix={}/", artifacts.display()))
        .args(LIBFUZZER_FLAGS)
        .env("ASAN_OPTIONS", ASAN_OPTIONS)
        .env("RUST_BACKTRACE", "1")
        .stdin(Stdio::null())
        .stdout(log_file)
        .stderr(log_err);
    eprintln!(
        "xtask: fuzzing {target} for {seconds}s (log {})",
        log.display()
    );
    let start = Instant::now();
    let mut child = cmd.spawn().map_err(|e| io("run", &bin, e))?;
    let deadline = Duration::from_secs(seconds + GRACE_SECONDS);
    let (status, killed) = loop {
        match child.try_wait().map_err(|e| io("wait for", &bin, e))? {
            Some(status) => break (status, false),
            None if start.elapsed() > deadline => {
                let _ = child.kill();
                break (child.wait().map_err(|e| io("wait for", &bin, e))?, true);
            }
            None => std::thread::sleep(Duration::from_millis(100)),
        }
    };
    let secs = start.elapsed().as_secs_f64();
    let text = fs::read_to_string(&log).unwrap_or_default();
    let stat = |name: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.trim().parse::<u64>().ok())
    };
    let runs = stat("stat::number_of_executed_units:").or_else(|| {
        // A crashed run prints no final stats; take the last status line.
        text.lines()
            .rev()
            .find_map(|l| l.strip_prefix('#')?.split_whitespace().next()?.parse().ok())
    });
    let corpus = text
        .lines()
        .rev()
        .find_map(|l| l.split("corp: ").nth(1)?.split_whitespace().next())
        .map(str::to_owned);
    let artifact = text.lines().find_map(|l| {
        l.split("Test unit written to ")
            .nth(1)
            .map(|p| PathBuf::from(p.trim()))
    });
    let ok = status.success() && !killed;
    let why = if killed {
        format!("still running {}s past its time, killed", GRACE_SECONDS)
    } else if ok {
        String::new()
    } else if text.contains("out-of-memory") {
        "out of memory".to_owned()
    } else if text.contains("ERROR: libFuzzer: timeout") {
        "timeout".to_owned()
    } else if text.contains("detected memory leaks") {
        "leak".to_owned()
    } else if text.contains("panicked at") {
        "panic".to_owned()
    } else {
        format!("exited with {status}")
    };
    Ok(Outcome {
        target: target.to_owned(),
        ok,
        runs,
        seconds: secs,
        corpus,
        peak_rss_mb: stat("stat::peak_rss_mb:"),
        artifact,
        log,
        why,
    })
}

/// Prints one target's line, and on failure the end of its log, the
/// crashing input in hex and how to reproduce it.
fn print_outcome(o: &Outcome) {
    println!(
        "fuzz {}: {} runs in {:.1}s, corpus {}{}",
        o.target,
        o.runs.map_or("?".to_owned(), |r| r.to_string()),
        o.seconds,
        o.corpus.as_deref().unwrap_or("?"),
        if o.ok {
            String::new()
        } else {
            format!(", FAILED: {}", o.why)
        }
    );
    if o.ok {
        return;
    }
    let text = fs::read_to_string(&o.log).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    println!("---- last lines of {}", o.log.display());
    for l in &lines[lines.len().saturating_sub(80)..] {
        println!("{l}");
    }
    println!("----");
    if let Some(a) = &o.artifact {
        if let Ok(bytes) = fs::read(a) {
            let shown = &bytes[..bytes.len().min(512)];
            let hex: String = shown.iter().map(|b| format!("{b:02x}")).collect();
            println!(
                "crashing input ({} bytes{}): {hex}",
                bytes.len(),
                if shown.len() < bytes.len() {
                    ", first 512 shown"
                } else {
                    ""
                }
            );
        }
        println!("artifact: {}", a.display());
        println!(
            "reproduce: RUSTC_BOOTSTRAP=1 cargo fuzz run --fuzz-dir fuzz {} {}",
            o.target,
            a.display()
        );
    }
}
