//! SMTP through lettre (rustls, no OpenSSL): builds the MIME message for an outbox
//! row and hands it to the server.

use std::time::{Duration, UNIX_EPOCH};

use anyhow::{Context, bail};
use lettre::message::header::{ContentType, Header, HeaderName, HeaderValue};
use lettre::message::{Attachment, Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use super::outbox::QueuedMail;
use super::smtp::SmtpSettings;
use crate::config::SmtpTls;

pub type Transport = AsyncSmtpTransport<Tokio1Executor>;

pub fn transport(s: &SmtpSettings) -> anyhow::Result<Transport> {
    if s.host.is_empty() {
        bail!("no SMTP server is configured");
    }
    let builder = match s.tls {
        SmtpTls::None => Transport::builder_dangerous(&s.host),
        SmtpTls::Starttls => Transport::starttls_relay(&s.host)?,
        SmtpTls::Tls => Transport::relay(&s.host)?,
    };
    let mut builder = builder.port(s.port).timeout(Some(Duration::from_secs(30)));
    if !s.username.is_empty() {
        builder = builder.credentials(Credentials::new(s.username.clone(), s.password.clone()));
    }
    Ok(builder.build())
}

/// `Auto-Submitted` (RFC 3834): tells other robots not to answer our robots.
#[derive(Clone)]
struct AutoSubmitted(String);

impl Header for AutoSubmitted {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("Auto-Submitted")
    }
    fn parse(s: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(AutoSubmitted(s.to_string()))
    }
    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), self.0.clone())
    }
}

fn sender(s: &SmtpSettings) -> anyhow::Result<Mailbox> {
    let email = s
        .from_email
        .parse()
        .with_context(|| format!("the sender `{}` is not a valid address", s.from_email))?;
    Ok(Mailbox::new(
        Some(s.from_name.clone()).filter(|n| !n.is_empty()),
        email,
    ))
}

/// A file sent with a mail.
pub struct FileToSend {
    pub name: String,
    pub mime: String,
    pub bytes: Vec<u8>,
}

/// The MIME message for an outbox row: text and HTML alternatives, attachments,
/// threading headers. The same row always gives the same Message-ID and Date.
pub fn build(mail: &QueuedMail, s: &SmtpSettings, files: Vec<FileToSend>) -> anyhow::Result<Message> {
    let to = Mailbox::new(
        mail.to_name.clone().filter(|n| !n.is_empty()),
        mail.to_email
            .parse()
            .with_context(|| format!("`{}` is not a valid email address", mail.to_email))?,
    );
    let mut b = Message::builder()
        .from(sender(s)?)
        .to(to)
        .subject(mail.subject.clone())
        .message_id(Some(format!("<{}>", mail.message_id)))
        .date(UNIX_EPOCH + Duration::from_millis(mail.created_at.max(0) as u64));
    let h = &mail.headers;
    if let Some(id) = &h.in_reply_to {
        b = b.in_reply_to(format!("<{id}>"));
    }
    if !h.references.is_empty() {
        let refs: Vec<String> = h.references.iter().map(|r| format!("<{r}>")).collect();
        b = b.references(refs.join(" "));
    }
    if let Some(reply_to) = &h.reply_to {
        let mbox = Mailbox::new(
            Some(s.from_name.clone()).filter(|n| !n.is_empty()),
            reply_to.parse().context("bad Reply-To address")?,
        );
        b = b.reply_to(mbox);
    }
    if let Some(auto) = &h.auto_submitted {
        b = b.header(AutoSubmitted(auto.clone()));
    }
    let text = SinglePart::builder()
        .header(ContentType::TEXT_PLAIN)
        .body(mail.text.clone());
    let body = match &mail.html {
        Some(html) => MultiPart::alternative().singlepart(text).singlepart(
            SinglePart::builder()
                .header(ContentType::TEXT_HTML)
                .body(html.clone()),
        ),
        None if files.is_empty() => return Ok(b.singlepart(text)?),
        None => MultiPart::mixed().singlepart(text),
    };
    if files.is_empty() {
        return Ok(b.multipart(body)?);
    }
    let mut mixed = MultiPart::mixed().multipart(body);
    for f in files {
        let mime = ContentType::parse(&f.mime).unwrap_or(ContentType::parse("application/octet-stream")?);
        mixed = mixed.singlepart(Attachment::new(f.name).body(f.bytes, mime));
    }
    Ok(b.multipart(mixed)?)
}

/// Why a send did not work, and whether trying again later can help.
#[derive(Debug)]
pub enum SendError {
    /// The server or the network may be back later, or the settings may be fixed.
    Transient(String),
    /// The server refused this mail for good (unknown mailbox, too large…).
    Permanent(String),
}

pub async fn send(transport: &Transport, message: Message) -> Result<String, SendError> {
    match transport.send(message).await {
        Ok(response) => Ok(format!(
            "{} {}",
            response.code(),
            response.message().collect::<Vec<_>>().join(" ")
        )),
        Err(e) => {
            let text = describe(&e);
            // 5xx is final for this mail, except authentication: that is our settings,
            // and the mail must go once the owner fixes the password.
            let code = e.status().map(u16::from);
            let auth = matches!(code, Some(530 | 534 | 535 | 538));
            if e.is_permanent() && !auth {
                Err(SendError::Permanent(text))
            } else {
                Err(SendError::Transient(text))
            }
        }
    }
}

/// The error with its causes, as the owner needs it to fix things.
fn describe(e: &lettre::transport::smtp::Error) -> String {
    let mut text = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        // Some causes repeat what the outer message already says.
        let part = s.to_string();
        if !text.contains(&part) {
            text.push_str(": ");
            text.push_str(&part);
        }
        source = s.source();
    }
    text
}

/// Sends a short bilingual test message straight away (not through the outbox,
/// so the owner sees the server's answer); returns the server's reply.
pub async fn send_test_email(s: &SmtpSettings, to: &str, shop_name: &str) -> anyhow::Result<String> {
    let transport = transport(s)?;
    let shop = if shop_name.is_empty() { "kefu" } else { shop_name };
    let message = Message::builder()
        .from(sender(s)?)
        .to(to
            .parse()
            .with_context(|| format!("`{to}` is not a valid email address"))?)
        .subject(format!("{shop}: kefu test email / 测试邮件"))
        .header(ContentType::TEXT_PLAIN)
        .header(AutoSubmitted("auto-generated".into()))
        .body(format!(
            "This is a test email from kefu for {shop}. Email sending works.\n\n\
             这是 {shop} 的 kefu 客服系统发送的测试邮件，邮件发送功能正常。\n"
        ))?;
    match send(&transport, message).await {
        Ok(reply) => Ok(reply),
        Err(SendError::Transient(e) | SendError::Permanent(e)) => {
            bail!("the SMTP server did not accept the message: {e}")
        }
    }
}
