//! Newtera's developer tasks, run as `cargo xtask <command>`.
//!
//! - `install-servers`: make sure garage and moto are in the cache folder
//!   (`$NEWTERA_CACHE`, default `$HOME/.cache/newtera`);
//! - `test [ARGS]`: install the servers, then run the whole test suite against
//!   them (ARGS go to `cargo test`);
//! - `ci [ARGS]`: `test`, then rustfmt, clippy and rustdoc with warnings denied,
//!   then a 5-second fuzz smoke run per target;
//! - `bench [--quick]`, `bench build-cost [--runs N]`, `bench profile
//!   [RUN...]`: see `bench.rs`, `buildcost.rs` and `profile.rs`;
//! - `fuzz [--seconds N] [TARGET...]`: build and run the libFuzzer targets of
//!   `fuzz/` for N seconds each (default 10).

mod bench;
mod buildcost;
mod ci;
mod fuzz;
mod profile;
mod servers;

use std::process::ExitCode;

const USAGE: &str = "\
usage: cargo xtask <command>

commands:
  install-servers   install garage 2.5.0 and moto[server] into $NEWTERA_CACHE
                    (default $HOME/.cache/newtera) unless already there, and
                    tinyproxy (apt-get) unless on PATH
  test [ARGS]       install-servers, then `cargo test --workspace --all-targets ARGS`
                    and `cargo test --workspace --doc ARGS` against real servers
  ci [ARGS]         test, then cargo check of each facade feature, fmt --check,
                    clippy -D warnings, doc -D warnings,
                    fuzz --seconds 5
  fuzz [--seconds N] [TARGET...]
                    build the fuzz/ targets (cargo-fuzz in $NEWTERA_CACHE), run each N s
  bench [--quick]   Newtera vs aws-sdk-s3, minio-rs, object_store -> BENCHMARKS.md
  bench build-cost [--runs N]
                    clean release builds of a one-put-one-get program per client
                    -> crates/newtera-bench/buildcost/RESULTS.md (in BENCHMARKS.md)
  bench profile [CLIENT:WORKLOAD[:CONFIG]...]
                    perf record (cpu-clock) of bench rows, CPU grouped by where
                    it goes -> crates/newtera-bench/PROFILES.md

environment:
  NEWTERA_CACHE        cache folder for the servers
  NEWTERA_GARAGE_BIN   use this garage binary instead of installing one
  NEWTERA_MOTO_SERVER  use this moto_server instead of installing one
  NEWTERA_TINYPROXY    use this tinyproxy (the proxy tests' forward proxy)
  NEWTERA_PYTHON       python used to create the moto venv (default python3)
";

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let command = args.next();
    let rest: Vec<String> = args.collect();
    let result = match command.as_deref() {
        Some("install-servers") => servers::install().map(|s| {
            println!("garage:      {}", s.garage.display());
            println!("moto_server: {}", s.moto.display());
            println!("tinyproxy:   {}", s.tinyproxy.display());
        }),
        Some("test") => ci::test(&rest),
        Some("ci") => ci::ci(&rest),
        Some("fuzz") => fuzz::fuzz(&rest),
        Some("bench") => bench::bench(&rest),
        Some("help" | "-h" | "--help") => {
            print!("{USAGE}");
            Ok(())
        }
        _ => {
            eprint!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: {}", e.message);
            ExitCode::from(e.code)
        }
    }
}

/// A failed task: what to say and the exit code to pass on.
#[derive(Debug)]
pub(crate) struct Failure {
    message: String,
    code: u8,
}

impl Failure {
    pub(crate) fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            code: 1,
        }
    }
}

/// Runs `cmd`, echoing it, and fails with its exit code when it fails.
pub(crate) fn run(cmd: &mut std::process::Command) -> Result<(), Failure> {
    eprintln!("xtask: running {}", show(cmd));
    let status = cmd
        .status()
        .map_err(|e| Failure::new(format!("cannot run {}: {e}", show(cmd))))?;
    if status.success() {
        Ok(())
    } else {
        let code = status
            .code()
            .and_then(|c| u8::try_from(c).ok())
            .filter(|&c| c != 0)
            .unwrap_or(1);
        Err(Failure {
            message: format!("{} failed ({status})", show(cmd)),
            code,
        })
    }
}

pub(crate) fn show(cmd: &std::process::Command) -> String {
    let mut s = cmd.get_program().to_string_lossy().into_owned();
    for arg in cmd.get_args() {
        s.push(' ');
        s.push_str(&arg.to_string_lossy());
    }
    s
}

/// The cargo that runs us (`$CARGO`), else `cargo`.
pub(crate) fn cargo() -> std::process::Command {
    std::process::Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
}
