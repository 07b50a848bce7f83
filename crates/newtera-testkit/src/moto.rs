//! moto's S3 server (`moto_server`), data in memory, no signature checks.

use std::fs::File;
use std::process::{Command, Stdio};

use crate::http;
use crate::process::{self, Wait};
use crate::{ServerKind, TestServer};

const ATTEMPTS: usize = 3;

pub(crate) fn start() -> TestServer {
    let bin = process::find_binary("NEWTERA_MOTO_SERVER", "venv/bin/moto_server", "moto_server")
        .unwrap_or_else(|| {
            panic!(
                "newtera-testkit: moto_server not found (NEWTERA_MOTO_SERVER, $NEWTERA_CACHE/venv/bin/moto_server, PATH); \
                 run `cargo xtask install-servers` or use `cargo xtask test`"
            )
        });
    let dir = process::temp_dir("newtera-moto-");
    let mut last_error = String::new();
    for attempt in 0..ATTEMPTS {
        let port = process::free_port();
        let log_path = dir.join(format!("moto{attempt}.log"));
        let fail = |what: String| format!("{what}; log tail:\n{}", process::tail(&log_path, 4000));
        let log = match File::create(&log_path).and_then(|l| Ok((l.try_clone()?, l))) {
            Ok(l) => l,
            Err(e) => panic!("newtera-testkit: cannot create {}: {e}", log_path.display()),
        };
        let mut cmd = Command::new(&bin);
        cmd.args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .current_dir(&dir)
            .env("PYTHONUNBUFFERED", "1")
            .stdout(Stdio::from(log.0))
            .stderr(Stdio::from(log.1));
        let mut child = match process::spawn(cmd) {
            Ok(c) => c,
            Err(e) => panic!("newtera-testkit: cannot spawn {}: {e}", bin.display()),
        };
        let addr = format!("127.0.0.1:{port}");
        match process::wait_ready(&mut child, || {
            http::get_status(&addr, "/moto-api/").is_some_and(|s| s < 500)
        }) {
            Wait::Ready => {
                return TestServer {
                    kind: ServerKind::Moto,
                    endpoint: addr,
                    secure: false,
                    access_key: "newtera-moto-access".to_owned(),
                    secret_key: "newtera-moto-secret".to_owned(),
                    region: "us-east-1".to_owned(),
                    ca_pem: None,
                    default_bucket: None,
                }
            }
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
        "newtera-testkit: moto_server ({}) did not start: {last_error}",
        bin.display()
    );
}
