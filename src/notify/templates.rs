//! Email templates: `assets/email/<lang>/<name>.txt` (a `Subject:` line, a blank
//! line, the text body) and `<name>.html` (the HTML body), rendered with minijinja.
//! A file of the same name under `<data>/email/` replaces the built-in one, so a
//! shop can reword its mail without rebuilding.

use std::path::PathBuf;

use minijinja::value::Value;
use minijinja::{AutoEscape, Environment, Error as TemplateError, ErrorKind};
use serde::Serialize;

use crate::assets::Assets;
use crate::i18n::Lang;

/// Every template kefu sends, for checks and the docs.
pub const NAMES: &[&str] = &[
    "ticket_created",
    "public_reply",
    "status_changed",
    "ticket_solved",
    "agent_invite",
    "password_reset",
    "conversation_transcript",
    "offline_answer",
    "agent_notification",
];

/// One email, ready for the outbox.
#[derive(Debug, Clone, PartialEq)]
pub struct Rendered {
    pub subject: String,
    pub text: String,
    pub html: Option<String>,
}

pub struct Templates {
    env: Environment<'static>,
}

impl Templates {
    /// Templates from `overrides` (if the file exists there) or the built-in ones.
    pub fn new(overrides: PathBuf) -> Templates {
        let mut env = Environment::new();
        env.set_loader(move |name| {
            if name.contains("..") {
                return Ok(None);
            }
            match std::fs::read_to_string(overrides.join(name)) {
                Ok(text) => return Ok(Some(text)),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => {
                    return Err(TemplateError::new(
                        ErrorKind::TemplateNotFound,
                        format!("cannot read the override {name}: {e}"),
                    ));
                }
            }
            Ok(Assets::get(&format!("email/{name}"))
                .and_then(|f| String::from_utf8(f.data.into_owned()).ok()))
        });
        env.set_auto_escape_callback(|name| {
            if name.ends_with(".html") {
                AutoEscape::Html
            } else {
                AutoEscape::None
            }
        });
        env.add_filter("paragraphs", paragraphs);
        Templates { env }
    }

    /// Renders `name` in `lang` (English when that language lacks the template).
    /// `context` is merged over `{shop: {name}, lang}`.
    pub fn render(
        &self,
        name: &str,
        lang: Lang,
        shop_name: &str,
        context: impl Serialize,
    ) -> anyhow::Result<Rendered> {
        let lang = if self
            .env
            .get_template(&format!("{}/{name}.txt", lang.tag()))
            .is_ok()
        {
            lang
        } else {
            Lang::En
        };
        let ctx = minijinja::context! {
            shop => minijinja::context! { name => shop_name },
            lang => lang.tag(),
            ..Value::from_serialize(&context)
        };
        let text = self
            .env
            .get_template(&format!("{}/{name}.txt", lang.tag()))?
            .render(&ctx)?;
        let (subject, body) = split_subject(&text)
            .ok_or_else(|| anyhow::anyhow!("email template {name}.txt must start with a `Subject:` line"))?;
        let html = match self.env.get_template(&format!("{}/{name}.html", lang.tag())) {
            Ok(t) => Some(t.render(&ctx)?),
            Err(e) if e.kind() == ErrorKind::TemplateNotFound => None,
            Err(e) => return Err(e.into()),
        };
        Ok(Rendered {
            subject,
            text: body,
            html,
        })
    }
}

/// `Subject: …`, then a blank line, then the body. Everything before the blank line
/// is the subject, folded to one line: a value inside it may hold a line break.
fn split_subject(text: &str) -> Option<(String, String)> {
    let text = text.trim_start_matches('\u{feff}').replace("\r\n", "\n");
    let (head, body) = text.split_once("\n\n")?;
    let subject = head.strip_prefix("Subject:")?;
    let subject = subject.split_whitespace().collect::<Vec<_>>().join(" ");
    Some((subject, body.trim_end().to_string() + "\n"))
}

/// Customer and agent text in HTML mail: escaped, blank lines make paragraphs,
/// single line breaks stay line breaks.
fn paragraphs(text: &str) -> Value {
    let escaped = minijinja::HtmlEscape(text).to_string();
    let html: Vec<String> = escaped
        .replace("\r\n", "\n")
        .split("\n\n")
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| format!("<p style=\"margin:0 0 12px\">{}</p>", p.replace('\n', "<br>")))
        .collect();
    Value::from_safe_string(html.join("\n"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn subject_line_is_split_and_folded() {
        let (s, b) = split_subject("Subject: [#1001]  退款\n\nHello\n\n").unwrap();
        assert_eq!(s, "[#1001] 退款");
        assert_eq!(b, "Hello\n");
        let (s, b) = split_subject("Subject: [#1002] 两行\n的主题\n\nBody").unwrap();
        assert_eq!((s.as_str(), b.as_str()), ("[#1002] 两行 的主题", "Body\n"));
        assert!(split_subject("Hello\n\nbody").is_none());
    }

    #[test]
    fn paragraphs_escape_and_break_lines() {
        let v = paragraphs("a <b>&\nc\n\nd");
        assert_eq!(
            v.to_string(),
            "<p style=\"margin:0 0 12px\">a &lt;b&gt;&amp;<br>c</p>\n<p style=\"margin:0 0 12px\">d</p>"
        );
    }

    #[test]
    fn an_override_in_the_data_dir_wins() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("en")).unwrap();
        std::fs::write(
            dir.path().join("en/password_reset.txt"),
            "Subject: Reset for {{ agent.name }} at {{ shop.name }}\n\nGo: {{ reset.link }}\n",
        )
        .unwrap();
        let t = Templates::new(dir.path().to_path_buf());
        let r = t
            .render(
                "password_reset",
                Lang::En,
                "Tea <Shop>",
                json!({"agent": {"name": "Li"}, "reset": {"link": "https://x/#/reset/abc", "expires_at": "soon"}}),
            )
            .unwrap();
        assert_eq!(r.subject, "Reset for Li at Tea <Shop>");
        assert_eq!(r.text, "Go: https://x/#/reset/abc\n");
    }

    /// Every variable any template uses, with text that must be escaped in HTML.
    fn sample() -> serde_json::Value {
        let user = "退款 <script>alert(1)</script> & \"quotes\"\nsecond line";
        json!({
            "contact": {"name": "王小明"},
            "agent": {"name": "李客服"},
            "ticket": {"number": 1001, "subject": "退款没到账", "request": user, "status": "pending",
                       "status_label": "等待您回复"},
            "status_url": "https://kefu.shop.example/s/tok",
            "reply": {"body": user, "agent_name": "李客服"},
            "reopen_days": 7,
            "invite": {"link": "https://kefu.shop.example/#/invite/x", "inviter_name": "王店主",
                       "role_label": "客服", "expires_at": "2026-11-30 10:00"},
            "reset": {"link": "https://kefu.shop.example/#/reset/y", "expires_at": "2026-11-24 10:00"},
            "conversation": {"id": 7, "started_at": "2026-11-23 09:00"},
            "messages": [{"sender_name": "王小明", "at": "09:00", "body": user, "from_customer": true},
                         {"sender_name": "李客服", "at": "09:01", "body": "好的", "from_customer": false}],
            "question": user,
            "notification": {"kind": "sla_warning", "title": "#1001 退款没到账", "excerpt": user,
                             "due": "2026-11-24 14:00", "link": "https://kefu.shop.example/#/tickets/1"},
        })
    }

    #[test]
    fn every_template_renders_in_both_languages_and_escapes_user_text() {
        let t = Templates::new(std::path::PathBuf::from("/nonexistent"));
        for name in NAMES {
            for lang in Lang::ALL {
                let r = t
                    .render(name, lang, "小王的店", sample())
                    .unwrap_or_else(|e| panic!("{name} ({lang:?}): {e:#}"));
                assert!(
                    !r.subject.is_empty() && !r.subject.contains('\n'),
                    "{name}: {r:?}"
                );
                let html = r.html.as_deref().unwrap_or_else(|| panic!("{name} has no HTML"));
                for out in [r.text.as_str(), html] {
                    assert!(!out.contains("{{") && !out.contains("{%"), "{name}: {out}");
                }
                assert!(
                    !html.contains("<script>"),
                    "{name} ({lang:?}) does not escape: {html}"
                );
                assert!(html.contains("小王的店"), "{name}: shop name missing");
            }
        }
    }
}
