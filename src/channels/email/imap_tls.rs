//! How the IMAP client (`imap.rs`) reaches a server: TCP, TLS (implicit or
//! STARTTLS) and the greeting; plus the wire-level helpers both files share:
//! deadlines, async-imap's error texts, mailbox-name encoding.

use std::fmt;
use std::sync::{Arc, LazyLock};
use std::time::Duration;

use async_imap::error::Error as RawError;
use async_imap::imap_proto::{AttributeValue, MailboxDatum, Response, Status};
use async_imap::{Client, Session};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;
use tokio::time::timeout;
use tokio_rustls::TlsConnector;
use tokio_rustls::rustls::{self, ClientConfig, RootCertStore, pki_types::ServerName};

use super::imap::{ImapError, ImapSettings, ImapTls};

pub(super) const SETUP_LIMIT: Duration = Duration::from_secs(20);

/// Plain TCP or TLS behind one type, so that one session type serves all three modes.
pub(super) trait Io: AsyncRead + AsyncWrite + Unpin + Send + fmt::Debug {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send + fmt::Debug> Io for T {}
pub(super) type Conn = Box<dyn Io>;

/// TCP, TLS as configured, and the greeting: a client ready for LOGIN.
pub(super) async fn open(s: &ImapSettings) -> Result<Client<Conn>, ImapError> {
    let tcp = step("connecting", SETUP_LIMIT, async {
        let target = (s.host.as_str(), s.port);
        TcpStream::connect(target)
            .await
            .map_err(|e| ImapError::Connect(format!("could not connect to {}:{} ({e})", s.host, s.port)))
    })
    .await?;
    // async-imap writes a command in several small pieces; without this Nagle
    // holds the last piece back until the server's delayed ACK.
    let _ = tcp.set_nodelay(true);
    let mut client = match s.tls {
        ImapTls::None => Client::new(Box::new(tcp) as Conn),
        ImapTls::Implicit => Client::new(tls(&s.host, Box::new(tcp)).await?),
        ImapTls::StartTls => {
            let mut plain = Client::new(Box::new(tcp) as Conn);
            greet(&mut plain).await?;
            step("starting TLS", SETUP_LIMIT, async {
                plain
                    .run_command_and_check_ok("STARTTLS", None)
                    .await
                    .map_err(|e| match e {
                        RawError::No(t) | RawError::Bad(t) => {
                            ImapError::Tls(format!("the server refused STARTTLS ({})", server_words(&t)))
                        }
                        e => classify(e, ImapError::Tls),
                    })
            })
            .await?;
            // into_inner drops whatever the server sent after its OK: nothing
            // from before the handshake may be trusted.
            let secure = Client::new(tls(&s.host, plain.into_inner()).await?);
            tracing::debug!("imap: STARTTLS done");
            return Ok(secure);
        }
    };
    greet(&mut client).await?;
    Ok(client)
}

async fn greet(client: &mut Client<Conn>) -> Result<(), ImapError> {
    let greeting = step("waiting for its greeting", SETUP_LIMIT, async {
        client
            .read_response()
            .await
            .map_err(|e| ImapError::Connect(format!("reading its greeting failed ({e})")))
    })
    .await?;
    let Some(greeting) = greeting else {
        return Err(ImapError::Connect(
            "it closed the connection without a greeting".into(),
        ));
    };
    match greeting.parsed() {
        Response::Data {
            status: Status::Ok | Status::PreAuth,
            ..
        } => Ok(()),
        Response::Data {
            status: Status::Bye,
            outcome,
        } => Err(ImapError::Connect(format!(
            "it turned the connection away ({})",
            outcome.information.as_deref().unwrap_or("BYE")
        ))),
        other => Err(ImapError::Protocol(format!("a greeting of {other:?}"))),
    }
}

static TLS: LazyLock<TlsConnector> = LazyLock::new(|| {
    let roots = RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    };
    // The provider lettre already links in, named explicitly: the process-wide
    // default would panic if another crate ever enabled a second one.
    let config = ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .expect("ring supports TLS 1.2 and 1.3")
        .with_root_certificates(roots)
        .with_no_client_auth();
    TlsConnector::from(Arc::new(config))
});

async fn tls(host: &str, io: Conn) -> Result<Conn, ImapError> {
    let name = ServerName::try_from(host.to_string())
        .map_err(|_| ImapError::Tls(format!("\"{host}\" is not a valid server name")))?;
    step("setting up TLS", SETUP_LIMIT, async {
        match TLS.connect(name, io).await {
            Ok(stream) => Ok(Box::new(stream) as Conn),
            Err(e) => Err(ImapError::Tls(tls_words(host, &e))),
        }
    })
    .await
}

/// The certificate failures an owner can act on, in words rather than rustls' Debug names.
fn tls_words(host: &str, e: &std::io::Error) -> String {
    use rustls::CertificateError as C;
    let Some(rustls::Error::InvalidCertificate(cert)) = e.get_ref().and_then(|e| e.downcast_ref()) else {
        return e.to_string();
    };
    match cert {
        C::UnknownIssuer => "its certificate is not signed by a known authority (is it self-signed?)".into(),
        C::NotValidForName | C::NotValidForNameContext { .. } => {
            format!("its certificate is not valid for the name \"{host}\"")
        }
        C::Expired | C::ExpiredContext { .. } => "its certificate has expired".into(),
        _ => format!("its certificate was rejected ({cert:?})"),
    }
}

pub(super) async fn step<T>(
    what: &'static str,
    limit: Duration,
    op: impl Future<Output = Result<T, ImapError>>,
) -> Result<T, ImapError> {
    timeout(limit, op).await.unwrap_or(Err(ImapError::Timeout(what)))
}

pub(super) fn proto(e: RawError) -> ImapError {
    classify(e, ImapError::Protocol)
}

pub(super) fn classify(e: RawError, on_no: fn(String) -> ImapError) -> ImapError {
    match e {
        RawError::No(t) => on_no(server_words(&t)),
        RawError::Bad(t) => ImapError::Protocol(server_words(&t)),
        RawError::Io(e) => ImapError::Connect(e.to_string()),
        RawError::ConnectionLost => ImapError::Connect("it closed the connection".into()),
        e => ImapError::Protocol(e.to_string()),
    }
}

/// Runs a UID FETCH and hands each message's UID, RFC822.SIZE and body (what
/// of them was asked for) to `each`; returns whether the server told of new
/// mail meanwhile. Not async-imap's `uid_fetch`: its stream ends quietly on a
/// NO, a BAD or a closed connection, which would pass a failed fetch off as
/// vanished mail.
pub(super) async fn uid_fetch(
    s: &mut Session<Conn>,
    set: &str,
    items: &str,
    mut each: impl FnMut(u32, Option<u32>, Option<&[u8]>),
) -> Result<bool, ImapError> {
    let tag = s
        .run_command(format!("UID FETCH {set} {items}"))
        .await
        .map_err(proto)?;
    let mut news = false;
    loop {
        let response = s.read_response().await.map_err(|e| proto(e.into()))?;
        match response.as_ref().map(|r| r.parsed()) {
            None => return Err(proto(RawError::ConnectionLost)),
            Some(Response::Fetch(_, attributes)) => {
                let (mut uid, mut size, mut body) = (None, None, None);
                for a in attributes {
                    match a {
                        AttributeValue::Uid(u) => uid = Some(*u),
                        AttributeValue::Rfc822Size(n) => size = Some(*n),
                        AttributeValue::BodySection {
                            section: None,
                            data: Some(b),
                            ..
                        } => body = Some(b.as_ref()),
                        _ => {}
                    }
                }
                if let Some(uid) = uid {
                    each(uid, size, body);
                }
            }
            Some(Response::MailboxData(MailboxDatum::Exists(_))) => news = true,
            Some(Response::Done {
                tag: done,
                status,
                outcome,
            }) if *done == tag => {
                let words = outcome.information.as_deref().unwrap_or_default();
                return match status {
                    Status::Ok => Ok(news),
                    // Messages another session expunged: absent from the answer, as for UIDs that are gone.
                    Status::No if words.starts_with("[EXPUNGEISSUED]") => Ok(news),
                    _ => Err(ImapError::Protocol(format!("UID FETCH failed ({})", tidy(words)))),
                };
            }
            Some(_) => {}
        }
    }
}

/// Without Dovecot's timing suffix ("… (0.001 + 0.000 secs).") and the final
/// full stop, so that the text reads well inside a sentence.
fn tidy(words: &str) -> String {
    let words = words.trim().trim_end_matches('.');
    let words = match words.rfind(" (") {
        Some(i) if words.ends_with(" secs)") => &words[..i],
        _ => words,
    };
    words.trim_end_matches('.').to_string()
}

/// async-imap hands a NO or BAD over as the Debug form of the response
/// (`code: …, info: Some("…")` or `Outcome { …, information: Some("…") }`):
/// this recovers the server's sentence, or returns the text as it is.
pub(super) fn server_words(text: &str) -> String {
    let start = text
        .find("info")
        .and_then(|i| text[i..].find("Some(\"").map(|j| i + j + 6));
    let Some(start) = start else {
        return text.to_string();
    };
    let mut out = String::new();
    let mut chars = text[start..].chars();
    while let Some(c) = chars.next() {
        match c {
            '"' => return tidy(&out),
            '\\' => match chars.next() {
                Some('n') => out.push('\n'),
                Some('r') => out.push('\r'),
                Some('t') => out.push('\t'),
                Some('0') => out.push('\0'),
                Some('u') => {
                    let hex: String = chars.by_ref().skip(1).take_while(|&c| c != '}').collect();
                    out.extend(u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32));
                }
                Some(c) => out.push(c),
                None => break,
            },
            c => out.push(c),
        }
    }
    text.to_string()
}

/// Folder names travel in IMAP's modified UTF-7 (RFC 3501 5.1.3): 客服 is &W6JnDQ-.
pub(super) fn mutf7(name: &str) -> String {
    const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,";
    fn flush(out: &mut String, wide: &mut Vec<u8>) {
        if wide.is_empty() {
            return;
        }
        out.push('&');
        for chunk in wide.chunks(3) {
            let n = chunk
                .iter()
                .enumerate()
                .fold(0u32, |n, (i, &b)| n | u32::from(b) << (16 - 8 * i));
            for k in 0..=chunk.len() {
                out.push(char::from(B64[(n >> (18 - 6 * k) & 63) as usize]));
            }
        }
        out.push('-');
        wide.clear();
    }
    let mut out = String::new();
    let mut wide = Vec::new();
    for c in name.chars() {
        if (' '..='~').contains(&c) {
            flush(&mut out, &mut wide);
            out.push(c);
            if c == '&' {
                out.push('-');
            }
        } else {
            for unit in c.encode_utf16(&mut [0; 2]) {
                wide.extend(unit.to_be_bytes());
            }
        }
    }
    flush(&mut out, &mut wide);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_helpers() {
        assert_eq!(mutf7("INBOX/Tom & Jerry"), "INBOX/Tom &- Jerry");
        assert_eq!(mutf7("台北"), "&U,BTFw-");
        assert_eq!(mutf7("客服/a😀"), "&W6JnDQ-/a&2D3eAA-");
        let no = r#"code: Some(AuthenticationFailed), info: Some("Authentication \"failed\" \u{1b}.")"#;
        assert_eq!(server_words(no), "Authentication \"failed\" \u{1b}");
        let no = r#"outcome: Outcome { code: None, information: Some("Mailbox doesn't exist: 客服 (0.001 + 0.000 secs).") }"#;
        assert_eq!(server_words(no), "Mailbox doesn't exist: 客服");
        assert_eq!(server_words("odd"), "odd");
    }
}
