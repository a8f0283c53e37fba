//! Everything that leaves kefu by email. A change that owes someone a mail calls
//! `Mailroom::compose` inside its own write transaction: the mail is rendered from
//! its template and stored in the outbox with the change, and the worker sends it
//! afterwards (retrying with backoff). A crash, a restart or an SMTP outage delays
//! mail; it never loses it, and a retry reuses the row's Message-ID.

pub mod admin;
pub mod mailer;
pub mod outbox;
pub mod smtp;
pub mod templates;
mod worker;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use rusqlite::Connection;
use tokio::sync::Notify;

pub use outbox::{Delivery, MailHeaders};
pub use worker::run_worker;

use crate::config::Config;
use crate::error::{AppError, AppResult};
use crate::i18n::Lang;
use templates::Templates;

/// One mail to write into the outbox.
pub struct Mail {
    pub template: &'static str,
    pub lang: Lang,
    pub to_name: Option<String>,
    pub to_email: String,
    /// The template's variables (besides `shop` and `lang`).
    pub context: serde_json::Value,
    /// Set for mail the customer may answer: the answer finds its way back by this.
    pub thread: Option<Thread>,
    /// Notifications and auto-answers carry `Auto-Submitted: auto-generated`, so
    /// other robots do not answer them; a person's reply does not.
    pub automatic: bool,
    /// What the mail is about (`message:12`, `ticket_event:3`): its delivery state
    /// shows there.
    pub about: Option<String>,
}

/// A mail written to the outbox: its row and its Message-ID (without <>).
pub struct Queued {
    pub id: i64,
    pub message_id: String,
}

/// How a mail threads: the reply token goes into the Message-ID (and Reply-To with
/// plus addressing); In-Reply-To/References put it in the customer's thread.
#[derive(Clone, Debug, Default)]
pub struct Thread {
    pub token: String,
    pub in_reply_to: Option<String>,
    pub references: Vec<String>,
}

/// Composes mail into the outbox and wakes the worker. Cheap to clone.
#[derive(Clone)]
pub struct Mailroom {
    inner: Arc<Inner>,
}

struct Inner {
    templates: Templates,
    config: Arc<Config>,
    wake: Notify,
    /// A committed write may have moved an SLA deadline or told agents something.
    changed: Notify,
    agents_alerted: AtomicBool,
    tickets_changed: AtomicBool,
}

impl Mailroom {
    pub fn new(config: Arc<Config>) -> Mailroom {
        Mailroom {
            inner: Arc::new(Inner {
                templates: Templates::new(config.email_templates_dir()),
                config,
                wake: Notify::new(),
                changed: Notify::new(),
                agents_alerted: AtomicBool::new(false),
                tickets_changed: AtomicBool::new(false),
            }),
        }
    }

    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    /// Renders `mail` and stores it in the outbox, in the caller's transaction.
    /// Call `wake` once the transaction is committed.
    pub fn compose(&self, conn: &Connection, mail: Mail) -> AppResult<Queued> {
        let shop = crate::settings::shop(conn)?;
        let rendered = self
            .inner
            .templates
            .render(mail.template, mail.lang, &shop.shop_name, &mail.context)
            .map_err(AppError::internal)?;
        let (_, smtp) = smtp::effective(conn, &self.inner.config.smtp)?;
        let domain = smtp
            .as_ref()
            .and_then(|s| s.from_email.rsplit_once('@').map(|(_, d)| d.to_string()))
            .unwrap_or_else(|| url_host(&self.inner.config.public_url()));
        let nonce = &crate::util::random_token()[..16];
        let mut headers = MailHeaders {
            auto_submitted: mail.automatic.then(|| "auto-generated".to_string()),
            ..MailHeaders::default()
        };
        let message_id = match &mail.thread {
            Some(t) => {
                headers.in_reply_to = t.in_reply_to.clone();
                headers.references = t.references.clone();
                headers.reply_to = smtp
                    .as_ref()
                    .filter(|s| s.plus_addressing)
                    .and_then(|s| plus_address(&s.from_email, &t.token));
                format!("kefu.{}.{nonce}@{domain}", t.token)
            }
            None => format!("kefu-{nonce}@{domain}"),
        };
        let id = outbox::insert(
            conn,
            &outbox::NewMail {
                template: mail.template,
                message_id: message_id.clone(),
                to_name: mail.to_name,
                to_email: mail.to_email,
                subject: rendered.subject,
                text: rendered.text,
                html: rendered.html,
                headers,
                about: mail.about,
            },
        )?;
        Ok(Queued { id, message_id })
    }

    /// Whether an SMTP server is set up. Mail only a person waiting right now would
    /// want (an invite the admin can also copy by hand) is not queued without one;
    /// mail owed to a customer always is, and leaves once a server is set.
    pub fn can_send(&self, conn: &Connection) -> rusqlite::Result<bool> {
        Ok(smtp::effective(conn, &self.inner.config.smtp)?.1.is_some())
    }

    /// Tells the worker there is mail, and the SLA watcher that deadlines may have
    /// moved (after the transaction holding the change committed).
    pub fn wake(&self) {
        self.inner.wake.notify_one();
        self.inner.changed.notify_one();
    }

    async fn woken(&self) {
        self.inner.wake.notified().await;
    }

    /// Waits for the next `wake`.
    pub async fn changed(&self) {
        self.inner.changed.notified().await;
    }

    /// Notes, inside a transaction, that agents were notified; whoever next calls
    /// `take_agent_alerts` after the commit tells the consoles to look.
    pub fn alert_agents(&self) {
        self.inner.agents_alerted.store(true, Ordering::Release);
    }

    pub fn take_agent_alerts(&self) -> bool {
        self.inner.agents_alerted.swap(false, Ordering::AcqRel)
    }

    /// `wake`, after a committed write that changed tickets: the consoles are told
    /// to refresh what they show (by the SLA watcher's loop, which `wake` rouses).
    pub fn tickets_changed(&self) {
        self.inner.tickets_changed.store(true, Ordering::Release);
        self.wake();
    }

    pub fn take_tickets_changed(&self) -> bool {
        self.inner.tickets_changed.swap(false, Ordering::AcqRel)
    }
}

/// A thread's Message-IDs with `message_id` added (once), keeping the latest 20:
/// enough for mail clients to thread, and a bounded header.
pub fn add_reference(mut references: Vec<String>, message_id: &str) -> Vec<String> {
    if !references.iter().any(|r| r == message_id) {
        references.push(message_id.to_string());
    }
    let keep = references.len().saturating_sub(20);
    references.split_off(keep)
}

/// A new thread token for mail the customer may answer: 32 lower-case hex
/// characters (128 random bits). Lower case because mail systems lower-case the
/// plus part of an address, and the token must survive the round trip.
pub fn new_thread_token() -> String {
    crate::util::token_hash(&crate::util::random_token())[..16]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// `service@shop.example` + token → `service+token@shop.example`.
fn plus_address(email: &str, token: &str) -> Option<String> {
    let (local, domain) = email.rsplit_once('@')?;
    let local = local.split('+').next().unwrap_or(local);
    Some(format!("{local}+{token}@{domain}"))
}

/// `https://help.shop.example:8443/x` → `help.shop.example`.
fn url_host(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let host = rest.split(['/', ':']).next().unwrap_or("");
    if host.is_empty() || host.parse::<std::net::IpAddr>().is_ok() {
        "kefu.localhost".to_string()
    } else {
        host.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plus_addresses_and_hosts() {
        assert_eq!(
            plus_address("service@shop.example", "abc").as_deref(),
            Some("service+abc@shop.example")
        );
        assert_eq!(
            plus_address("service+x@shop.example", "abc").as_deref(),
            Some("service+abc@shop.example")
        );
        assert_eq!(url_host("https://help.shop.example:8443/x"), "help.shop.example");
        assert_eq!(url_host("http://127.0.0.1:8080"), "kefu.localhost");
    }
}
