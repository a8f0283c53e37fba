//! The bot in the chat. A customer message in a conversation the bot holds gets
//! its reply in the same transaction as the turn that records it: an answer with
//! "solved / not solved" buttons, up to three articles to pick from, an order's
//! state, a request to say it differently, or a handoff to a person with a
//! summary note. See docs/bot.md for the rules.

use rusqlite::{Connection, OptionalExtension};

use super::{Decision, HandoffReason, orders, summary, triggers};
use crate::channels::web::Visitor;
use crate::conversations::bot::{
    self as held, BotKind, BotMeta, Feedback, HeldConversation, OfferedArticle, Outcome,
};
use crate::conversations::{ConversationId, ConversationSummary, Message, MessageId, views};
use crate::db::Db;
use crate::error::{AppError, AppResult};
use crate::i18n::{self, Lang};
use crate::kb::{ArticleId, Engine, markdown};
use crate::realtime::Hub;

/// Unanswered turns in one session after which the bot hands over.
pub const UNANSWERED_BEFORE_HANDOFF: i64 = 2;

/// What the bot works with.
pub struct BotDeps<'a> {
    pub db: &'a Db,
    pub hub: &'a Hub,
    pub engine: &'a Engine,
    /// Public address, for article links.
    pub base_url: String,
}

impl BotDeps<'_> {
    /// The owned parts a database closure needs.
    fn owned(&self) -> Owned {
        Owned {
            engine: self.engine.clone(),
            base_url: self.base_url.clone(),
        }
    }
}

struct Owned {
    engine: Engine,
    base_url: String,
}

/// What one step of the bot wrote, to publish once committed.
struct Reaction {
    conversation: ConversationId,
    messages: Vec<MessageId>,
    changed: Vec<ConversationId>,
}

impl Reaction {
    fn new(conversation: ConversationId) -> Reaction {
        Reaction {
            conversation,
            messages: Vec::new(),
            changed: vec![conversation],
        }
    }
}

/// Who the bot talks to, in which language, with which handoff words.
struct Talk<'a> {
    conv: &'a HeldConversation,
    lang: Lang,
    handoff_words: Vec<String>,
    engine: &'a Engine,
    base_url: &'a str,
}

impl<'a> Talk<'a> {
    fn load(
        c: &Connection,
        conv: &'a HeldConversation,
        engine: &'a Engine,
        base_url: &'a str,
    ) -> AppResult<Self> {
        let contact = crate::contacts::contact_by_id(c, conv.contact_id)?;
        let lang = crate::contacts::language_of(c, contact.as_ref())?;
        let handoff_words = crate::inboxes::inbox_by_id(c, conv.inbox_id)?
            .map(|i| i.handoff_words)
            .unwrap_or_default();
        Ok(Talk {
            conv,
            lang,
            handoff_words,
            engine,
            base_url,
        })
    }

    fn text(&self, key: &str) -> String {
        i18n::text(self.lang, key)
    }
}

/// After a customer message is stored: the bot replies if it holds the conversation.
pub async fn on_customer_message(deps: &BotDeps<'_>, message: &Message) -> AppResult<()> {
    let (conv, id, body) = (message.conversation_id, message.id, message.body.clone());
    let d = deps.owned();
    let reaction = deps
        .db
        .write(move |c| {
            let Some(conv) = held::held_by_bot(c, conv)? else {
                return Ok(None);
            };
            let talk = Talk::load(c, &conv, &d.engine, &d.base_url)?;
            respond(c, &talk, id, &body).map(Some)
        })
        .await?;
    if let Some(r) = reaction
        && let Err(e) = publish(deps, r).await
    {
        // Committed already; the customer gets it on their next fetch.
        tracing::warn!(error = ?e, "cannot load the bot's messages to publish");
    }
    Ok(())
}

fn respond(c: &Connection, talk: &Talk, message: MessageId, text: &str) -> AppResult<Reaction> {
    let mut out = Reaction::new(talk.conv.id);
    let text: String = text.trim().chars().take(super::QUESTION_MAX_CHARS).collect();
    if text.is_empty() {
        // A picture alone: the bot cannot read it.
        unanswered(c, talk, message, &text, 0.0, &mut out)?;
        return Ok(out);
    }
    if triggers::is_thanks(&text) && last_turn_answered(c, talk.conv)? {
        out.messages.push(held::say(
            c,
            talk.conv,
            &talk.text("bot.thanks"),
            &BotMeta::new(BotKind::Resolved),
            false,
        )?);
        record(c, talk, message, &text, Turn::plain(BotKind::Resolved))?;
        held::close(c, talk.conv, Outcome::Resolved, "customer_thanked")?;
        return Ok(out);
    }
    let reply = super::reply(
        c,
        talk.engine,
        talk.base_url,
        Some(talk.conv.inbox_id),
        &text,
        Some(talk.lang),
        &talk.handoff_words,
    )?;
    // Routing flags a conversation whose messages keep turning negative, even when
    // no single one reads as angry; the shop may want a person to take it then.
    let trending_negative = || -> AppResult<bool> {
        Ok(crate::routing::settings::load(c)?.negative_hands_over
            && c.prepare_cached("SELECT negative FROM conversations WHERE id = ?1")?
                .query_row([talk.conv.id], |r| r.get::<_, bool>(0))?)
    };
    let reason = match reply.reason {
        None if trending_negative()? => Some(HandoffReason::Upset),
        other => other,
    };
    if let Some(reason @ (HandoffReason::AskedForPerson | HandoffReason::Upset)) = reason {
        let name = reason_name(reason);
        record(
            c,
            talk,
            message,
            &text,
            Turn::plain(BotKind::Handoff).because(name),
        )?;
        handoff(c, talk, name, &mut out)?;
        return Ok(out);
    }
    if let Some(order) = orders::reply(c, talk.conv.contact_id, &text, talk.lang)? {
        let mut meta = BotMeta::new(order.kind);
        meta.reason = None;
        out.messages
            .push(held::say(c, talk.conv, &order.body, &meta, false)?);
        record(c, talk, message, &text, Turn::plain(order.kind))?;
        return Ok(out);
    }
    let offered: Vec<OfferedArticle> = reply
        .articles
        .iter()
        .map(|a| OfferedArticle {
            article_id: a.article_id,
            title: a.title.clone(),
            url: a.url.clone(),
        })
        .collect();
    let ids: Vec<ArticleId> = offered.iter().map(|a| a.article_id).collect();
    let turn = |kind| Turn {
        kind,
        reason: None,
        confidence: reply.confidence,
        articles: ids.clone(),
    };
    match reply.decision {
        Decision::Answer => {
            let a = &reply.articles[0];
            let body = answer_text(&a.text, &a.url);
            let mut meta = BotMeta::new(BotKind::Answer);
            meta.articles = offered;
            out.messages.push(held::say(c, talk.conv, &body, &meta, false)?);
            record(c, talk, message, &text, turn(BotKind::Answer))?;
        }
        Decision::Suggest => {
            let mut meta = BotMeta::new(BotKind::Suggest);
            meta.articles = offered;
            out.messages
                .push(held::say(c, talk.conv, &talk.text("bot.suggest"), &meta, false)?);
            record(c, talk, message, &text, turn(BotKind::Suggest))?;
        }
        Decision::Handoff => unanswered(c, talk, message, &text, reply.confidence, &mut out)?,
    }
    Ok(out)
}

/// An answer in chat: the article's text, then a link to its page.
fn answer_text(text: &str, url: &str) -> String {
    format!("{text}\n\n{url}")
}

fn reason_name(r: HandoffReason) -> &'static str {
    match r {
        HandoffReason::AskedForPerson => "asked_for_person",
        HandoffReason::Upset => "upset",
        HandoffReason::NoAnswer => "no_answer",
    }
}

/// Nothing fitted: ask to say it differently, or hand over after the second time.
fn unanswered(
    c: &Connection,
    talk: &Talk,
    message: MessageId,
    text: &str,
    confidence: f64,
    out: &mut Reaction,
) -> AppResult<()> {
    let mut turn = Turn::plain(BotKind::Retry);
    turn.confidence = confidence;
    let terms = if text.is_empty() {
        Vec::new()
    } else {
        talk.engine.analyzer(c)?.query_tokens(text)
    };
    insert_turn(c, talk, Some(message), text, &turn, true, &terms)?;
    let count: i64 = c
        .prepare_cached(
            "SELECT count(*) FROM bot_turns WHERE conversation_id = ?1 AND unanswered = 1 AND at >= ?2",
        )?
        .query_row(rusqlite::params![talk.conv.id, talk.conv.started_at], |r| {
            r.get(0)
        })?;
    if count >= UNANSWERED_BEFORE_HANDOFF {
        return handoff(c, talk, "no_answer", out);
    }
    let key = if text.is_empty() {
        "bot.retry_picture"
    } else {
        "bot.retry"
    };
    out.messages.push(held::say(
        c,
        talk.conv,
        &talk.text(key),
        &BotMeta::new(BotKind::Retry),
        false,
    )?);
    Ok(())
}

/// Tells the customer a person takes over (and when, outside business hours),
/// leaves the agent a summary, and queues the conversation.
fn handoff(c: &Connection, talk: &Talk, reason: &str, out: &mut Reaction) -> AppResult<()> {
    let mut meta = BotMeta::new(BotKind::Handoff);
    meta.reason = Some(reason.to_string());
    let notice = summary::handoff_notice(c, talk.conv.contact_id, talk.lang)?;
    out.messages.push(held::say(c, talk.conv, &notice, &meta, false)?);
    let note = summary::note(c, talk.conv, reason)?;
    meta.kind = BotKind::Summary;
    out.messages.push(held::say(c, talk.conv, &note, &meta, true)?);
    out.changed.extend(held::hand_over(c, talk.conv, reason)?);
    Ok(())
}

/// A turn to record.
struct Turn {
    kind: BotKind,
    reason: Option<&'static str>,
    confidence: f64,
    articles: Vec<ArticleId>,
}

impl Turn {
    fn plain(kind: BotKind) -> Turn {
        Turn {
            kind,
            reason: None,
            confidence: 0.0,
            articles: Vec::new(),
        }
    }
    fn because(mut self, reason: &'static str) -> Turn {
        self.reason = Some(reason);
        self
    }
}

fn record(c: &Connection, talk: &Talk, message: MessageId, question: &str, turn: Turn) -> AppResult<()> {
    insert_turn(c, talk, Some(message), question, &turn, false, &[])
}

fn insert_turn(
    c: &Connection,
    talk: &Talk,
    message: Option<MessageId>,
    question: &str,
    turn: &Turn,
    unanswered: bool,
    terms: &[String],
) -> AppResult<()> {
    let kind = serde_json::to_value(turn.kind).map_err(AppError::internal)?;
    c.prepare_cached(
        "INSERT INTO bot_turns (conversation_id, message_id, question, locale, kind, reason, confidence,
             articles, unanswered, terms, at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
    )?
    .execute(rusqlite::params![
        talk.conv.id,
        message,
        question,
        talk.lang.tag(),
        kind.as_str().unwrap_or_default(),
        turn.reason,
        turn.confidence,
        serde_json::json!(turn.articles).to_string(),
        unanswered,
        serde_json::json!(terms).to_string(),
        crate::util::now_ms(),
    ])?;
    Ok(())
}

/// Whether the bot's last turn in this session answered something.
fn last_turn_answered(c: &Connection, conv: &HeldConversation) -> rusqlite::Result<bool> {
    let kind: Option<String> = c
        .prepare_cached(
            "SELECT kind FROM bot_turns WHERE conversation_id = ?1 AND at >= ?2 ORDER BY id DESC LIMIT 1",
        )?
        .query_row(rusqlite::params![conv.id, conv.started_at], |r| r.get(0))
        .optional()?;
    Ok(matches!(kind.as_deref(), Some("answer" | "order")))
}

/// What the customer's tap changed: the updated message and the conversation.
pub type Tapped = (Message, ConversationSummary);

/// A tap on a button under the bot's `message`: the message must be the visitor's
/// and pass `check` (its kind, not tapped yet; what it yields goes to `act`), and
/// the bot must still hold the conversation. `act` answers and updates the meta,
/// which is saved in the same transaction.
async fn tap<T, C, A>(
    deps: &BotDeps<'_>,
    visitor: &Visitor,
    message: MessageId,
    check: C,
    act: A,
) -> AppResult<Tapped>
where
    T: Send + 'static,
    C: FnOnce(&BotMeta) -> AppResult<T> + Send + 'static,
    A: FnOnce(&Connection, &Talk, &mut BotMeta, T, &mut Reaction) -> AppResult<()> + Send + 'static,
{
    let (contact, inbox) = (visitor.contact_id, visitor.inbox_id);
    let d = deps.owned();
    let r = deps
        .db
        .write(move |c| {
            let (conv_id, mut meta) = held::bot_message_of(c, message, contact, inbox)?;
            let checked = check(&meta)?;
            let conv =
                held::held_by_bot(c, conv_id)?.ok_or_else(|| AppError::conflict("bot_not_in_charge"))?;
            let talk = Talk::load(c, &conv, &d.engine, &d.base_url)?;
            let mut out = Reaction::new(conv.id);
            out.messages.push(message);
            act(c, &talk, &mut meta, checked, &mut out)?;
            held::write_meta(c, message, &meta)?;
            Ok(out)
        })
        .await?;
    let (messages, summary) = publish(deps, r).await?;
    let tapped = messages
        .into_iter()
        .find(|m| m.id == message)
        .ok_or_else(|| AppError::not_found("not_found"))?;
    Ok((tapped, summary))
}

/// "Solved" or "not solved, talk to a person" under an answer.
pub async fn feedback(
    deps: &BotDeps<'_>,
    visitor: &Visitor,
    message: MessageId,
    solved: bool,
) -> AppResult<Tapped> {
    let check = |meta: &BotMeta| {
        if !matches!(meta.kind, BotKind::Answer | BotKind::Order) {
            return Err(AppError::not_found("not_found"));
        }
        if meta.feedback.is_some() {
            return Err(AppError::conflict("bot_feedback_given"));
        }
        Ok(())
    };
    let act = move |c: &Connection, talk: &Talk, meta: &mut BotMeta, (): (), out: &mut Reaction| {
        if solved {
            meta.feedback = Some(Feedback::Solved);
            let bye = BotMeta::new(BotKind::Resolved);
            out.messages
                .push(held::say(c, talk.conv, &talk.text("bot.solved"), &bye, false)?);
            held::close(c, talk.conv, Outcome::Resolved, "customer_confirmed")?;
            Ok(())
        } else {
            meta.feedback = Some(Feedback::Unsolved);
            handoff(c, talk, "unsolved", out)
        }
    };
    tap(deps, visitor, message, check, act).await
}

/// The customer picked one of the offered articles: the bot answers with it.
pub async fn pick(
    deps: &BotDeps<'_>,
    visitor: &Visitor,
    message: MessageId,
    article: ArticleId,
) -> AppResult<Tapped> {
    let check = move |meta: &BotMeta| {
        if meta.kind != BotKind::Suggest {
            return Err(AppError::not_found("not_found"));
        }
        if meta.picked.is_some() {
            return Err(AppError::conflict("bot_offer_taken"));
        }
        meta.articles
            .iter()
            .find(|a| a.article_id == article)
            .cloned()
            .ok_or_else(|| AppError::bad_request("article_not_offered"))
    };
    let act =
        move |c: &Connection, talk: &Talk, meta: &mut BotMeta, offer: OfferedArticle, out: &mut Reaction| {
            let body: String = c
                .prepare_cached("SELECT body FROM kb_articles WHERE id = ?1 AND status = 'published'")?
                .query_row([article], |r| r.get(0))
                .map_err(|_| AppError::not_found("not_found"))?;
            meta.picked = Some(article);
            let text = answer_text(&markdown::to_text(&body), &offer.url);
            let mut answer = BotMeta::new(BotKind::Answer);
            answer.articles = vec![offer.clone()];
            out.messages.push(held::say(c, talk.conv, &text, &answer, false)?);
            let mut turn = Turn::plain(BotKind::Answer);
            turn.articles = vec![article];
            turn.confidence = 1.0;
            insert_turn(c, talk, None, &offer.title, &turn, false, &[])
        };
    tap(deps, visitor, message, check, act).await
}

/// "Talk to a human" from the widget: the bot hands over with its summary; a
/// conversation the bot does not hold goes to the queue as before.
pub async fn human_requested(
    deps: &BotDeps<'_>,
    visitor: &Visitor,
) -> AppResult<Option<ConversationSummary>> {
    let (contact, inbox) = (visitor.contact_id, visitor.inbox_id);
    let d = deps.owned();
    let r = deps
        .db
        .write(move |c| {
            let Some(id) = views::current_for_contact(c, contact, inbox)?.map(|s| s.id) else {
                return Ok(None);
            };
            let Some(conv) = held::held_by_bot(c, id)? else {
                return Ok(None);
            };
            let talk = Talk::load(c, &conv, &d.engine, &d.base_url)?;
            let mut out = Reaction::new(conv.id);
            handoff(c, &talk, "button", &mut out)?;
            Ok(Some(out))
        })
        .await?;
    match r {
        Some(r) => Ok(Some(publish(deps, r).await?.1)),
        None => crate::conversations::request_human(deps.db, deps.hub, contact).await,
    }
}

/// Publishes what a committed step wrote; returns the messages and the
/// conversation as published.
async fn publish(deps: &BotDeps<'_>, r: Reaction) -> AppResult<(Vec<Message>, ConversationSummary)> {
    held::publish(deps.db, deps.hub, r.conversation, r.messages, r.changed).await
}

/// Closes the bot's conversations that went quiet for `idle_ms`: resolved when its
/// last turn answered, abandoned otherwise.
pub async fn settle_idle(deps: &BotDeps<'_>, idle_ms: i64) -> AppResult<u64> {
    let changed = deps
        .db
        .write(move |c| {
            let mut changed = Vec::new();
            for conv in held::idle_since(c, crate::util::now_ms() - idle_ms)? {
                let outcome = if last_turn_answered(c, &conv)? {
                    Outcome::Resolved
                } else {
                    Outcome::Abandoned
                };
                held::close(c, &conv, outcome, "bot_idle")?;
                changed.push(conv.id);
            }
            Ok(changed)
        })
        .await?;
    let n = changed.len() as u64;
    crate::conversations::publish_summaries(deps.db, deps.hub, changed, None).await;
    Ok(n)
}
