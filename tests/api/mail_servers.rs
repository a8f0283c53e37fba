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

// ---------------------------------------------------------------------------
// SMTP

/// An SMTP server that accepts any mail and keeps it in a Maildir.
///
/// aiosmtpd's `Mailbox` handler adds `X-Peer`, `X-MailFrom` and `X-RcptTo`
/// headers in front of each message it stores.
pub struct SmtpSink {
    child: Option<Child>,
    port: u16,
    maildir: PathBuf,
    python: String,
    dir: tempfile::TempDir,
}

impl SmtpSink {
    /// Starts on a free port; panics if aiosmtpd is missing or does not start.
    pub fn start() -> SmtpSink {
        let dir = owned_temp_dir("smtp");
        let mut sink = SmtpSink {
            child: None,
            port: 0,
            // aiosmtpd creates it (as a Maildir) on start.
            maildir: dir.path().join("maildir"),
            python: python_with_aiosmtpd(),
            dir,
        };
        let mut last = String::new();
        for _ in 0..START_TRIES {
            sink.port = free_port();
            match sink.spawn() {
                Ok(()) => return sink,
                Err(e) if port_taken(&e) => last = e,
                Err(e) => panic!("{e}"),
            }
        }
        panic!("{last}")
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// The Maildir the mail is stored in (it outlives `stop`).
    pub fn maildir(&self) -> &Path {
        &self.maildir
    }

    /// Kills the server, so that sending fails; the mail received so far is kept.
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts again on the same port and Maildir (after `stop`, or in place).
    pub fn restart(&mut self) {
        self.stop();
        let mut last = String::new();
        // The port was ours a moment ago; a retry covers a client or a parallel
        // test's probe that grabbed it in between.
        for _ in 0..START_TRIES {
            match self.spawn() {
                Ok(()) => return,
                Err(e) => last = e,
            }
            std::thread::sleep(Duration::from_millis(200));
        }
        panic!("{last}")
    }

    /// The raw bytes of every mail received, in arrival order.
    pub fn messages(&self) -> Vec<Vec<u8>> {
        let mut found = Vec::new();
        for sub in ["new", "cur"] {
            let Ok(entries) = fs::read_dir(self.maildir.join(sub)) else {
                continue;
            };
            for entry in entries.flatten() {
                let name = entry.file_name().to_string_lossy().into_owned();
                if name.starts_with('.') {
                    continue;
                }
                let mtime = entry
                    .metadata()
                    .and_then(|m| m.modified())
                    .unwrap_or(SystemTime::UNIX_EPOCH);
                found.push((mtime, maildir_name_key(&name), name, entry.path()));
            }
        }
        found.sort();
        // A file is complete once it is in new/: aiosmtpd writes it in tmp/ first.
        found
            .into_iter()
            .filter_map(|(.., path)| fs::read(path).ok())
            .collect()
    }

    /// Waits until at least `n` mails have arrived and returns them all; panics
    /// with what did arrive after `timeout`. This blocks the thread: when kefu runs
    /// in the test's own runtime (`#[tokio::test]`), use [`Self::wait_for_async`].
    pub fn wait_for(&self, n: usize, timeout: Duration) -> Vec<Vec<u8>> {
        let deadline = Instant::now() + timeout;
        loop {
            let got = self.messages();
            if got.len() >= n {
                return got;
            }
            if Instant::now() >= deadline {
                self.wait_failed(n, timeout, got);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Like [`Self::wait_for`], but lets the test's runtime (and so an in-process
    /// kefu) go on while waiting.
    pub async fn wait_for_async(&self, n: usize, timeout: Duration) -> Vec<Vec<u8>> {
        let deadline = Instant::now() + timeout;
        loop {
            let got = self.messages();
            if got.len() >= n {
                return got;
            }
            if Instant::now() >= deadline {
                self.wait_failed(n, timeout, got);
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    fn wait_failed(&self, n: usize, timeout: Duration, got: Vec<Vec<u8>>) -> ! {
        let shown: Vec<String> = got
            .iter()
            .map(|m| String::from_utf8_lossy(m).into_owned())
            .collect();
        let hint = if tokio::runtime::Handle::try_current().is_ok() {
            "\n(called inside a tokio runtime: a blocking wait_for stalls an in-process kefu; \
             use wait_for_async)"
        } else {
            ""
        };
        panic!(
            "expected {n} mail(s) within {timeout:?}, got {}:\n{}\nSMTP server log:\n{}{hint}",
            got.len(),
            shown.join("\n----------\n"),
            read_lossy(&self.dir.path().join("smtp.log")),
        )
    }

    fn spawn(&mut self) -> Result<(), String> {
        let log_path = self.dir.path().join("smtp.log");
        // Only this start's errors count (say, whether its port was taken).
        let log_from = file_len(&log_path);
        let log = append_to(&log_path);
        let listen = format!("127.0.0.1:{}", self.port);
        let mut child = Command::new(&self.python)
            .args([
                "-m",
                "aiosmtpd",
                "-n",
                "-l",
                &listen,
                "-c",
                "aiosmtpd.handlers.Mailbox",
            ])
            .arg(&self.maildir)
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            // A file rather than a pipe: nobody reads the pipe while a test runs,
            // and a full pipe would block the server.
            .stderr(log)
            .spawn()
            .unwrap_or_else(|e| {
                panic!(
                    "cannot run {} -m aiosmtpd ({e}); run ./scripts/test, which installs it",
                    self.python
                )
            });
        match wait_ready(&mut child, self.port, |l| l.starts_with("220")) {
            Ok(()) => {
                self.child = Some(child);
                Ok(())
            }
            Err(e) => {
                let _ = child.kill();
                let _ = child.wait();
                let log = read_from(&log_path, log_from);
                let hint = if log.contains("No module named aiosmtpd") {
                    format!(
                        "\naiosmtpd is not installed for {}: run ./scripts/test",
                        self.python
                    )
                } else {
                    String::new()
                };
                Err(format!(
                    "SMTP server on port {} did not start: {e}\n{log}{hint}",
                    self.port
                ))
            }
        }
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        self.stop();
    }
}

/// The interpreter that has aiosmtpd: the one `./scripts/test` exported, or the
/// first Python that can import it (pip's, or Debian's python3-aiosmtpd).
fn python_with_aiosmtpd() -> String {
    static PYTHON: OnceLock<String> = OnceLock::new();
    PYTHON
        .get_or_init(|| {
            if let Ok(py) = std::env::var("KEFU_TEST_PYTHON")
                && !py.is_empty()
            {
                return py;
            }
            ["python3", "/usr/bin/python3"]
                .into_iter()
                .find(|py| {
                    Command::new(py)
                        .args(["-c", "import aiosmtpd"])
                        .stdout(Stdio::null())
                        .stderr(Stdio::null())
                        .status()
                        .is_ok_and(|s| s.success())
                })
                .unwrap_or_else(|| {
                    panic!(
                        "no Python with aiosmtpd found; run ./scripts/test, which installs python3-aiosmtpd"
                    )
                })
                .to_string()
        })
        .clone()
}

/// Sort key from Python's Maildir names, `SECS.M<usec>P<pid>Q<n>.host`: several
/// mails can share one mtime tick, and the microseconds are not zero-padded, so
/// the names do not sort as text.
fn maildir_name_key(name: &str) -> (u64, u64, u64) {
    let num = |s: &str| s.parse::<u64>().unwrap_or(0);
    let mut parts = name.splitn(3, '.');
    let secs = num(parts.next().unwrap_or(""));
    let unique = parts.next().unwrap_or("");
    let field = |tag: char| {
        unique
            .split_once(tag)
            .map(|(_, rest)| num(&rest[..rest.find(|c: char| !c.is_ascii_digit()).unwrap_or(rest.len())]))
            .unwrap_or(0)
    };
    (secs, field('M'), field('Q'))
}

// ---------------------------------------------------------------------------
// IMAP

/// Dovecot 2.3 serving IMAP (plaintext LOGIN, no TLS, IDLE) for one user,
/// [`ImapServer::USER`]. The mailboxes outlive `stop`, and `append` works while
/// IMAP is down. IDLE reports an append about 0.5 s later (Dovecot gathers
/// changes that long before it notifies).
pub struct ImapServer {
    child: Option<Child>,
    port: u16,
    conf: PathBuf,
    dovecot: PathBuf,
    doveadm: PathBuf,
    /// Dovecot names its processes `dovecot-<instance>/…`: how `stop` finds them.
    instance: String,
    dir: tempfile::TempDir,
}

impl ImapServer {
    pub const USER: &str = "shop";
    pub const PASSWORD: &str = "imap-password-1";

    /// Starts on a free port with an empty INBOX; panics if Dovecot is missing or
    /// does not start.
    pub fn start() -> ImapServer {
        let dovecot = find_program("KEFU_TEST_DOVECOT", "dovecot", "/usr/sbin/dovecot");
        let doveadm = find_program("KEFU_TEST_DOVEADM", "doveadm", "/usr/bin/doveadm");
        check_version(&dovecot);
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let instance = format!("{}{}", owner_tag("test"), NEXT.fetch_add(1, Ordering::Relaxed));
        let dir = owned_temp_dir("imap");
        let mut server = ImapServer {
            child: None,
            port: 0,
            conf: dir.path().join("dovecot.conf"),
            dovecot,
            doveadm,
            instance,
            dir,
        };
        server.prepare_dirs();
        let mut last = String::new();
        for _ in 0..START_TRIES {
            server.port = free_port();
            server.write_config();
            match server.spawn() {
                Ok(()) => return server,
                Err(e) if port_taken(&e) => last = e,
                Err(e) => panic!("{e}"),
            }
        }
        panic!("{last}")
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Dovecot's log so far (logins, errors), for a failing test's message.
    pub fn log(&self) -> String {
        read_lossy(&self.dir.path().join("dovecot.log"))
    }

    /// Puts a message into the user's `folder` (created if missing), as new mail.
    pub fn append(&self, folder: &str, raw: &[u8]) {
        let save = || self.doveadm(&["save", "-u", Self::USER, "-m", folder], Some(raw));
        let (code, out) = save();
        if code == Some(0) {
            return;
        }
        if code == Some(DOVEADM_NOT_FOUND) {
            // "already exists" is fine: a parallel append may have created it.
            let (code, out) = self.doveadm(&["mailbox", "create", "-u", Self::USER, folder], None);
            assert!(
                code == Some(0) || out.contains("already exists"),
                "doveadm mailbox create {folder} failed: {out}"
            );
            let (code, out) = save();
            assert_eq!(code, Some(0), "doveadm save into {folder} failed: {out}");
            return;
        }
        panic!("doveadm save into {folder} failed: {out}")
    }

    /// The folder's UIDVALIDITY, as IMAP's SELECT reports it.
    pub fn uidvalidity(&self, folder: &str) -> u32 {
        self.status_field(folder, "uidvalidity")
            .unwrap_or_else(|| panic!("no folder {folder} for {}", Self::USER))
            .parse()
            .unwrap()
    }

    /// How many messages the folder holds (0 if it does not exist).
    pub fn count(&self, folder: &str) -> usize {
        self.status_field(folder, "messages")
            .map_or(0, |n| n.parse().unwrap())
    }

    /// Stops Dovecot, so that IMAP is down; the mailboxes are kept.
    pub fn stop(&mut self) {
        if let Some(child) = self.child.take() {
            self.terminate(child);
        }
    }

    /// Stops the Dovecot whose master is `child`, leaving none of its processes.
    fn terminate(&self, mut child: Child) {
        let master = child.id();
        // A gentle stop first, so that open IMAP sessions end with a BYE as on a
        // real server's shutdown: SIGTERM to every process of the instance (the
        // master alone would leave sessions running for up to ten seconds).
        let mut pids: Vec<u32> = self.processes(master).into_iter().map(|(pid, _)| pid).collect();
        pids.push(master);
        signal(&pids, "TERM");
        let deadline = Instant::now() + Duration::from_secs(2);
        while Instant::now() < deadline && self.processes(master).iter().any(|(_, t)| t.starts_with("imap")) {
            std::thread::sleep(Duration::from_millis(5));
        }
        // The rest (master, log, anvil…) would take one to several seconds to wind
        // down for nothing a test needs: kill them. The master is frozen first so
        // that it forks no more: a child caught between fork and taking its title
        // is known only as the master's, and would keep the listening sockets
        // that the next start must find free.
        signal(&[master], "STOP");
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            let left: Vec<u32> = self.processes(master).into_iter().map(|(pid, _)| pid).collect();
            if left.is_empty() {
                break;
            }
            if Instant::now() >= deadline {
                // No panic: this runs in drop, maybe while a test is failing.
                eprintln!(
                    "warning: Dovecot processes {left:?} of {} did not stop",
                    self.instance
                );
                break;
            }
            signal(&left, "KILL");
            std::thread::sleep(Duration::from_millis(5));
        }
        let _ = child.kill();
        let _ = child.wait();
        // A killed master can leave its pid file (which could name a live process
        // by the next start) and a dotlock on state/instances (which the next
        // master would wait on for over ten seconds before giving up).
        let _ = fs::remove_file(self.dir.path().join("run/master.pid"));
        if let Ok(entries) = fs::read_dir(self.dir.path().join("state")) {
            for e in entries.flatten() {
                if e.file_name().to_string_lossy().ends_with(".lock") {
                    let _ = fs::remove_file(e.path());
                }
            }
        }
    }

    /// Starts again on the same port with the same mailboxes.
    pub fn restart(&mut self) {
        self.stop();
        let mut last = String::new();
        for _ in 0..START_TRIES {
            match self.spawn() {
                Ok(()) => return,
                Err(e) => last = e,
            }
            std::thread::sleep(Duration::from_millis(200));
        }
        panic!("{last}")
    }

    fn prepare_dirs(&self) {
        let root = self.dir.path();
        // Dovecot's auth and login processes run as its own unprivileged users
        // and must reach the passwd file and their sockets under this dir.
        fs::set_permissions(root, fs::Permissions::from_mode(0o755)).unwrap();
        let passwd = root.join("passwd");
        fs::write(&passwd, format!("{}:{{PLAIN}}{}\n", Self::USER, Self::PASSWORD)).unwrap();
        fs::set_permissions(&passwd, fs::Permissions::from_mode(0o644)).unwrap();
        let home = root.join("home");
        fs::create_dir(&home).unwrap();
        let (uid, gid) = mail_owner(root);
        std::os::unix::fs::chown(&home, Some(uid), Some(gid)).unwrap();
    }

    /// Writes dovecot.conf, and offline.conf: the same without IMAP (port 0).
    fn write_config(&self) {
        fs::write(&self.conf, self.config(self.port)).unwrap();
        fs::write(self.dir.path().join("offline.conf"), self.config(0)).unwrap();
    }

    fn config(&self, port: u16) -> String {
        let root = self.dir.path().display().to_string();
        let (uid, gid) = mail_owner(self.dir.path());
        let instance = &self.instance;
        // A complete config of its own: nothing from /etc/dovecot, and every path
        // (sockets, pid file, state, mail) inside this instance's temp dir.
        let mut conf = format!(
            "\
instance_name = {instance}
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
login_greeting = {GREETING}
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_verbose = yes
# Tests try wrong passwords: a failure is answered after 0.5 s, not 2 s.
auth_failure_delay = 0
mail_location = maildir:~/Maildir
mail_fsync = never
# IDLE notices doveadm's appends through inotify; this is the fallback.
mailbox_idle_check_interval = 1 s
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={root}/home/%u
}}
# No growing delay (2 s, 4 s, … 15 s) after repeated failures from 127.0.0.1:
# the penalty socket is closed (auth logs one error about it).
service anvil {{
  unix_listener anvil-auth-penalty {{
    mode = 0
  }}
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
"
        );
        if !is_root(self.dir.path()) {
            // Not root: every process runs as us, without chroot.
            let user = name_of("/etc/passwd", uid).or_else(|| std::env::var("USER").ok());
            let user = user.unwrap_or_else(|| panic!("no user name for uid {uid}"));
            let group = name_of("/etc/group", gid).unwrap_or_else(|| panic!("no group name for gid {gid}"));
            conf.push_str(&format!(
                "default_login_user = {user}\ndefault_internal_user = {user}\n\
                 default_internal_group = {group}\n\
                 service imap-login {{\n  chroot =\n}}\nservice anvil {{\n  chroot =\n}}\n"
            ));
        }
        conf
    }

    fn spawn(&mut self) -> Result<(), String> {
        let child = self.launch(&self.conf)?;
        self.child = Some(child);
        Ok(())
    }

    /// Starts Dovecot with `conf` and waits until it serves IMAP, or, for the
    /// config without IMAP, until its auth service (all doveadm needs) listens.
    fn launch(&self, conf: &Path) -> Result<Child, String> {
        let stderr_path = self.dir.path().join("dovecot.stderr");
        // Only this start's errors count (say, whether its port was taken).
        let stderr_from = file_len(&stderr_path);
        let mut child = Command::new(&self.dovecot)
            .arg("-F")
            .arg("-c")
            .arg(conf)
            .stdin(Stdio::null())
            .stdout(append_to(&stderr_path))
            .stderr(append_to(&stderr_path))
            .spawn()
            .unwrap_or_else(|e| {
                panic!(
                    "cannot run {} ({e}); run ./scripts/test, which installs dovecot-imapd",
                    self.dovecot.display()
                )
            });
        let ready = if conf == self.conf {
            // Not any "* OK": after 10 s without its auth process, imap-login
            // greets with "* OK Waiting for authentication process to respond".
            wait_ready(&mut child, self.port, |l| {
                l.starts_with("* OK") && l.contains(GREETING)
            })
        } else {
            wait_socket(&mut child, &self.dir.path().join("run/auth-userdb"))
        };
        match ready {
            Ok(()) => Ok(child),
            Err(e) => {
                self.terminate(child);
                Err(format!(
                    "Dovecot ({}) on port {} did not start: {e}\n{}{}",
                    conf.display(),
                    self.port,
                    read_from(&stderr_path, stderr_from),
                    self.log()
                ))
            }
        }
    }

    /// Runs doveadm on this instance; returns its exit code and its output.
    /// doveadm looks the user up through the running Dovecot's auth service, so
    /// while IMAP is stopped a Dovecot without IMAP runs for the command's time.
    fn doveadm(&self, args: &[&str], stdin: Option<&[u8]>) -> (Option<i32>, String) {
        if self.child.is_some() {
            return self.run_doveadm(args, stdin);
        }
        let offline = self
            .launch(&self.dir.path().join("offline.conf"))
            .unwrap_or_else(|e| panic!("{e}"));
        let result = self.run_doveadm(args, stdin);
        self.terminate(offline);
        result
    }

    fn run_doveadm(&self, args: &[&str], stdin: Option<&[u8]>) -> (Option<i32>, String) {
        let mut child = Command::new(&self.doveadm)
            .arg("-c")
            .arg(&self.conf)
            // Its errors on stderr rather than in the server's log file.
            .args(["-o", "log_path=/dev/stderr"])
            .args(args)
            .stdin(if stdin.is_some() {
                Stdio::piped()
            } else {
                Stdio::null()
            })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot run {} ({e})", self.doveadm.display()));
        if let Some(bytes) = stdin {
            let mut pipe = child.stdin.take().unwrap();
            pipe.write_all(bytes).unwrap();
        }
        let out = child.wait_with_output().unwrap();
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        (out.status.code(), text)
    }

    /// `doveadm mailbox status` prints `name=value` pairs; `None` when the folder
    /// does not exist.
    fn status_field(&self, folder: &str, field: &str) -> Option<String> {
        let (code, out) = self.doveadm(&["mailbox", "status", "-u", Self::USER, field, folder], None);
        if code == Some(DOVEADM_NOT_FOUND) {
            return None;
        }
        assert_eq!(code, Some(0), "doveadm mailbox status {folder} failed: {out}");
        let prefix = format!("{field}=");
        let value = out.split_whitespace().find_map(|w| w.strip_prefix(&prefix));
        Some(
            value
                .unwrap_or_else(|| panic!("no {field} in doveadm's output: {out}"))
                .to_string(),
        )
    }

    /// This instance's processes but the master, as (pid, title without the
    /// `dovecot-<instance>/` prefix): found by their titles, and by their parent
    /// for those that have no title yet.
    fn processes(&self, master: u32) -> Vec<(u32, String)> {
        let prefix = format!("dovecot-{}/", self.instance);
        let Ok(entries) = fs::read_dir("/proc") else {
            return Vec::new();
        };
        entries
            .flatten()
            .filter_map(|e| {
                let pid = e.file_name().to_str()?.parse::<u32>().ok()?;
                let cmdline =
                    String::from_utf8_lossy(&fs::read(format!("/proc/{pid}/cmdline")).ok()?).into_owned();
                if let Some(title) = cmdline.strip_prefix(&prefix) {
                    return Some((pid, title.to_string()));
                }
                // Not the zombies the frozen master has not reaped.
                let (state, ppid) = stat(pid)?;
                (ppid == master && state != 'Z').then(|| (pid, String::new()))
            })
            .collect()
    }
}

impl Drop for ImapServer {
    fn drop(&mut self) {
        self.stop();
    }
}

/// How this Dovecot greets once it is ready for logins.
const GREETING: &str = "kefu test IMAP server ready.";

/// doveadm's exit code for a missing mailbox (EX_NOHOST).
const DOVEADM_NOT_FOUND: i32 = 68;

/// The uid and gid the mail files belong to. Dovecot refuses to serve mail as
/// root, so as root it is nobody's; otherwise our own.
fn mail_owner(dir: &Path) -> (u32, u32) {
    let meta = fs::metadata(dir).unwrap();
    if meta.uid() == 0 {
        (65534, 65534)
    } else {
        (meta.uid(), meta.gid())
    }
}

/// Whether we are root: a dir we just created belongs to us.
fn is_root(dir: &Path) -> bool {
    fs::metadata(dir).unwrap().uid() == 0
}

/// The name of a user or group id, from /etc/passwd or /etc/group.
fn name_of(file: &str, id: u32) -> Option<String> {
    let text = fs::read_to_string(file).ok()?;
    text.lines().find_map(|l| {
        let f: Vec<&str> = l.split(':').collect();
        (f.len() > 2 && f[2].parse() == Ok(id)).then(|| f[0].to_string())
    })
}

/// The config is written for Dovecot 2.3 (Debian 12); 2.4 renamed many settings
/// and would refuse it with less clear errors.
fn check_version(dovecot: &Path) {
    static VERSION: OnceLock<String> = OnceLock::new();
    let version = VERSION.get_or_init(|| {
        let out = Command::new(dovecot).arg("--version").output();
        let out = out.unwrap_or_else(|e| {
            panic!(
                "cannot run {} ({e}); run ./scripts/test, which installs dovecot-imapd",
                dovecot.display()
            )
        });
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    });
    assert!(
        version.starts_with("2.3."),
        "{} is Dovecot {version}; tests/api/mail_servers.rs writes a config for 2.3",
        dovecot.display()
    );
}

/// `$env` if set, else `name` on PATH, else `fallback` (Debian's path, which a
/// non-root PATH may not include).
fn find_program(env: &str, name: &str, fallback: &str) -> PathBuf {
    if let Ok(p) = std::env::var(env)
        && !p.is_empty()
    {
        return PathBuf::from(p);
    }
    let on_path = std::env::var_os("PATH")
        .map(|p| {
            std::env::split_paths(&p)
                .map(|d| d.join(name))
                .find(|p| p.is_file())
        })
        .unwrap_or_default();
    on_path.unwrap_or_else(|| {
        let fallback = PathBuf::from(fallback);
        assert!(
            fallback.is_file(),
            "{name} not found (set {env}); run ./scripts/test, which installs dovecot-imapd"
        );
        fallback
    })
}

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
