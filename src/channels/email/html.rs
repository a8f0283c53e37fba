//! HTML of incoming mail: sanitising it for display and deriving plain text from it.
//!
//! A private part of `parse.rs`, kept apart because it is the one piece that knows
//! about HTML rather than mail.

use std::sync::LazyLock;

/// Sanitised `html`, safe to show in the agent console.
pub(super) fn sanitize(html: &str) -> String {
    SANITIZER.clean(html).to_string().trim().to_string()
}

/// CSS properties kept in `style` attributes: layout and colour only, nothing that can
/// load a URL or lay content over the page (no background/url(), position, content).
const STYLE_PROPERTIES: &str = "color background-color font-weight font-style font-size font-family \
    text-align text-decoration line-height margin padding border border-collapse width max-width height \
    vertical-align white-space";

/// ammonia's defaults drop script/style/event handlers and non-allow-listed URL schemes
/// (javascript:, data:). On top: relative URLs mean nothing in a mail, and remote images
/// are tracking pixels, so only `cid:` image sources (parts of this mail) survive.
static SANITIZER: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
    let mut b = ammonia::Builder::default();
    b.add_url_schemes(&["cid"])
        .url_relative(ammonia::UrlRelative::Deny)
        .add_generic_attributes(&["style"])
        .filter_style_properties(STYLE_PROPERTIES.split_whitespace().collect())
        .attribute_filter(|element, attribute, value| {
            let cid = value
                .trim_start()
                .get(..4)
                .is_some_and(|s| s.eq_ignore_ascii_case("cid:"));
            let remote = element == "img" && attribute == "src" && !cid;
            (!remote).then(|| value.into())
        });
    b
});

/// Plain text of already sanitised HTML (html5ever serialisation: every `<` in text is
/// escaped and only `&amp; &lt; &gt; &quot; &nbsp;` occur), so a small scanner is enough.
pub(super) fn to_text(html: &str) -> String {
    let mut out = String::new();
    let mut rest = html;
    while let Some(lt) = rest.find('<') {
        push_html_text(&mut out, &rest[..lt]);
        let tag_len = tag_length(&rest[lt..]);
        let tag = &rest[lt + 1..lt + tag_len];
        let closing = tag.starts_with('/');
        let name = tag
            .trim_start_matches('/')
            .split([' ', '/', '>', '\t', '\n'])
            .next()
            .unwrap_or("");
        match name.to_ascii_lowercase().as_str() {
            "br" => out.push('\n'),
            "p" | "h1" | "h2" | "h3" | "h4" | "h5" | "h6" | "table" | "blockquote" | "ul" | "ol" => {
                end_line(&mut out);
                if closing {
                    out.push('\n');
                }
            }
            "div" | "tr" | "pre" | "hr" => end_line(&mut out),
            "li" if !closing => {
                end_line(&mut out);
                out.push_str("- ");
            }
            "td" | "th" if closing => out.push(' '),
            _ => {}
        }
        rest = &rest[lt + tag_len..];
    }
    push_html_text(&mut out, rest);
    let mut text = String::new();
    let mut blank = 0;
    for line in out.lines().map(str::trim) {
        blank = if line.is_empty() { blank + 1 } else { 0 };
        if blank < 2 {
            text.push_str(line);
            text.push('\n');
        }
    }
    text.trim().to_string()
}

/// Bytes up to and including the `>` that ends the tag at the start of `s`.
fn tag_length(s: &str) -> usize {
    let mut quote = None;
    for (i, c) in s.char_indices().skip(1) {
        match (quote, c) {
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), _) if q == c => quote = None,
            (None, '>') => return i + 1,
            _ => {}
        }
    }
    s.len()
}

fn end_line(out: &mut String) {
    if !out.is_empty() && !out.ends_with('\n') {
        out.push('\n');
    }
}

fn push_html_text(out: &mut String, raw: &str) {
    let decoded = raw
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&nbsp;", " ")
        .replace("&amp;", "&");
    // Source line breaks and runs of spaces are one space, and none at a line start.
    for c in decoded.chars() {
        if !c.is_ascii_whitespace() {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with([' ', '\n']) {
            out.push(' ');
        }
    }
}
