//! `install-servers`: garage and moto in the cache folder.
//!
//! - garage 2.5.0 from crates.io, `cargo install --locked` into
//!   `$NEWTERA_CACHE/garage` (about 8 minutes, once);
//! - moto's server from PyPI into the venv `$NEWTERA_CACHE/venv`.
//!
//! - tinyproxy (the forward proxy of the proxy tests): found on `PATH` or in
//!   `/usr/bin`, else Debian's package with `apt-get install tinyproxy`.
//!
//! `NEWTERA_GARAGE_BIN` / `NEWTERA_MOTO_SERVER` / `NEWTERA_TINYPROXY`
//! override any of them.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::{cargo, run, Failure};

/// The garage release the tests are written against.
pub(crate) const GARAGE_VERSION: &str = "2.5.0";
/// The moto release the tests are written against.
pub(crate) const MOTO_VERSION: &str = "5.2.1";

/// Where the servers are.
pub(crate) struct Servers {
    pub(crate) cache: PathBuf,
    pub(crate) garage: PathBuf,
    pub(crate) moto: PathBuf,
    pub(crate) tinyproxy: PathBuf,
}

/// `$NEWTERA_CACHE`, default `$HOME/.cache/newtera`.
pub(crate) fn cache_dir() -> Result<PathBuf, Failure> {
    if let Some(dir) = std::env::var_os("NEWTERA_CACHE").filter(|d| !d.is_empty()) {
        return Ok(PathBuf::from(dir));
    }
    std::env::var_os("HOME")
        .filter(|h| !h.is_empty())
        .map(|h| PathBuf::from(h).join(".cache").join("newtera"))
        .ok_or_else(|| Failure::new("neither NEWTERA_CACHE nor HOME is set"))
}

/// Makes sure both servers are installed, and says where.
pub(crate) fn install() -> Result<Servers, Failure> {
    let cache = cache_dir()?;
    std::fs::create_dir_all(&cache)
        .map_err(|e| Failure::new(format!("cannot create {}: {e}", cache.display())))?;
    let garage = install_garage(&cache)?;
    let moto = install_moto(&cache)?;
    let tinyproxy = install_tinyproxy()?;
    Ok(Servers {
        cache,
        garage,
        moto,
        tinyproxy,
    })
}

fn env_path(var: &str) -> Option<PathBuf> {
    std::env::var_os(var)
        .filter(|p| !p.is_empty())
        .map(PathBuf::from)
}

/// The version line of `garage --version`, if it runs.
fn garage_version(bin: &Path) -> Option<String> {
    let out = Command::new(bin).arg("--version").output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

fn is_wanted_garage(version: &str) -> bool {
    version
        .split(|c: char| !(c.is_ascii_digit() || c == '.'))
        .any(|word| word == GARAGE_VERSION)
}

fn install_garage(cache: &Path) -> Result<PathBuf, Failure> {
    if let Some(bin) = env_path("NEWTERA_GARAGE_BIN") {
        match garage_version(&bin) {
            Some(v) if is_wanted_garage(&v) => return Ok(bin),
            Some(v) => {
                eprintln!(
                    "xtask: warning: NEWTERA_GARAGE_BIN={} is `{v}`, not {GARAGE_VERSION}; using it anyway",
                    bin.display()
                );
                return Ok(bin);
            }
            None => {
                return Err(Failure::new(format!(
                    "NEWTERA_GARAGE_BIN={} does not run",
                    bin.display()
                )))
            }
        }
    }
    let root = cache.join("garage");
    let bin = root.join("bin").join("garage");
    match garage_version(&bin) {
        Some(v) if is_wanted_garage(&v) => {
            eprintln!("xtask: garage {GARAGE_VERSION} found at {}", bin.display());
            return Ok(bin);
        }
        Some(v) => eprintln!("xtask: {} is `{v}`, reinstalling", bin.display()),
        None => {}
    }
    eprintln!(
        "xtask: installing garage {GARAGE_VERSION} into {} with cargo install \
         (once; about 8 minutes on 2 cores)",
        root.display()
    );
    run(cargo()
        .args([
            "install",
            &format!("garage@{GARAGE_VERSION}"),
            "--locked",
            "--force",
            "--root",
        ])
        .arg(&root))?;
    match garage_version(&bin) {
        Some(v) if is_wanted_garage(&v) => Ok(bin),
        other => Err(Failure::new(format!(
            "garage installed at {} but `--version` says {other:?}",
            bin.display()
        ))),
    }
}

/// The moto version installed in a venv, if any.
fn moto_version(python: &Path) -> Option<String> {
    let out = Command::new(python)
        .args([
            "-c",
            "import importlib.metadata as m; print(m.version('moto'))",
        ])
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

fn install_moto(cache: &Path) -> Result<PathBuf, Failure> {
    if let Some(bin) = env_path("NEWTERA_MOTO_SERVER") {
        return if bin.is_file() {
            Ok(bin)
        } else {
            Err(Failure::new(format!(
                "NEWTERA_MOTO_SERVER={} does not exist",
                bin.display()
            )))
        };
    }
    let venv = cache.join("venv");
    let python = venv.join("bin").join("python");
    let bin = venv.join("bin").join("moto_server");
    if bin.is_file() && moto_version(&python).as_deref() == Some(MOTO_VERSION) {
        eprintln!("xtask: moto {MOTO_VERSION} found at {}", bin.display());
        return Ok(bin);
    }
    if !python.is_file() {
        let base = std::env::var_os("NEWTERA_PYTHON").unwrap_or_else(|| "python3".into());
        eprintln!("xtask: creating the venv {}", venv.display());
        run(Command::new(&base).args(["-m", "venv"]).arg(&venv)).map_err(|e| {
            Failure::new(format!(
                "{}; python3 needs venv support (Debian/Ubuntu: apt-get install python3-venv)",
                e.message
            ))
        })?;
    }
    eprintln!(
        "xtask: installing moto[server]=={MOTO_VERSION} into {}",
        venv.display()
    );
    run(Command::new(&python)
        .args([
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
        ])
        .arg(format!("moto[server]=={MOTO_VERSION}")))?;
    if bin.is_file() {
        Ok(bin)
    } else {
        Err(Failure::new(format!(
            "moto installed but {} is missing",
            bin.display()
        )))
    }
}

/// tinyproxy from `NEWTERA_TINYPROXY`, `PATH` or `/usr/bin`; else installed
/// with apt-get (as root, or through `sudo -n`).
fn install_tinyproxy() -> Result<PathBuf, Failure> {
    if let Some(bin) = env_path("NEWTERA_TINYPROXY") {
        return if bin.is_file() {
            Ok(bin)
        } else {
            Err(Failure::new(format!(
                "NEWTERA_TINYPROXY={} does not exist",
                bin.display()
            )))
        };
    }
    let find = || {
        let path = std::env::var_os("PATH").unwrap_or_default();
        std::env::split_paths(&path)
            .chain([PathBuf::from("/usr/bin"), PathBuf::from("/usr/sbin")])
            .map(|d| d.join("tinyproxy"))
            .find(|p| p.is_file())
    };
    if let Some(bin) = find() {
        eprintln!("xtask: tinyproxy found at {}", bin.display());
        return Ok(bin);
    }
    eprintln!("xtask: installing tinyproxy with apt-get");
    let root = Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0");
    let apt = |args: &[&str]| {
        let mut cmd = if root {
            Command::new("apt-get")
        } else {
            let mut c = Command::new("sudo");
            c.args(["-n", "apt-get"]);
            c
        };
        cmd.args(args)
            .env("DEBIAN_FRONTEND", "noninteractive")
            .stdin(std::process::Stdio::null());
        cmd
    };
    let installed = run(&mut apt(&["install", "-y", "-qq", "tinyproxy"]))
        .or_else(|_| run(&mut apt(&["update", "-qq"])))
        .and_then(|()| match find() {
            Some(_) => Ok(()),
            None => run(&mut apt(&["install", "-y", "-qq", "tinyproxy"])),
        });
    match (installed, find()) {
        (_, Some(bin)) => Ok(bin),
        (Err(e), None) => Err(Failure::new(format!(
            "{}; the proxy tests need tinyproxy (apt-get install tinyproxy, or set NEWTERA_TINYPROXY)",
            e.message
        ))),
        (Ok(()), None) => Err(Failure::new("tinyproxy installed but not found")),
    }
}

#[cfg(test)]
mod tests {
    use super::is_wanted_garage;

    #[test]
    fn garage_version_lines() {
        assert!(is_wanted_garage(
            "garage v2.5.0 [features: k2v, lmdb, sqlite]"
        ));
        assert!(is_wanted_garage("garage 2.5.0"));
        assert!(is_wanted_garage(
            "garage cargo:2.5.0 [features: bundled-libs, k2v, lmdb, metrics, sqlite]"
        ));
        assert!(!is_wanted_garage("garage v2.5.01"));
        assert!(!is_wanted_garage("garage v1.0.0"));
    }
}
