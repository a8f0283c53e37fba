//! Login throttling, in memory: failed attempts are counted per client address and
//! per account within a window. Checked before argon2 runs, so guessing stays slow
//! and cheap for us. A restart forgets the counts, which is acceptable: it cannot be
//! triggered by the attacker.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::error::{AppError, AppResult};

#[derive(Clone, Copy, Debug)]
pub struct LimitPolicy {
    pub per_account: u32,
    pub per_ip: u32,
    pub window: Duration,
}

impl Default for LimitPolicy {
    fn default() -> Self {
        LimitPolicy {
            per_account: 5,
            per_ip: 20,
            window: Duration::from_secs(15 * 60),
        }
    }
}

struct Window {
    started: Instant,
    failures: u32,
}

pub struct LoginLimiter {
    policy: LimitPolicy,
    by_key: Mutex<HashMap<String, Window>>,
}

/// Bound on remembered keys, so a flood of distinct addresses cannot grow memory.
const MAX_KEYS: usize = 50_000;

impl LoginLimiter {
    pub fn new(policy: LimitPolicy) -> Self {
        LoginLimiter {
            policy,
            by_key: Mutex::new(HashMap::new()),
        }
    }

    /// The two counters a login attempt touches, with the limit of each.
    fn keys(&self, ip: &str, email: &str) -> [(String, u32); 2] {
        [
            (format!("ip:{ip}"), self.policy.per_ip),
            (format!("account:{email}"), self.policy.per_account),
        ]
    }

    /// `too_many_attempts` (429) with the wait in minutes when either limit is reached.
    pub fn check(&self, ip: &str, email: &str) -> AppResult<()> {
        let map = self.by_key.lock().unwrap_or_else(|p| p.into_inner());
        let now = Instant::now();
        for (key, limit) in self.keys(ip, email) {
            if let Some(w) = map.get(&key) {
                let age = now.duration_since(w.started);
                if age < self.policy.window && w.failures >= limit {
                    let wait = (self.policy.window - age).as_secs().max(1);
                    return Err(
                        AppError::new(crate::error::ErrorKind::TooManyRequests, "too_many_attempts")
                            .with("minutes", wait.div_ceil(60))
                            .retry_after(wait),
                    );
                }
            }
        }
        Ok(())
    }

    pub fn record_failure(&self, ip: &str, email: &str) {
        let mut map = self.by_key.lock().unwrap_or_else(|p| p.into_inner());
        let now = Instant::now();
        if map.len() >= MAX_KEYS {
            let window = self.policy.window;
            map.retain(|_, w| now.duration_since(w.started) < window);
        }
        for (key, _) in self.keys(ip, email) {
            let w = map.entry(key).or_insert(Window {
                started: now,
                failures: 0,
            });
            if now.duration_since(w.started) >= self.policy.window {
                *w = Window {
                    started: now,
                    failures: 0,
                };
            }
            w.failures += 1;
        }
    }

    /// A correct password clears the account's count (not the address's).
    pub fn record_success(&self, email: &str) {
        let mut map = self.by_key.lock().unwrap_or_else(|p| p.into_inner());
        map.remove(&format!("account:{email}"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn account_limit_then_ip_limit() {
        let l = LoginLimiter::new(LimitPolicy {
            per_account: 3,
            per_ip: 5,
            window: Duration::from_secs(60),
        });
        for _ in 0..3 {
            l.check("1.1.1.1", "a@x.cn").unwrap();
            l.record_failure("1.1.1.1", "a@x.cn");
        }
        let e = l.check("1.1.1.1", "a@x.cn").unwrap_err();
        assert_eq!(e.code, "too_many_attempts");
        assert!(e.retry_after.unwrap() <= 60);
        // Another account from the same address still works until the address limit.
        l.check("1.1.1.1", "b@x.cn").unwrap();
        l.record_failure("1.1.1.1", "b@x.cn");
        l.record_failure("1.1.1.1", "b@x.cn");
        assert!(l.check("1.1.1.1", "c@x.cn").is_err(), "address limit reached");
        assert!(l.check("2.2.2.2", "c@x.cn").is_ok());
    }

    #[test]
    fn window_expires() {
        let l = LoginLimiter::new(LimitPolicy {
            per_account: 1,
            per_ip: 10,
            window: Duration::from_millis(30),
        });
        l.record_failure("ip", "a");
        assert!(l.check("ip", "a").is_err());
        std::thread::sleep(Duration::from_millis(40));
        assert!(l.check("ip", "a").is_ok());
    }
}
