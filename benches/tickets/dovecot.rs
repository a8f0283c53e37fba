//! A Dovecot of the benchmark's own, as tests/api/mail_servers/imap.rs runs it
//! (trimmed): one user, plaintext IMAP on 127.0.0.1, every path in its own dir.

use std::fs;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const USER: &str = "shop";
pub const PASSWORD: &str = "imap-password-1";
const GREETING: &str = "kefu bench IMAP server ready.";

pub struct Dovecot {
    child: Child,
    pub port: u16,
    instance: String,
}

impl Dovecot {
    /// Writes the mail into the user's Maildir, then starts Dovecot on a free port.
    pub fn start(root: &Path, mail: &[Vec<u8>]) -> Dovecot {
        fs::create_dir_all(root).unwrap();
        // Dovecot's auth and login processes run as its own users and must reach
        // the passwd file and their sockets under this dir.
        fs::set_permissions(root, fs::Permissions::from_mode(0o755)).unwrap();
        let passwd = root.join("passwd");
        fs::write(&passwd, format!("{USER}:{{PLAIN}}{PASSWORD}\n")).unwrap();
        fs::set_permissions(&passwd, fs::Permissions::from_mode(0o644)).unwrap();
        let (uid, gid) = mail_owner(root);
        let maildir = root.join("home").join(USER).join("Maildir");
        for sub in ["cur", "new", "tmp"] {
            fs::create_dir_all(maildir.join(sub)).unwrap();
        }
        let pid = std::process::id();
        for (k, raw) in mail.iter().enumerate() {
            // Distinct leading timestamps: Dovecot numbers new files in their order.
            let name = format!("{}.M{k}P{pid}.kefu-bench", 1_700_000_000 + k);
            let path = maildir.join("new").join(name);
            fs::write(&path, raw).unwrap();
            std::os::unix::fs::chown(&path, Some(uid), Some(gid)).unwrap();
        }
        for dir in [
            root.join("home"),
            root.join("home").join(USER),
            maildir.clone(),
            maildir.join("cur"),
            maildir.join("new"),
            maildir.join("tmp"),
        ] {
            std::os::unix::fs::chown(&dir, Some(uid), Some(gid)).unwrap();
        }
        let instance = format!("kefu-bench-{pid}");
        for _ in 0..5 {
            let port = std::net::TcpListener::bind("127.0.0.1:0")
                .unwrap()
                .local_addr()
                .unwrap()
                .port();
            let conf = root.join("dovecot.conf");
            fs::write(&conf, config(root, &instance, port)).unwrap();
            let log = root.join("dovecot.stderr");
            let out = fs::File::create(&log).unwrap();
            let mut child = Command::new(find("dovecot", "/usr/sbin/dovecot"))
                .arg("-F")
                .arg("-c")
                .arg(&conf)
                .stdin(Stdio::null())
                .stdout(out.try_clone().unwrap())
                .stderr(out)
                .spawn()
                .expect("dovecot-imapd is needed (apt-get install dovecot-imapd)");
            if wait_greeting(&mut child, port) {
                return Dovecot {
                    child,
                    port,
                    instance,
                };
            }
            let _ = child.kill();
            let _ = child.wait();
            let err = fs::read_to_string(&log).unwrap_or_default();
            assert!(
                err.to_lowercase().contains("address already in use"),
                "Dovecot did not start: {err}"
            );
        }
        panic!("Dovecot found no free port");
    }

    /// SIGTERM to the master and the instance's processes; SIGKILL to what is left.
    pub fn stop(mut self) {
        let master = self.child.id();
        let mut pids = self.processes(master);
        pids.push(master);
        signal(&pids, "TERM");
        let deadline = Instant::now() + Duration::from_secs(3);
        while Instant::now() < deadline && self.child.try_wait().ok().flatten().is_none() {
            std::thread::sleep(Duration::from_millis(20));
        }
        signal(&self.processes(master), "KILL");
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// This instance's processes but the master: by title, or by parent.
    fn processes(&self, master: u32) -> Vec<u32> {
        let prefix = format!("dovecot-{}/", self.instance);
        let Ok(entries) = fs::read_dir("/proc") else {
            return Vec::new();
        };
        entries
            .flatten()
            .filter_map(|e| {
                let pid = e.file_name().to_str()?.parse::<u32>().ok()?;
                let cmdline = fs::read(format!("/proc/{pid}/cmdline")).ok()?;
                if cmdline.starts_with(prefix.as_bytes()) {
                    return Some(pid);
                }
                let stat = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
                let ppid: u32 = stat.rsplit_once(')')?.1.split_whitespace().nth(1)?.parse().ok()?;
                (ppid == master).then_some(pid)
            })
            .collect()
    }
}

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

fn wait_greeting(child: &mut Child, port: u16) -> bool {
    use std::io::{BufRead, BufReader};
    let deadline = Instant::now() + Duration::from_secs(20);
    while Instant::now() < deadline {
        if let Ok(Some(_)) = child.try_wait() {
            return false;
        }
        if let Ok(s) = std::net::TcpStream::connect(("127.0.0.1", port)) {
            let _ = s.set_read_timeout(Some(Duration::from_secs(5)));
            let mut line = String::new();
            if BufReader::new(s).read_line(&mut line).is_ok() && line.contains(GREETING) {
                return true;
            }
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    false
}

fn config(root: &Path, instance: &str, port: u16) -> String {
    let dir = root.display();
    let (uid, gid) = mail_owner(root);
    let mut conf = format!(
        "\
instance_name = {instance}
base_dir = {dir}/run
state_dir = {dir}/state
log_path = {dir}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
login_greeting = {GREETING}
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:~/Maildir
mail_fsync = never
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {dir}/passwd
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={dir}/home/%u
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
    if fs::metadata(root).unwrap().uid() != 0 {
        // Not root: every process runs as us, without chroot.
        let user = name_of("/etc/passwd", uid)
            .or_else(|| std::env::var("USER").ok())
            .unwrap();
        let group = name_of("/etc/group", gid).unwrap();
        conf.push_str(&format!(
            "default_login_user = {user}\ndefault_internal_user = {user}\n\
             default_internal_group = {group}\n\
             service imap-login {{\n  chroot =\n}}\nservice anvil {{\n  chroot =\n}}\n"
        ));
    }
    conf
}

/// Dovecot refuses to serve mail as root: as root the mail is nobody's.
fn mail_owner(dir: &Path) -> (u32, u32) {
    let meta = fs::metadata(dir).unwrap();
    if meta.uid() == 0 {
        (65534, 65534)
    } else {
        (meta.uid(), meta.gid())
    }
}

fn name_of(file: &str, id: u32) -> Option<String> {
    fs::read_to_string(file).ok()?.lines().find_map(|l| {
        let f: Vec<&str> = l.split(':').collect();
        (f.len() > 2 && f[2].parse() == Ok(id)).then(|| f[0].to_string())
    })
}

/// `name` on PATH, else Debian's path (a non-root PATH may lack /usr/sbin).
fn find(name: &str, fallback: &str) -> PathBuf {
    std::env::var_os("PATH")
        .and_then(|p| {
            std::env::split_paths(&p)
                .map(|d| d.join(name))
                .find(|p| p.is_file())
        })
        .unwrap_or_else(|| PathBuf::from(fallback))
}
