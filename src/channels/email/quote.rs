//! Folding of quoted history and signatures in a customer's mail text, for display.
//!
//! Owns where the new part of a reply ends: everything from the first reply marker,
//! attribution line ("On … wrote:", "在 … 写道："), "Original Message" separator,
//! Outlook header block, trailing `>` quote, signature separator or mobile signature
//! goes behind "…". Works on plain text only (`ParsedMail::text`); nothing is lost,
//! the folded part is returned too.

/// `folded` is the quoted history/signature hidden behind "…".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Folded {
    pub visible: String,
    pub folded: Option<String>,
}

/// Splits `text` (LF or CRLF) into what the customer wrote now and what folds away.
pub fn fold(text: &str) -> Folded {
    let lines: Vec<&str> = text.lines().collect();
    let mut cut = (0..lines.len())
        .find(|&i| starts_history(&lines, i))
        .unwrap_or(lines.len());
    // Signatures and quotes sit at the end of what is left; each may uncover another
    // (a "Sent from my iPhone" above a trailing quote), so repeat until nothing moves.
    loop {
        let before = cut;
        if let Some(sig) = lines[..cut].iter().position(|l| *l == "-- " || *l == "--") {
            cut = sig;
        }
        if let Some(quote) = trailing_quote(&lines[..cut]) {
            cut = quote;
        }
        if let Some(last) = lines[..cut].iter().rposition(|l| !l.trim().is_empty())
            && is_mobile_signature(lines[last])
        {
            cut = last;
        }
        if cut == before {
            break;
        }
    }
    let visible = lines[..cut].join("\n").trim_end().to_string();
    // Never fold everything: a mail that is all quote (a forward, a bare "-- ") stays whole.
    if visible.trim().is_empty() {
        return Folded {
            visible: lines.join("\n").trim_end().to_string(),
            folded: None,
        };
    }
    let folded = lines[cut..].join("\n").trim_end().to_string();
    Folded {
        visible,
        folded: (!folded.is_empty()).then_some(folded),
    }
}

/// Does quoted history begin at line `i`?
fn starts_history(lines: &[&str], i: usize) -> bool {
    let line = lines[i];
    if let Some(start) = line.find("##-")
        && line[start..].contains("-##")
    {
        return true;
    }
    if is_separator(line) || header_block_at(lines, i) {
        return true;
    }
    // Outlook draws a rule of underscores above its header block.
    let rule = line.trim();
    if rule.len() >= 8
        && rule.chars().all(|c| c == '_')
        && i + 1 < lines.len()
        && header_block_at(lines, i + 1)
    {
        return true;
    }
    let here = line.trim();
    if here.is_empty() || here.starts_with('>') {
        return false;
    }
    // Attributions are long and clients wrap them, so also try this line joined to the
    // next; if the next is a whole attribution by itself, this line is the customer's,
    // unless it is the dangling "Name <address>" head of a wrapped Gmail line.
    is_attribution(here)
        || lines.get(i + 1).is_some_and(|next| {
            let next = next.trim();
            !next.is_empty()
                && (!is_attribution(next) || here.ends_with('>'))
                && is_attribution(&format!("{here} {next}"))
        })
}

fn is_attribution(line: &str) -> bool {
    if line.starts_with("On ") && line.ends_with("wrote:") {
        return true;
    }
    // Chinese clients: "在 2026年1月1日 10:00，张三 <a@b> 写道：" (Foxmail, QQ, 163) and
    // Gmail's "张三 <a@b> 于2026年1月1日周四 10:00写道：". A date digit plus a leading 在,
    // "于<date>" (not the 于 of 关于) or an address keep a customer's "他写道：" out.
    let zh = ["写道：", "写道:", "寫道：", "寫道:"]
        .iter()
        .any(|end| line.ends_with(end));
    let yu_date = line.match_indices('于').any(|(i, _)| {
        line[i + '于'.len_utf8()..]
            .trim_start()
            .starts_with(|c: char| c.is_ascii_digit())
    });
    zh && line.contains(|c: char| c.is_ascii_digit())
        && (line.starts_with('在') || yu_date || line.contains('@'))
}

/// "-----Original Message-----", "----- 原始邮件 -----", QQ's "----------- 原始邮件 -----------".
fn is_separator(line: &str) -> bool {
    let t = line.trim();
    let core = t.trim_matches(|c: char| c == '-' || c.is_whitespace());
    t.starts_with("--")
        && t.ends_with("--")
        && (core.eq_ignore_ascii_case("original message")
            || ["原始邮件", "原始郵件", "Ursprüngliche Nachricht"].contains(&core))
}

/// Name of a "Field: value" line, lower-cased; tolerates `*From:*` and full-width colons.
fn field(line: &str) -> Option<String> {
    let l = line.trim_start().trim_start_matches('*');
    let colon = l.find([':', '：'])?;
    let name = l[..colon].trim().trim_end_matches('*').trim();
    (name.chars().count() <= 12).then(|| name.to_lowercase())
}

/// Outlook's "From: … / Sent: …" ("发件人: … / 发送时间: …") block at line `i`. A
/// forwarded block looks the same but is content the customer wants us to read.
fn header_block_at(lines: &[&str], i: usize) -> bool {
    let is_from =
        field(lines[i]).is_some_and(|f| ["from", "发件人", "寄件者", "寄件人"].contains(&f.as_str()));
    let has_sent = lines.iter().skip(i + 1).take(4).any(|l| {
        field(l)
            .is_some_and(|f| ["sent", "date", "发送时间", "日期", "时间", "寄件日期"].contains(&f.as_str()))
    });
    let forwarded = lines[..i]
        .iter()
        .rev()
        .find(|l| !l.trim().is_empty())
        .is_some_and(|l| {
            let l = l.to_lowercase();
            l.contains("forwarded message") || l.contains("转发") || l.contains("轉寄")
        });
    is_from && has_sent && !forwarded
}

/// Start of a run of `>` lines (blank lines allowed) that reaches the end of `lines`.
fn trailing_quote(lines: &[&str]) -> Option<usize> {
    let mut start = None;
    for (i, line) in lines.iter().enumerate().rev() {
        let t = line.trim_start();
        if t.starts_with('>') {
            start = Some(i);
        } else if !t.is_empty() {
            break;
        }
    }
    start
}

fn is_mobile_signature(line: &str) -> bool {
    let t = line.trim();
    let lower = t.to_lowercase();
    t.chars().count() <= 60
        && (["sent from ", "get outlook for ", "sent via "]
            .iter()
            .any(|p| lower.starts_with(p))
            || ["发自我的", "来自我的", "寄自我的", "從我的", "傳送自我的"]
                .iter()
                .any(|p| t.starts_with(p))
            || (t.starts_with("从我的") && t.ends_with("发送")))
}

#[cfg(test)]
#[path = "quote_tests.rs"]
mod tests;
