//! Article bodies: Markdown as the shop writes it, shown as sanitised HTML.
//! Raw HTML in the Markdown passes through pulldown-cmark untouched, so ammonia
//! is what keeps scripts, iframes, event handlers and `javascript:` links out.

use std::sync::LazyLock;

use pulldown_cmark::{Options, Parser, html};

static SANITIZER: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
    let mut b = ammonia::Builder::default();
    b.url_schemes(["http", "https", "mailto", "tel"].into_iter().collect())
        .link_rel(Some("noopener noreferrer nofollow"))
        // Links to other help pages (`/help/…`) are fine; other relative forms are not.
        .url_relative(ammonia::UrlRelative::PassThrough);
    b
});

/// Markdown → HTML safe to put in a page.
pub fn to_html(markdown: &str) -> String {
    let options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TASKLISTS;
    let mut raw = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut raw, Parser::new_ext(markdown, options));
    SANITIZER.clean(&raw).to_string()
}

/// The body as plain text (for answers in chat and for snippets): Markdown
/// syntax dropped, paragraphs and list items kept on their own lines. Raw HTML
/// is dropped, and with it the text inside an inline `<script>` or `<style>`.
pub fn to_text(markdown: &str) -> String {
    use pulldown_cmark::{Event, Tag, TagEnd};
    let mut out = String::new();
    let mut in_raw_code = false;
    for event in Parser::new_ext(markdown, Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH) {
        match event {
            Event::InlineHtml(tag) => {
                let tag = tag.to_ascii_lowercase();
                if tag.starts_with("<script") || tag.starts_with("<style") {
                    in_raw_code = true;
                } else if tag.starts_with("</script") || tag.starts_with("</style") {
                    in_raw_code = false;
                }
            }
            _ if in_raw_code => {}
            Event::Text(t) | Event::Code(t) => out.push_str(&t),
            Event::SoftBreak | Event::HardBreak => out.push('\n'),
            Event::Start(Tag::Item) => out.push_str("• "),
            Event::End(TagEnd::Paragraph | TagEnd::Item | TagEnd::Heading(_) | TagEnd::TableRow) => {
                out.push('\n')
            }
            Event::End(TagEnd::TableCell) => out.push_str("  "),
            _ => {}
        }
    }
    let lines: Vec<&str> = out
        .lines()
        .map(str::trim_end)
        .filter(|l| !l.trim().is_empty())
        .collect();
    lines.join("\n")
}

/// The start of the body as one line of plain text, cut at `chars` with "…".
pub fn summary(markdown: &str, chars: usize) -> String {
    let text = to_text(markdown).replace('\n', " ");
    if text.chars().count() <= chars {
        return text;
    }
    let mut cut: String = text.chars().take(chars).collect();
    cut.push('…');
    cut
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts_iframes_and_handlers_are_removed() {
        let html = to_html(
            "Hi <script>alert(1)</script><iframe src=\"https://x.test\"></iframe>\n\n\
             <img src=x onerror=alert(2)> [a](javascript:alert(3)) **bold**",
        );
        for bad in ["<script", "alert(1)", "<iframe", "onerror", "javascript:"] {
            assert!(!html.contains(bad), "{bad} survived in {html}");
        }
        assert!(html.contains("<strong>bold</strong>"), "{html}");
    }

    #[test]
    fn links_open_safely_and_lists_render() {
        let html = to_html("- one\n- [shop](https://shop.example)\n");
        assert!(html.contains("<li>one</li>"), "{html}");
        assert!(html.contains("rel=\"noopener noreferrer nofollow\""), "{html}");
    }

    #[test]
    fn plain_text_drops_raw_html_and_scripts() {
        let text = to_text("Hi <script>alert(1)</script> there <b>bold</b>\n\n<div>block</div>\n\nend");
        assert_eq!(text, "Hi  there bold\nend");
    }

    #[test]
    fn plain_text_keeps_lines_and_drops_syntax() {
        let text = to_text("**当天16:00前付款**当天发货。\n\n- **顺丰**：次日达\n- 中通：3天");
        assert_eq!(text, "当天16:00前付款当天发货。\n• 顺丰：次日达\n• 中通：3天");
    }
}
