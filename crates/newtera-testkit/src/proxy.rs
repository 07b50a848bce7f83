//! A real forward proxy: Debian's tinyproxy, on a free `127.0.0.1` port with
//! its own configuration file, logging every request it relays.

use std::fs::File;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::OnceLock;

use crate::http;
use crate::process::{self, Wait};

const ATTEMPTS: usize = 3;

/// A running tinyproxy (HTTP forward proxy with `CONNECT`), killed with the
/// test process.
#[derive(Debug)]
pub struct ForwardProxy {
    /// `127.0.0.1:PORT`.
    pub addr: String,
    log: PathBuf,
}

impl ForwardProxy {
    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// What the proxy logged so far: one `Request` line per relayed plain
    /// HTTP request (`GET http://host:port/path`) and per tunnel
    /// (`CONNECT host:port`).
    pub fn log(&self) -> String {
        String::from_utf8_lossy(&std::fs::read(&self.log).unwrap_or_default()).into_owned()
    }
}

/// tinyproxy, started on first use. Found through `NEWTERA_TINYPROXY`, then
/// `$NEWTERA_CACHE/bin/tinyproxy`, then `PATH` (`cargo xtask
/// install-servers` installs Debian's package when it is missing).
///
/// # Panics
/// If tinyproxy is missing or does not start.
pub fn tinyproxy() -> &'static ForwardProxy {
    static PROXY: OnceLock<ForwardProxy> = OnceLock::new();
    PROXY.get_or_init(start)
}

fn start() -> ForwardProxy {
    let bin = process::find_binary("NEWTERA_TINYPROXY", "bin/tinyproxy", "tinyproxy")
        .or_else(|| {
            // Debian installs it outside a normal user's PATH.
            Some(PathBuf::from("/usr/bin/tinyproxy")).filter(|p| p.is_file())
        })
        .unwrap_or_else(|| {
            panic!(
                "newtera-testkit: tinyproxy not found (NEWTERA_TINYPROXY, $NEWTERA_CACHE/bin/tinyproxy, PATH); \
                 run `cargo xtask install-servers` (apt-get install tinyproxy) or use `cargo xtask test`"
            )
        });
    let dir = process::temp_dir("newtera-tinyproxy-");
    let mut last_error = String::new();
    for attempt in 0..ATTEMPTS {
        let port = process::free_port();
        let log = dir.join(format!("tinyproxy{attempt}.log"));
        let out = dir.join(format!("tinyproxy{attempt}.out"));
        let conf = dir.join(format!("tinyproxy{attempt}.conf"));
        // No ConnectPort line: CONNECT is allowed to any port (the TLS
        // terminators listen on random ones).
        let config = format!(
            "Port {port}\nListen 127.0.0.1\nTimeout 60\nMaxClients 64\nAllow 127.0.0.1\n\
             DisableViaHeader Yes\nLogLevel Info\nLogFile \"{}\"\n",
            log.display()
        );
        if let Err(e) = std::fs::write(&conf, config) {
            panic!("newtera-testkit: cannot write {}: {e}", conf.display());
        }
        let fail = |what: String| {
            format!(
                "{what}; output:\n{}\nlog tail:\n{}",
                process::tail(&out, 2000),
                process::tail(&log, 2000)
            )
        };
        let output = match File::create(&out).and_then(|l| Ok((l.try_clone()?, l))) {
            Ok(l) => l,
            Err(e) => panic!("newtera-testkit: cannot create {}: {e}", out.display()),
        };
        let mut cmd = Command::new(&bin);
        cmd.arg("-d")
            .arg("-c")
            .arg(&conf)
            .current_dir(&dir)
            .stdout(Stdio::from(output.0))
            .stderr(Stdio::from(output.1));
        let mut child = match process::spawn(cmd) {
            Ok(c) => c,
            Err(e) => panic!("newtera-testkit: cannot spawn {}: {e}", bin.display()),
        };
        let addr = format!("127.0.0.1:{port}");
        // A request that is not a proxy request gets an error page: any
        // answer means it listens.
        match process::wait_ready(&mut child, || http::get_status(&addr, "/").is_some()) {
            Wait::Ready => return ForwardProxy { addr, log },
            Wait::Exited(status) => last_error = fail(format!("exited with {status}")),
            Wait::TimedOut => {
                process::kill(&mut child);
                last_error = fail(format!(
                    "no answer on {addr} after {:?}",
                    process::READY_TIMEOUT
                ));
            }
        }
    }
    panic!(
        "newtera-testkit: tinyproxy ({}) did not start: {last_error}",
        bin.display()
    );
}
