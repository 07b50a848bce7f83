//! `test` and `ci`.

use crate::{cargo, fuzz, run, servers, Failure};

/// Installs the servers and runs every test of the workspace against them.
pub(crate) fn test(args: &[String]) -> Result<(), Failure> {
    let servers = servers::install()?;
    let no_proxy = local_no_proxy();
    let with_servers = |cmd: &mut std::process::Command| {
        cmd.env("NEWTERA_GARAGE_BIN", &servers.garage)
            .env("NEWTERA_MOTO_SERVER", &servers.moto)
            .env("NEWTERA_TINYPROXY", &servers.tinyproxy)
            .env("NEWTERA_CACHE", &servers.cache)
            // The test servers listen on 127.0.0.1: a proxy of the CI
            // environment must not catch them (the proxy tests name theirs).
            .env("NO_PROXY", &no_proxy)
            .env("no_proxy", &no_proxy);
    };
    let mut all_targets = cargo();
    all_targets
        // Every failing test binary is reported, not only the first.
        .args(["test", "--workspace", "--all-targets", "--no-fail-fast"])
        .args(args);
    with_servers(&mut all_targets);
    run(&mut all_targets)?;
    // The certificate roots again with the platform-store feature.
    let mut native = cargo();
    native
        .args(["test", "--test", "tls_roots", "--features", "native-roots"])
        .args(args);
    with_servers(&mut native);
    run(&mut native)?;
    let mut doc = cargo();
    doc.args(["test", "--workspace", "--doc"]).args(args);
    with_servers(&mut doc);
    run(&mut doc)
}

/// `cargo check` of the facade with no default features, with each feature
/// alone, and with all of them (what `cargo hack --each-feature` does),
/// so that every feature builds on its own and adds to the others.
fn each_feature() -> Result<(), Failure> {
    let manifest = std::fs::read_to_string("crates/newtera/Cargo.toml")
        .map_err(|e| Failure::new(format!("cannot read crates/newtera/Cargo.toml: {e}")))?;
    let features = facade_features(&manifest);
    if features.is_empty() {
        return Err(Failure::new("no [features] in crates/newtera/Cargo.toml"));
    }
    let check = |extra: &[&str]| {
        run(cargo()
            .args(["check", "-p", "newtera", "--all-targets"])
            .args(extra))
    };
    check(&["--no-default-features"])?;
    for f in &features {
        check(&["--no-default-features", "--features", f])?;
    }
    check(&["--all-features"])
}

/// The feature names of a `[features]` table (`default` left out).
fn facade_features(manifest: &str) -> Vec<String> {
    let mut in_features = false;
    let mut out = Vec::new();
    for line in manifest.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            in_features = line == "[features]";
            continue;
        }
        if !in_features || line.starts_with('#') {
            continue;
        }
        if let Some((name, _)) = line.split_once('=') {
            let name = name.trim();
            if !name.is_empty() && name != "default" {
                out.push(name.to_owned());
            }
        }
    }
    out
}

/// The environment's `NO_PROXY` (or `no_proxy`) plus the loopback names.
fn local_no_proxy() -> String {
    let current = std::env::var("NO_PROXY")
        .or_else(|_| std::env::var("no_proxy"))
        .unwrap_or_default();
    let mut entries: Vec<String> = current
        .split(',')
        .map(|e| e.trim().to_owned())
        .filter(|e| !e.is_empty())
        .collect();
    for local in ["127.0.0.1", "localhost", "::1"] {
        if !entries.iter().any(|e| e == local) {
            entries.push(local.to_owned());
        }
    }
    entries.join(",")
}

/// `test`, then formatting, lints and docs, all with warnings denied, then a
/// fuzz smoke run (5 s per target). Every step runs; the first failure's
/// exit code is passed on.
pub(crate) fn ci(args: &[String]) -> Result<(), Failure> {
    let mut failures = Vec::new();
    let mut step = |name: &str, result: Result<(), Failure>| {
        if let Err(e) = result {
            eprintln!("xtask: ci step `{name}` failed: {}", e.message);
            failures.push((name.to_owned(), e));
        }
    };
    step("test", test(args));
    step("features", each_feature());
    step("fmt", run(cargo().args(["fmt", "--all", "--check"])));
    step(
        "clippy",
        run(cargo().args([
            "clippy",
            "--workspace",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ])),
    );
    step(
        "doc",
        run(cargo()
            .args(["doc", "--workspace", "--no-deps"])
            .env("RUSTDOCFLAGS", "-Dwarnings")),
    );
    step(
        "fuzz",
        fuzz::fuzz(&["--seconds".to_owned(), "5".to_owned()]),
    );
    match failures.into_iter().next() {
        None => {
            eprintln!("xtask: ci passed");
            Ok(())
        }
        Some((name, mut first)) => {
            first.message = format!("ci failed, first at `{name}`: {}", first.message);
            Err(first)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::facade_features;

    #[test]
    fn reads_the_feature_names() {
        let m = "[package]\nname = \"x\"\n\n[features]\n# c\ndefault = [\"a\"]\na = []\nb = [\"dep:c\"]\n\n[lints]\nworkspace = true\n";
        assert_eq!(facade_features(m), ["a", "b"]);
    }
}
