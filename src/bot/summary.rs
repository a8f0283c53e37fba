//! What the bot tells the customer when it hands over (when people are back,
//! outside business hours) and the note it leaves the agent: what was asked,
//! which articles were tried, and why it handed over.

use rusqlite::Connection;

use crate::contacts::ContactId;
use crate::conversations::bot::HeldConversation;
use crate::error::AppResult;
use crate::i18n::{self, Lang};

/// Customer questions and tried articles the note lists at most.
const NOTE_ITEMS: usize = 5;
/// Characters of each question the note keeps.
const NOTE_QUESTION_CHARS: usize = 80;

/// "A person takes over": now, or when business hours begin again, and where the
/// answer goes if the customer leaves.
pub fn handoff_notice(c: &Connection, contact: ContactId, lang: Lang) -> AppResult<String> {
    let now = crate::util::now_ms();
    let schedule = crate::sla::hours::schedule(c)?;
    let email = crate::contacts::contact_by_id(c, contact)?.and_then(|ct| ct.email);
    if !schedule.is_open(now) {
        let back = crate::settings::format_time(c, schedule.next_open(now))?;
        return Ok(match email {
            Some(email) => i18n::format(
                lang,
                "bot.handoff_closed_email",
                &[("time", back), ("email", email)],
            ),
            None => i18n::format(lang, "bot.handoff_closed", &[("time", back)]),
        });
    }
    let (online, _) = crate::channels::web::availability(c)?;
    Ok(match (online, email) {
        (true, _) => i18n::text(lang, "bot.handoff"),
        (false, Some(email)) => i18n::format(lang, "bot.handoff_nobody_email", &[("email", email)]),
        (false, None) => i18n::text(lang, "bot.handoff_nobody"),
    })
}

/// The private note for the agent, in the shop's language.
pub fn note(c: &Connection, conv: &HeldConversation, reason: &str) -> AppResult<String> {
    let lang = crate::settings::shop(c)?.default_locale;
    let mut asked: Vec<String> = c
        .prepare_cached(
            "SELECT body FROM messages WHERE conversation_id = ?1 AND sender_kind = 'contact'
               AND created_at >= ?2 AND trim(body) != '' ORDER BY id DESC LIMIT ?3",
        )?
        .query_map(
            rusqlite::params![conv.id, conv.started_at, NOTE_ITEMS as i64],
            |r| r.get::<_, String>(0),
        )?
        .collect::<rusqlite::Result<_>>()?;
    asked.reverse();
    let tried: Vec<String> = c
        .prepare_cached(
            "SELECT a.title FROM kb_articles a WHERE a.id IN (
                 SELECT DISTINCT j.value FROM bot_turns t, json_each(t.articles) j
                 WHERE t.conversation_id = ?1 AND t.at >= ?2)
             ORDER BY a.id LIMIT ?3",
        )?
        .query_map(
            rusqlite::params![conv.id, conv.started_at, NOTE_ITEMS as i64],
            |r| r.get(0),
        )?
        .collect::<rusqlite::Result<_>>()?;
    let quote = |q: &String| {
        let clipped: String = q.chars().take(NOTE_QUESTION_CHARS).collect();
        let more = if q.chars().count() > NOTE_QUESTION_CHARS {
            "…"
        } else {
            ""
        };
        i18n::format(
            lang,
            "bot.note_quote",
            &[("text", format!("{}{more}", clipped.replace('\n', " ")))],
        )
    };
    let asked = if asked.is_empty() {
        i18n::text(lang, "bot.note_none")
    } else {
        asked.iter().map(quote).collect::<Vec<_>>().join(" ")
    };
    let tried = if tried.is_empty() {
        i18n::text(lang, "bot.note_none")
    } else {
        tried.join(i18n::text(lang, "bot.note_separator").as_str())
    };
    Ok(i18n::format(
        lang,
        "bot.note",
        &[
            ("reason", i18n::text(lang, &format!("bot.reason_{reason}"))),
            ("asked", asked),
            ("tried", tried),
        ],
    ))
}
