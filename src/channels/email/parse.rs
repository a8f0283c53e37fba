//! Incoming customer mail: raw RFC 5322 bytes → [`ParsedMail`].
//!
//! Owns everything between the IMAP fetch and the conversation: header decoding
//! (RFC 2047 words and legacy charsets such as GB2312/GBK/GB18030/Big5/ISO-2022-JP,
//! through mail-parser's `full_encoding`, with a fallback for labels it lacks and for
//! unlabelled 8-bit text), the choice of body (text/plain, or text derived from HTML), attachments with
//! a size cap, spotting mail that must never trigger an auto-email, and the reply token
//! that threads a reply back to its conversation. HTML sanitising is the private
//! `html.rs`; folding quoted history for display is `quote.rs`.

use std::borrow::Cow;
use std::fmt;

use mail_parser::decoders::{
    base64::base64_decode, charsets::map::charset_decoder, quoted_printable::quoted_printable_decode,
};
use mail_parser::{Encoding, HeaderValue, Message, MessageParser, MessagePart, MimeHeaders, PartType};

/// Larger parts are dropped and listed in [`ParsedMail::dropped`].
pub const MAX_ATTACHMENT_BYTES: usize = 10 * 1024 * 1024;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedMail {
    pub message_id: Option<String>, // without <>; None if absent
    pub in_reply_to: Vec<String>,   // ids without <>
    pub references: Vec<String>,    // ids without <>, in header order (oldest first)
    pub from: Option<Address>,      // first usable From; always Some after parse() succeeds
    pub reply_to: Option<Address>,
    pub to: Vec<Address>,
    pub cc: Vec<Address>,
    pub subject: String,      // decoded, "" if none
    pub date: Option<i64>,    // UTC ms
    pub text: String,         // text/plain body, or text derived from HTML for HTML-only mail
    pub html: Option<String>, // sanitised; None unless the mail has an HTML body
    pub attachments: Vec<Attachment>,
    pub dropped: Vec<String>,         // file names of parts over MAX_ATTACHMENT_BYTES
    pub automatic: Option<Automatic>, // Some when this mail must never trigger our auto-emails
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Address {
    pub name: Option<String>,
    pub email: String, // lower-cased
}

#[derive(Clone, PartialEq, Eq)]
pub struct Attachment {
    pub filename: String,     // never empty, never a path
    pub content_type: String, // type/subtype, lower case, no parameters
    pub bytes: Vec<u8>,       // decoded; text/* parts come as UTF-8 whatever their charset was
    pub inline: bool,
    pub content_id: Option<String>, // without <>; the HTML refers to it as cid:<content_id>
}

// By hand so that logging a mail does not dump megabytes of attachment bytes.
impl fmt::Debug for Attachment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Attachment")
            .field("filename", &self.filename)
            .field("content_type", &self.content_type)
            .field("bytes", &format_args!("{} bytes", self.bytes.len()))
            .field("inline", &self.inline)
            .field("content_id", &self.content_id)
            .finish()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Automatic {
    AutoReply,
    Bounce,
    Bulk,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParseError {
    /// Not parseable at all, or no headers.
    NotAMail,
    /// No usable From address.
    NoSender,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ParseError::NotAMail => "not an email message",
            ParseError::NoSender => "email has no usable From address",
        })
    }
}

impl std::error::Error for ParseError {}

/// Parses one whole message as fetched over IMAP (`BODY[]`). Never panics.
pub fn parse(raw: &[u8]) -> Result<ParsedMail, ParseError> {
    let msg = MessageParser::default().parse(raw).ok_or(ParseError::NotAMail)?;
    // mail-parser turns any first line into a "header"; junk bytes make no field name.
    let field_name = |n: &str| !n.is_empty() && n.bytes().all(|b| b.is_ascii_graphic() && b != b':');
    if !msg.root_part().headers.iter().any(|h| field_name(h.name())) {
        return Err(ParseError::NotAMail);
    }
    let from = addresses(msg.header_values("From")).into_iter().next();
    let from = from.ok_or(ParseError::NoSender)?;
    let mut subject = msg.subject().unwrap_or("").trim().to_string();
    // Raw 8-bit subjects (no RFC 2047) come from old Chinese clients; see `redecode`.
    if subject.contains('\u{fffd}')
        && let Some(fixed) = raw_value(&msg, "subject").and_then(|raw| legacy_decode(raw, ""))
    {
        subject = fixed.replace(['\r', '\n'], "").trim().to_string();
    }
    let (text, html) = bodies(&msg);
    let (attachments, dropped) = attachments(&msg);
    let date = msg.date().filter(|d| d.is_valid());
    Ok(ParsedMail {
        message_id: msg.message_id().map(clean_id).filter(|id| !id.is_empty()),
        in_reply_to: ids(msg.in_reply_to()),
        references: ids(msg.references()),
        automatic: automatic(&msg, &from, &subject),
        from: Some(from),
        reply_to: addresses(msg.header_values("Reply-To")).into_iter().next(),
        to: addresses(msg.header_values("To")),
        cc: addresses(msg.header_values("Cc")),
        subject,
        date: date.map(|d| d.to_timestamp() * 1000),
        text,
        html,
        attachments,
        dropped,
    })
}

/// The reply token kefu put into its own outgoing mail, if this mail answers one:
/// from In-Reply-To/References ids of the form `kefu.<token>.<anything>@<host>` and from
/// recipient addresses with a plus tag `user+<token>@host`. Token = 16–64 chars of
/// `[A-Za-z0-9_-]`. References are checked newest first; return the first found.
///
/// Ids keep their case, but tokens from addresses come back lower-cased (addresses are
/// case-folded here and by many mail systems), so look tokens up case-insensitively or
/// generate them in lower case.
pub fn reply_token(mail: &ParsedMail) -> Option<String> {
    let mut ids = mail.in_reply_to.iter().chain(mail.references.iter().rev());
    let from_ids = ids.find_map(|id| {
        let (local, host) = id.rsplit_once('@')?;
        let (token, _) = local.strip_prefix("kefu.")?.split_once('.')?;
        (!host.is_empty() && is_token(token)).then(|| token.to_string())
    });
    let mut recipients = mail.to.iter().chain(&mail.cc);
    from_ids.or_else(|| {
        recipients.find_map(|addr| {
            let (local, _) = addr.email.rsplit_once('@')?;
            let (_, tag) = local.split_once('+')?;
            is_token(tag).then(|| tag.to_string())
        })
    })
}

fn is_token(s: &str) -> bool {
    let token_byte = |b: u8| b.is_ascii_alphanumeric() || b == b'_' || b == b'-';
    (16..=64).contains(&s.len()) && s.bytes().all(token_byte)
}

fn clean_id(id: &str) -> String {
    id.trim().trim_matches(['<', '>']).trim().to_string()
}

fn ids(value: &HeaderValue<'_>) -> Vec<String> {
    let list = match value {
        HeaderValue::Text(id) => std::slice::from_ref(id),
        HeaderValue::TextList(ids) => ids.as_slice(),
        _ => &[],
    };
    list.iter()
        .map(|id| clean_id(id))
        .filter(|id| !id.is_empty())
        .collect()
}

/// All usable addresses of every instance of one header (groups flattened).
fn addresses<'a>(values: impl Iterator<Item = &'a HeaderValue<'a>>) -> Vec<Address> {
    let mut out = Vec::new();
    for list in values.filter_map(|v| v.as_address()) {
        for addr in list.iter() {
            let Some(email) = addr.address().map(|e| e.trim().to_lowercase()) else {
                continue;
            };
            // A display name without an address, or a bare word, is nothing we can answer.
            if !email.contains('@') || email.starts_with('@') || email.contains(char::is_whitespace) {
                continue;
            }
            let name = addr.name().map(|n| n.trim().trim_matches('"').trim().to_string());
            let name = name.filter(|n| !n.is_empty());
            out.push(Address { name, email });
        }
    }
    out
}

/// Raw value of the first top-level header `name`, unfolded, trimmed and lower-cased.
/// Raw because mail-parser types some of these (List-*, Return-Path) in ways that lose
/// exactly what we test for, such as an empty `<>`.
fn raw_header(msg: &Message<'_>, name: &str) -> Option<String> {
    let value = String::from_utf8_lossy(raw_value(msg, name)?).replace(['\r', '\n'], " ");
    Some(value.trim().to_ascii_lowercase())
}

fn raw_value<'m>(msg: &'m Message<'_>, name: &str) -> Option<&'m [u8]> {
    let header = msg.headers().iter().find(|h| h.name().eq_ignore_ascii_case(name));
    let header = header?;
    msg.raw_message()
        .get(header.offset_start as usize..header.offset_end as usize)
}

/// First word of a header value, before any parameter or comment.
fn first_word(value: &str) -> &str {
    value.split([';', ' ', '(', ',']).next().unwrap_or("")
}

/// Why these rules: a wrong `Some` means a real customer gets no acknowledgement, a
/// wrong `None` means one extra auto-email to a robot — the worse failure is a mail
/// loop, so every standard machine header counts on its own (RFC 3834 Auto-Submitted,
/// RFC 3464/6522 reports, RFC 2919/2369 list headers, the de-facto Precedence,
/// X-Autoreply/X-Autorespond and Microsoft's X-Auto-Response-Suppress, and the null
/// Return-Path that RFC 5321 reserves for notifications). Subjects ("Out of Office",
/// "自动回复") never count alone: customers write such words ("自动回复收不到"), and real
/// auto-replies carry one of the headers anyway. A subject only picks AutoReply over
/// Bulk when list headers are the sole signal, e.g. a vacation reply relayed by a list.
/// Precedence when several match: Bounce, then AutoReply, then Bulk.
fn automatic(msg: &Message<'_>, from: &Address, subject: &str) -> Option<Automatic> {
    let header = |name: &str| raw_header(msg, name);
    let is_report = msg.root_part().content_type().is_some_and(|ct| {
        ct.ctype().eq_ignore_ascii_case("multipart")
            && ct.subtype().is_some_and(|s| s.eq_ignore_ascii_case("report"))
    });
    let local = from.email.split('@').next().unwrap_or("");
    if is_report || local == "mailer-daemon" || local == "postmaster" {
        return Some(Automatic::Bounce);
    }
    let yes = |v: Option<String>| v.is_some_and(|v| !matches!(first_word(&v), "no" | "false" | ""));
    let precedence = header("precedence").map(|v| first_word(&v).to_string());
    let auto_reply = yes(header("auto-submitted"))
        || yes(header("x-autoreply"))
        || yes(header("x-autorespond"))
        || header("x-auto-response-suppress").is_some_and(|v| v.split(',').any(suppresses_auto_reply))
        || precedence.as_deref() == Some("auto_reply")
        || header("return-path").is_some_and(|v| v.replace(' ', "") == "<>");
    if auto_reply {
        return Some(Automatic::AutoReply);
    }
    let bulk = matches!(precedence.as_deref(), Some("bulk" | "junk" | "list"))
        || header("list-id").is_some()
        || header("list-unsubscribe").is_some();
    let subject = subject.to_lowercase();
    let relayed_auto_reply = AUTO_REPLY_SUBJECTS.split('|').any(|p| subject.contains(p));
    bulk.then_some(if relayed_auto_reply {
        Automatic::AutoReply
    } else {
        Automatic::Bulk
    })
}

const AUTO_REPLY_SUBJECTS: &str = "out of office|automatic reply|auto-reply|autoreply|自动回复|自動回覆";

fn suppresses_auto_reply(value: &str) -> bool {
    matches!(value.trim(), "all" | "oof" | "autoreply")
}

/// (text, sanitised html). HTML parts alone make `html` Some; text-only mail has none.
fn bodies(msg: &Message<'_>) -> (String, Option<String>) {
    let mut text = String::new();
    for part in msg.text_body.iter().filter_map(|&id| msg.part(id)) {
        if let PartType::Text(t) = &part.body {
            let t = redecode(msg, part, t);
            let flowed = part.content_type().and_then(|ct| ct.attribute("format"));
            let t = if flowed.is_some_and(|f| f.eq_ignore_ascii_case("flowed")) {
                let delsp = part.content_type().and_then(|ct| ct.attribute("delsp"));
                Cow::Owned(unflow(&t, delsp.is_some_and(|d| d.eq_ignore_ascii_case("yes"))))
            } else {
                t
            };
            push_block(&mut text, &t);
        }
    }
    let mut source = String::new();
    let mut has_html = false;
    for part in msg.html_body.iter().filter_map(|&id| msg.part(id)) {
        match &part.body {
            PartType::Html(h) => {
                has_html = true;
                source.push_str(&redecode(msg, part, h));
            }
            // A plain part between HTML parts (e.g. a list footer) stays readable as is.
            PartType::Text(t) => source.push_str(&format!("<pre>{}</pre>", ammonia::clean_text(t))),
            _ => {}
        }
    }
    let html = has_html.then(|| html::sanitize(&source));
    // Some clients send an empty text/plain beside the real HTML body.
    if text.trim().is_empty()
        && let Some(h) = &html
    {
        text = html::to_text(h);
    }
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    (text.trim_end().trim_start_matches('\n').to_string(), html)
}

/// mail-parser decodes the charsets it has a name for and reads anything else as lossy
/// UTF-8. Such parts are decoded again here: as Big5 under Microsoft's names for it
/// (cp950, x-big5), else as GB18030 when the bytes are not UTF-8 — the superset of
/// euc-cn/GBK and the likeliest charset of a Chinese customer's mail that did not say.
fn redecode<'t>(msg: &Message<'_>, part: &MessagePart<'_>, text: &'t str) -> Cow<'t, str> {
    // Lossy decoding leaves U+FFFD; without one, mail-parser's text is right.
    if !text.contains('\u{fffd}') {
        return Cow::Borrowed(text);
    }
    decode_part(msg, part).map_or(Cow::Borrowed(text), Cow::Owned)
}

fn decode_part(msg: &Message<'_>, part: &MessagePart<'_>) -> Option<String> {
    let charset = part.content_type().and_then(|ct| ct.attribute("charset"));
    let label = charset.unwrap_or("");
    if charset_decoder(label.as_bytes()).is_some() {
        return None;
    }
    let range = part.offset_body as usize..part.offset_end as usize;
    let body = msg.raw_message().get(range)?;
    let bytes = match part.encoding {
        Encoding::Base64 => base64_decode(body)?,
        Encoding::QuotedPrintable => quoted_printable_decode(body)?,
        Encoding::None => body.to_vec(),
    };
    legacy_decode(&bytes, label)
}

/// `bytes` decoded by `label` (as GB18030 if mail-parser has no decoder for it), or
/// None if they are UTF-8 already or do not decode cleanly.
fn legacy_decode(bytes: &[u8], label: &str) -> Option<String> {
    if std::str::from_utf8(bytes).is_ok() {
        return None;
    }
    // Microsoft's code page names, missing from mail-parser's list.
    let label = match label.to_ascii_lowercase().as_str() {
        "cp950" | "ms950" | "windows-950" | "x-big5" => "big5",
        "cp932" => "shift_jis",
        _ => label,
    };
    let decode = charset_decoder(label.as_bytes()).or_else(|| charset_decoder(b"gb18030"))?;
    let text = decode(bytes);
    (!text.contains('\u{fffd}')).then_some(text)
}

fn push_block(out: &mut String, block: &str) {
    if !out.is_empty() && !out.ends_with('\n') {
        out.push('\n');
    }
    out.push_str(block);
}

/// RFC 3676 format=flowed: a line ending in a space continues on the next line (same
/// quote depth); a leading space is stuffing. Joined paragraphs read and fold better.
fn unflow(text: &str, delsp: bool) -> String {
    let mut out = String::with_capacity(text.len());
    let mut soft_depth = None;
    for line in text.lines() {
        let depth = line.bytes().take_while(|&b| b == b'>').count();
        let body = &line[depth..];
        let body = body.strip_prefix(' ').unwrap_or(body);
        if soft_depth != Some(depth) {
            if !out.is_empty() {
                out.push('\n');
            }
            if depth > 0 {
                out.push_str(&">".repeat(depth));
                out.push(' ');
            }
        }
        let soft = body.ends_with(' ') && body != "-- ";
        out.push_str(body);
        if soft && delsp {
            out.pop();
        }
        soft_depth = soft.then_some(depth);
    }
    out
}

fn attachments(msg: &Message<'_>) -> (Vec<Attachment>, Vec<String>) {
    let (mut kept, mut dropped) = (Vec::new(), Vec::new());
    for (n, part) in msg.attachments.iter().filter_map(|&id| msg.part(id)).enumerate() {
        let content_type = part.content_type().map_or_else(
            || "application/octet-stream".to_string(),
            |ct| format!("{}/{}", ct.ctype(), ct.subtype().unwrap_or("octet-stream")).to_ascii_lowercase(),
        );
        let filename = file_name(part, n + 1, &content_type);
        let bytes = part.contents();
        if bytes.len() > MAX_ATTACHMENT_BYTES {
            dropped.push(filename);
            continue;
        }
        let content_id = part.content_id().map(clean_id).filter(|id| !id.is_empty());
        let inline = match part.content_disposition() {
            Some(cd) => cd.ctype().eq_ignore_ascii_case("inline"),
            // Without a disposition, a Content-ID means "referenced from the HTML".
            None => content_id.is_some(),
        };
        kept.push(Attachment {
            filename,
            content_type,
            bytes: bytes.to_vec(),
            inline,
            content_id,
        });
    }
    (kept, dropped)
}

/// The part's own name made safe to store (no directories, controls or leading dots),
/// else `attachment-N.ext`.
fn file_name(part: &MessagePart<'_>, n: usize, content_type: &str) -> String {
    let given = part.attachment_name().unwrap_or("");
    let base = given.rsplit(['/', '\\']).next().unwrap_or("");
    let clean: String = base.chars().filter(|c| !c.is_control()).collect();
    let mut clean = clean.trim().trim_start_matches('.').trim().to_string();
    while clean.len() > 200 {
        clean.pop();
    }
    if !clean.is_empty() {
        return clean;
    }
    let ext = match content_type.split_once('/').unwrap_or(("", "")) {
        ("message", "rfc822" | "global") => "eml",
        ("message", _) => "txt",
        ("text", "html") => "html",
        ("text", _) => "txt",
        (_, sub) if sub.len() <= 5 && sub.chars().all(|c| c.is_ascii_alphanumeric()) => sub,
        _ => "bin",
    };
    format!("attachment-{n}.{ext}")
}

#[path = "html.rs"]
mod html;

#[cfg(test)]
#[path = "parse_tests.rs"]
mod tests;
