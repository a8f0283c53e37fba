//! The SMTP sink: aiosmtpd keeping every mail kefu sends in a Maildir.

use super::*;

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
