//! SMTP through lettre (rustls, no OpenSSL).

use std::time::Duration;

use anyhow::{Context, bail};
use lettre::message::header::ContentType;
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::config::{SmtpConfig, SmtpTls};

fn transport(smtp: &SmtpConfig) -> anyhow::Result<AsyncSmtpTransport<Tokio1Executor>> {
    let Some(host) = smtp.host.as_deref().filter(|h| !h.is_empty()) else {
        bail!("no SMTP server is configured: set [smtp] host in kefu.toml (or KEFU_SMTP_HOST)");
    };
    let (builder, default_port) = match smtp.tls {
        SmtpTls::None => (AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host), 25),
        SmtpTls::Starttls => (AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(host)?, 587),
        SmtpTls::Tls => (AsyncSmtpTransport::<Tokio1Executor>::relay(host)?, 465),
    };
    let mut builder = builder
        .port(smtp.port.unwrap_or(default_port))
        .timeout(Some(Duration::from_secs(30)));
    if let Some(user) = smtp.username.as_deref().filter(|u| !u.is_empty()) {
        builder = builder.credentials(Credentials::new(
            user.to_string(),
            smtp.password.clone().unwrap_or_default(),
        ));
    }
    Ok(builder.build())
}

/// Sends a short bilingual test message; returns the server's reply.
pub async fn send_test_email(smtp: &SmtpConfig, to: &str, shop_name: &str) -> anyhow::Result<String> {
    let transport = transport(smtp)?;
    let from = smtp.from.as_deref().context(
        "no sender address: set [smtp] from in kefu.toml (e.g. \"My Shop <service@myshop.example>\")",
    )?;
    let shop = if shop_name.is_empty() { "kefu" } else { shop_name };
    let message = Message::builder()
        .from(
            from.parse()
                .with_context(|| format!("the sender `{from}` is not a valid address"))?,
        )
        .to(to
            .parse()
            .with_context(|| format!("`{to}` is not a valid email address"))?)
        .subject(format!("{shop}: kefu test email / 测试邮件"))
        .header(ContentType::TEXT_PLAIN)
        .body(format!(
            "This is a test email from kefu for {shop}. Email sending works.\n\n\
             这是 {shop} 的 kefu 客服系统发送的测试邮件，邮件发送功能正常。\n"
        ))?;
    let response = transport
        .send(message)
        .await
        .context("the SMTP server did not accept the message")?;
    Ok(response.message().collect::<Vec<_>>().join(" "))
}
