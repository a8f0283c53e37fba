//! The IMAP server: a Dovecot of its own per test, with one user.

use super::*;

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
