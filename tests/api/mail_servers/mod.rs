//! Real mail servers for the tests, each started by the test that needs it on
//! 127.0.0.1 with a free port and a temp dir of its own, and stopped on drop:
//!
//! - [`SmtpSink`]: Python's aiosmtpd storing every mail kefu sends in a Maildir.
//! - [`ImapServer`]: Dovecot with one user whose mailboxes the test fills with
//!   `doveadm`, for kefu to fetch over IMAP.
//!
//! Nothing is shared between instances (ports, dirs, Dovecot's sockets and pid
//! file), so tests may run them in parallel. Starting takes 0.1-0.3 s and blocks
//! the thread, which is fine in a `#[tokio::test]`; waiting for mail is not (see
//! [`SmtpSink::wait_for_async`]). `./scripts/test` installs both servers and
//! exports `KEFU_TEST_PYTHON`, `KEFU_TEST_DOVECOT` and `KEFU_TEST_DOVEADM`.

// Each test file uses a different part of this module.
#![allow(dead_code)]

use std::fs::{self, File, OpenOptions};
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom, Write};
use std::net::{TcpListener, TcpStream};
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant, SystemTime};

/// How long a server may take to accept connections. Generous because cargo runs
/// many tests at once on two cores; a healthy start takes a fraction of a second.
const START_TIMEOUT: Duration = Duration::from_secs(20);
/// A port picked free may be taken by someone else before the server binds it.
const START_TRIES: usize = 5;

mod imap;
mod smtp;

// No test fetches mail over IMAP yet; the email inbox's tests will.
#[allow(unused_imports)]
pub use imap::ImapServer;
pub use smtp::SmtpSink;

// ---------------------------------------------------------------------------
// Shared helpers

/// `kefu-<kind>-<pid>-`: the temp dirs and Dovecot instances of this test
/// process carry its pid, so that a later run can clean up after one that was
/// killed (Ctrl-C, a timeout) before its servers were dropped.
fn owner_tag(kind: &str) -> String {
    format!("kefu-{kind}-{}-", std::process::id())
}

fn owned_temp_dir(kind: &str) -> tempfile::TempDir {
    sweep_orphans();
    tempfile::Builder::new()
        .prefix(&owner_tag(kind))
        .tempdir()
        .unwrap()
}

/// Whether process `pid` runs (a zombie does not: a killed test process can stay
/// one until its parent reaps it).
fn alive(pid: &str) -> bool {
    stat(pid).is_some_and(|(state, _)| state != 'Z' && state != 'X')
}

/// Once per test process: kills the servers of test processes that are gone,
/// and removes their temp dirs.
fn sweep_orphans() {
    static SWEPT: OnceLock<()> = OnceLock::new();
    SWEPT.get_or_init(|| {
        // The pid in a `kefu-{smtp,imap,test}-<pid>-` tag, if that process is gone.
        let dead_owner = |text: &str| {
            ["kefu-smtp-", "kefu-imap-", "kefu-test-"].iter().any(|tag| {
                text.match_indices(tag).any(|(i, _)| {
                    let rest = &text[i + tag.len()..];
                    let digits = rest.len() - rest.trim_start_matches(|c: char| c.is_ascii_digit()).len();
                    digits > 0 && rest[digits..].starts_with('-') && !alive(&rest[..digits])
                })
            })
        };
        let Ok(procs) = fs::read_dir("/proc") else { return };
        let orphans: Vec<u32> = procs
            .flatten()
            .filter_map(|e| {
                let pid = e.file_name().to_str()?.parse::<u32>().ok()?;
                let cmdline = fs::read(format!("/proc/{pid}/cmdline")).ok()?;
                let cmdline = String::from_utf8_lossy(&cmdline).replace('\0', " ");
                // Only the servers: Dovecot's master and processes, aiosmtpd.
                let server = cmdline.starts_with("dovecot-kefu-test-")
                    || cmdline.contains("dovecot -F -c ")
                    || cmdline.contains(" -m aiosmtpd ");
                (server && dead_owner(&cmdline)).then_some(pid)
            })
            .collect();
        signal(&orphans, "KILL");
        if let Ok(dirs) = fs::read_dir(std::env::temp_dir()) {
            for d in dirs.flatten() {
                let name = d.file_name().to_string_lossy().into_owned();
                if (name.starts_with("kefu-smtp-") || name.starts_with("kefu-imap-")) && dead_owner(&name) {
                    let _ = fs::remove_dir_all(d.path());
                }
            }
        }
    });
}

/// A port free right now (the listener is closed again at once).
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Whether a start failed because someone took the port first (Python and
/// Dovecot spell it differently).
fn port_taken(error: &str) -> bool {
    error.to_lowercase().contains("address already in use")
}

/// Waits until the server on `port` sends a greeting that `is_ready` accepts;
/// fails early if the child exits.
fn wait_ready(child: &mut Child, port: u16, is_ready: impl Fn(&str) -> bool) -> Result<(), String> {
    let deadline = Instant::now() + START_TIMEOUT;
    let mut last = String::from("nothing listening");
    while Instant::now() < deadline {
        if let Ok(Some(status)) = child.try_wait() {
            return Err(format!("it exited ({status})"));
        }
        if let Ok(stream) = TcpStream::connect(("127.0.0.1", port)) {
            match read_greeting(stream) {
                Ok(line) if is_ready(&line) => return Ok(()),
                Ok(line) => last = format!("greeting {line:?}"),
                Err(e) => last = format!("reading the greeting: {e}"),
            }
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    Err(format!("not ready after {START_TIMEOUT:?} ({last})"))
}

/// Waits until the unix socket at `path` accepts connections; fails early if the
/// child exits.
fn wait_socket(child: &mut Child, path: &Path) -> Result<(), String> {
    let deadline = Instant::now() + START_TIMEOUT;
    while Instant::now() < deadline {
        if let Ok(Some(status)) = child.try_wait() {
            return Err(format!("it exited ({status})"));
        }
        if UnixStream::connect(path).is_ok() {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    Err(format!(
        "{} not listening after {START_TIMEOUT:?}",
        path.display()
    ))
}

fn read_greeting(stream: TcpStream) -> std::io::Result<String> {
    stream.set_read_timeout(Some(Duration::from_secs(5)))?;
    let mut line = String::new();
    BufReader::new(stream).read_line(&mut line)?;
    Ok(line.trim_end().to_string())
}

/// The state and the parent of process `pid`, from /proc/<pid>/stat:
/// "pid (name) state ppid …", where the name may hold anything.
fn stat(pid: impl std::fmt::Display) -> Option<(char, u32)> {
    let stat = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let (_, rest) = stat.rsplit_once(')')?;
    let mut fields = rest.split_whitespace();
    let state = fields.next()?.chars().next()?;
    Some((state, fields.next()?.parse().ok()?))
}

/// Sends a signal through sh's `kill` builtin: std has only SIGKILL, and the
/// `kill` program (procps) is not on every minimal Debian.
fn signal(pids: &[u32], sig: &str) {
    if pids.is_empty() {
        return;
    }
    let list: Vec<String> = pids.iter().map(u32::to_string).collect();
    let _ = Command::new("sh")
        .args(["-c", &format!("kill -{sig} {}", list.join(" "))])
        .stderr(Stdio::null())
        .status();
}

fn append_to(path: &Path) -> File {
    OpenOptions::new().create(true).append(true).open(path).unwrap()
}

fn read_lossy(path: &Path) -> String {
    read_from(path, 0)
}

/// The file's text from byte `offset` on ("" if it cannot be read).
fn read_from(path: &Path, offset: u64) -> String {
    let mut bytes = Vec::new();
    if let Ok(mut f) = File::open(path)
        && f.seek(SeekFrom::Start(offset)).is_ok()
    {
        let _ = f.read_to_end(&mut bytes);
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

fn file_len(path: &Path) -> u64 {
    fs::metadata(path).map_or(0, |m| m.len())
}
