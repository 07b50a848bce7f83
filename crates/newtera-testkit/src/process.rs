//! Child processes that die with the test process, free ports, randomness,
//! readiness polling.

use std::io::{self, Read};
use std::net::TcpListener;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{mpsc, Mutex, Once, OnceLock};
use std::thread;
use std::time::{Duration, Instant};

/// How long a server may take to become ready.
pub(crate) const READY_TIMEOUT: Duration = Duration::from_secs(60);

/// A free port on 127.0.0.1 (bound then released; another process may take
/// it in between, so the caller retries when the server fails to bind).
///
/// Never the same port twice in one process: a server given two listeners
/// on one port (its S3 API and its web endpoint, say) would come up with
/// one of them answering for the other.
pub(crate) fn free_port() -> u16 {
    static GIVEN: Mutex<Vec<u16>> = Mutex::new(Vec::new());
    let mut given = GIVEN.lock().unwrap_or_else(|e| e.into_inner());
    loop {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .unwrap_or_else(|e| panic!("newtera-testkit: cannot bind 127.0.0.1:0: {e}"));
        if !given.contains(&port) {
            given.push(port);
            return port;
        }
    }
}

/// `n` random bytes as lower-case hex.
pub(crate) fn random_hex(n: usize) -> String {
    let mut buf = vec![0u8; n];
    let filled = std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut buf))
        .is_ok();
    if !filled {
        use std::collections::hash_map::RandomState;
        use std::hash::{BuildHasher, Hasher};
        for chunk in buf.chunks_mut(8) {
            let mut h = RandomState::new().build_hasher();
            h.write_u128(
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map(|d| d.as_nanos())
                    .unwrap_or_default(),
            );
            let v = h.finish().to_le_bytes();
            chunk.copy_from_slice(&v[..chunk.len()]);
        }
    }
    buf.iter().map(|b| format!("{b:02x}")).collect()
}

/// A temporary folder that is removed when the test process exits
/// (statics are never dropped, so `TempDir` would leak it).
pub(crate) fn temp_dir(prefix: &str) -> PathBuf {
    let dir = tempfile::Builder::new()
        .prefix(prefix)
        .tempdir()
        .unwrap_or_else(|e| panic!("newtera-testkit: cannot create a temporary folder: {e}"))
        .keep();
    register(Registered::Dir(dir.clone()));
    dir
}

enum Registered {
    Pid(libc::pid_t),
    Dir(PathBuf),
}

static REGISTRY: Mutex<Vec<Registered>> = Mutex::new(Vec::new());

fn register(item: Registered) {
    static AT_EXIT: Once = Once::new();
    AT_EXIT.call_once(|| {
        // SAFETY: `cleanup` is an `extern "C" fn()` that never unwinds
        // (it catches panics) and only uses process-global state that lives
        // until exit.
        unsafe {
            libc::atexit(cleanup);
        }
    });
    if let Ok(mut list) = REGISTRY.lock() {
        list.push(item);
    }
}

/// Kills the servers (before removing their folders) at normal process exit.
/// An abnormal exit is covered by `PR_SET_PDEATHSIG`.
extern "C" fn cleanup() {
    let _ = std::panic::catch_unwind(|| {
        let Ok(mut list) = REGISTRY.lock() else {
            return;
        };
        for item in list.iter() {
            if let Registered::Pid(pid) = item {
                // SAFETY: plain syscalls on a pid we spawned and never reaped.
                unsafe {
                    libc::kill(*pid, libc::SIGKILL);
                    libc::waitpid(*pid, std::ptr::null_mut(), 0);
                }
            }
        }
        for item in list.drain(..) {
            if let Registered::Dir(dir) = item {
                let _ = std::fs::remove_dir_all(dir);
            }
        }
    });
}

type Job = (Command, mpsc::Sender<io::Result<Child>>);

/// Spawns `cmd` so that the child is killed when the test process dies.
///
/// `PR_SET_PDEATHSIG` fires when the *thread* that forked the child exits,
/// not the process; test threads come and go, so every child is forked by
/// one spawner thread that lives as long as the process.
pub(crate) fn spawn(mut cmd: Command) -> io::Result<Child> {
    static SPAWNER: OnceLock<mpsc::Sender<Job>> = OnceLock::new();
    let tx = SPAWNER.get_or_init(|| {
        let (tx, rx) = mpsc::channel::<Job>();
        thread::Builder::new()
            .name("newtera-testkit-spawner".into())
            .spawn(move || {
                for (mut cmd, reply) in rx {
                    let _ = reply.send(spawn_with_death_signal(&mut cmd));
                }
            })
            .unwrap_or_else(|e| panic!("newtera-testkit: cannot start the spawner thread: {e}"));
        tx
    });
    cmd.stdin(Stdio::null());
    let (reply_tx, reply_rx) = mpsc::channel();
    tx.send((cmd, reply_tx))
        .map_err(|_| io::Error::other("newtera-testkit spawner thread is gone"))?;
    let child = reply_rx
        .recv()
        .map_err(|_| io::Error::other("newtera-testkit spawner thread is gone"))??;
    register(Registered::Pid(child.id() as libc::pid_t));
    Ok(child)
}

fn spawn_with_death_signal(cmd: &mut Command) -> io::Result<Child> {
    let parent = std::process::id() as libc::pid_t;
    // SAFETY: the hook runs in the forked child before exec and only makes
    // async-signal-safe calls (prctl, getppid) and builds errors without
    // allocating.
    unsafe {
        cmd.pre_exec(move || {
            if libc::prctl(
                libc::PR_SET_PDEATHSIG,
                libc::SIGKILL as libc::c_ulong,
                0,
                0,
                0,
            ) == -1
            {
                return Err(io::Error::last_os_error());
            }
            // The parent may have died before prctl took effect.
            if libc::getppid() != parent {
                return Err(io::Error::from_raw_os_error(libc::ESRCH));
            }
            Ok(())
        });
    }
    cmd.spawn()
}

/// Kills a child that failed to start.
pub(crate) fn kill(child: &mut Child) {
    let _ = child.kill();
    let _ = child.wait();
}

/// The last `max` bytes of a log file, for panic messages.
pub(crate) fn tail(path: &Path, max: usize) -> String {
    let data = std::fs::read(path).unwrap_or_default();
    let start = data.len().saturating_sub(max);
    String::from_utf8_lossy(&data[start..]).into_owned()
}

/// What happened while waiting for a server.
pub(crate) enum Wait {
    Ready,
    Exited(std::process::ExitStatus),
    TimedOut,
}

/// Polls `ready` until it returns true, the child exits, or the timeout.
pub(crate) fn wait_ready(child: &mut Child, mut ready: impl FnMut() -> bool) -> Wait {
    let deadline = Instant::now() + READY_TIMEOUT;
    loop {
        if let Ok(Some(status)) = child.try_wait() {
            return Wait::Exited(status);
        }
        if ready() {
            return Wait::Ready;
        }
        if Instant::now() > deadline {
            return Wait::TimedOut;
        }
        thread::sleep(Duration::from_millis(50));
    }
}

/// `$NEWTERA_CACHE`, default `$HOME/.cache/newtera`.
pub(crate) fn cache_dir() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("NEWTERA_CACHE").filter(|d| !d.is_empty()) {
        return Some(PathBuf::from(dir));
    }
    std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache").join("newtera"))
}

/// Finds a binary: `env_var`, then `$NEWTERA_CACHE/<cache_rel>`, then `PATH`.
pub(crate) fn find_binary(env_var: &str, cache_rel: &str, name: &str) -> Option<PathBuf> {
    if let Some(p) = std::env::var_os(env_var).filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(p));
    }
    if let Some(p) = cache_dir()
        .map(|c| c.join(cache_rel))
        .filter(|p| p.is_file())
    {
        return Some(p);
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join(name))
        .find(|p| p.is_file())
}
