//! The widget's HTTP API (see docs/widget-protocol.md). Visitors authenticate with
//! `X-Kefu-Visitor`; nothing here trusts anything else the browser says.

use actix_web::{HttpRequest, HttpResponse, get, post, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::channels::web::{self as channel, SessionRequest, UserIdentity};
use crate::contacts::{self, Details};
use crate::conversations::{self, ConversationSummary, InboundMessage, Message, MessageId, views};
use crate::error::{AppError, AppResult};
use crate::http::AppState;
use crate::http::errors::{ErrorBody, no_content};
use crate::http::extract::{Body, Visitor};
use crate::inboxes::{Inbox, Prechat};
use crate::realtime::{Event, Topic};

/// A message as the customer sees it.
#[derive(Clone, Serialize, ToSchema)]
pub struct VisitorMessage {
    pub id: MessageId,
    pub client_id: Option<String>,
    pub sender: conversations::Sender,
    pub agent_name: Option<String>,
    pub body: String,
    pub created_at: i64,
    pub delivery: conversations::Delivery,
    pub attachment: Option<crate::attachments::Attachment>,
    /// For the bot's messages: what it offers (articles to pick, "solved?" buttons).
    pub bot: Option<conversations::bot::BotMeta>,
}

impl From<&Message> for VisitorMessage {
    fn from(m: &Message) -> Self {
        VisitorMessage {
            id: m.id,
            client_id: m.client_id.clone(),
            sender: m.sender,
            agent_name: m.agent_name.clone(),
            body: m.body.clone(),
            created_at: m.created_at,
            delivery: m.delivery,
            attachment: m.attachment.clone(),
            bot: m.bot.clone(),
        }
    }
}

#[derive(Clone, Serialize, ToSchema)]
pub struct AgentName {
    pub name: String,
}

/// A conversation as the customer sees it.
#[derive(Clone, Serialize, ToSchema)]
pub struct VisitorConversation {
    pub id: conversations::ConversationId,
    pub status: conversations::Status,
    pub agent: Option<AgentName>,
    pub queue_position: Option<i64>,
    /// While queued: about how long until a person takes the chat.
    pub estimated_wait_ms: Option<i64>,
}

impl From<&ConversationSummary> for VisitorConversation {
    fn from(s: &ConversationSummary) -> Self {
        VisitorConversation {
            id: s.id,
            status: s.status,
            agent: s.assignee_name.clone().map(|name| AgentName { name }),
            queue_position: s.queue_position,
            estimated_wait_ms: s.estimated_wait_ms,
        }
    }
}

/// Checked against the inbox's allowed origins; kefu's own frame always may.
fn origin(req: &HttpRequest) -> Option<String> {
    crate::http::extract::foreign_origin(req)
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct ConfigQuery {
    /// The inbox's public token (from the snippet).
    inbox: String,
}

#[derive(Serialize, ToSchema)]
pub struct WidgetInbox {
    name: String,
    greeting: String,
    color: String,
    prechat: Prechat,
    offline_message: String,
    /// The bot answers first.
    bot_enabled: bool,
}

#[derive(Serialize, ToSchema)]
pub struct WidgetConfig {
    inbox: WidgetInbox,
    agents_online: bool,
    /// Typical first-reply time while agents are online; `null` when nobody is.
    reply_estimate_minutes: Option<i64>,
}

fn widget_inbox(i: &Inbox) -> WidgetInbox {
    WidgetInbox {
        name: i.name.clone(),
        greeting: i.greeting.clone(),
        color: i.color.clone(),
        prechat: i.prechat.clone(),
        offline_message: i.offline_message.clone(),
        bot_enabled: i.bot_enabled,
    }
}

/// The inbox's look and whether anyone is online (public).
#[utoipa::path(tag = "widget", params(ConfigQuery), responses((status = 200, body = WidgetConfig),
    (status = 403, body = ErrorBody, description = "`origin_not_allowed`"),
    (status = 404, body = ErrorBody, description = "`inbox_unknown`")))]
#[get("/widget/config")]
pub async fn config(
    req: HttpRequest,
    state: web::Data<AppState>,
    q: web::Query<ConfigQuery>,
) -> AppResult<web::Json<WidgetConfig>> {
    let inbox = channel::inbox_for_widget(&state.db, q.into_inner().inbox, origin(&req)).await?;
    let (online, estimate) = state.db.read(channel::availability).await?;
    Ok(web::Json(WidgetConfig {
        inbox: widget_inbox(&inbox),
        agents_online: online,
        reply_estimate_minutes: online.then_some(estimate),
    }))
}

#[derive(Deserialize, ToSchema)]
pub struct UserBody {
    id: String,
    name: Option<String>,
    email: Option<String>,
    /// Hex HMAC-SHA256 of `id`, keyed with the inbox secret.
    hash: String,
}

#[derive(Deserialize, ToSchema, Default)]
pub struct PrechatBody {
    name: Option<String>,
    email: Option<String>,
    phone: Option<String>,
}

#[derive(Deserialize, ToSchema)]
pub struct PageBody {
    url: Option<String>,
    title: Option<String>,
}

#[derive(Deserialize, ToSchema)]
pub struct SessionBody {
    inbox: String,
    visitor_token: Option<String>,
    user: Option<UserBody>,
    prechat: Option<PrechatBody>,
    page: Option<PageBody>,
    locale: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct ContactView {
    name: String,
    email: Option<String>,
    phone: Option<String>,
}

impl From<contacts::Contact> for ContactView {
    fn from(c: contacts::Contact) -> Self {
        ContactView {
            name: c.name,
            email: c.email,
            phone: c.phone,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct SessionResponse {
    visitor_token: String,
    contact: ContactView,
    conversation: Option<VisitorConversation>,
    messages: Vec<VisitorMessage>,
    agents_online: bool,
    /// With the bot on, for a customer with orders: their latest order and an
    /// offer to check on it. Shown, not stored.
    bot_greeting: Option<String>,
}

fn clip(s: Option<String>, max: usize) -> Option<String> {
    s.map(|v| v.chars().take(max).collect())
}

/// Starts or continues a visitor session (public; returns the visitor token).
#[utoipa::path(tag = "widget", request_body = SessionBody, responses((status = 200, body = SessionResponse),
    (status = 400, body = ErrorBody), (status = 403, body = ErrorBody, description = "`identity_invalid`, `origin_not_allowed`"),
    (status = 404, body = ErrorBody, description = "`inbox_unknown`")))]
#[post("/widget/session")]
pub async fn session(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Json<SessionBody>,
) -> AppResult<web::Json<SessionResponse>> {
    let b = body.into_inner();
    let prechat_submitted = b.prechat.is_some();
    let p = b.prechat.unwrap_or_default();
    let page = b.page.map(|pg| match (pg.title, pg.url) {
        (Some(t), Some(u)) if !t.is_empty() => format!("{t} — {u}"),
        (_, Some(u)) => u,
        (t, None) => t.unwrap_or_default(),
    });
    let details = Details {
        name: clip(p.name, 100),
        email: clip(p.email, 254),
        phone: clip(p.phone, 40),
        locale: b
            .locale
            .and_then(|l| crate::i18n::Lang::from_tag(&l))
            .map(|l| l.tag().to_string()),
        page: clip(page, 500),
    };
    let user = b.user.map(|u| UserIdentity {
        id: u.id,
        name: clip(u.name, 100),
        email: clip(u.email, 254),
        hash: u.hash,
    });
    let request = SessionRequest {
        inbox_token: b.inbox,
        visitor_token: b.visitor_token,
        user,
        details,
        prechat_submitted,
        origin: origin(&req),
    };
    let (token, visitor, inbox) = channel::start_session(&state.db, request).await?;
    let (contact, conversation, messages, (online, _), bot_greeting) = state
        .db
        .read(move |c| {
            let contact = contacts::contact_by_id(c, visitor.contact_id)?
                .ok_or_else(|| AppError::not_found("not_found"))?;
            let conversation = views::current_for_contact(c, visitor.contact_id, inbox.id)?;
            let messages = views::recent_messages_for_contact(c, visitor.contact_id, inbox.id, 50)?;
            let greeting = match inbox.bot_enabled {
                true => {
                    let lang = contacts::language_of(c, Some(&contact))?;
                    crate::bot::orders::greeting(c, visitor.contact_id, lang)?
                }
                false => None,
            };
            Ok((
                contact,
                conversation,
                messages,
                channel::availability(c)?,
                greeting,
            ))
        })
        .await?;
    Ok(web::Json(SessionResponse {
        visitor_token: token,
        contact: ContactView::from(contact),
        conversation: conversation.as_ref().map(Into::into),
        messages: messages.iter().map(Into::into).collect(),
        agents_online: online,
        bot_greeting,
    }))
}

#[derive(Deserialize, ToSchema)]
pub struct SendBody {
    /// Chosen by the widget, unique per message (1–64 characters).
    client_id: String,
    /// May be empty when an image is attached.
    #[serde(default)]
    body: String,
    /// From `POST /api/widget/attachments`.
    attachment_id: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct SentMessage {
    message: VisitorMessage,
    conversation: VisitorConversation,
}

/// Sends a customer message; idempotent per `client_id` (201 new, 200 already stored).
#[utoipa::path(tag = "widget", request_body = SendBody, responses((status = 201, body = SentMessage),
    (status = 200, body = SentMessage, description = "Already stored under this client_id"),
    (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 429, body = ErrorBody)),
    security(("visitor" = [])))]
#[post("/widget/messages")]
pub async fn send(
    state: web::Data<AppState>,
    visitor: Visitor,
    body: Body<SendBody>,
) -> AppResult<HttpResponse> {
    let body = body.parse()?;
    let b = body.into_inner();
    let attachment = b.attachment_id.map(crate::attachments::AttachmentId);
    let (sent, duplicate) = send_message(&state, &visitor.0, b.client_id, b.body, attachment).await?;
    let mut res = if duplicate {
        HttpResponse::Ok()
    } else {
        HttpResponse::Created()
    };
    Ok(res.json(sent))
}

/// Shared by the HTTP endpoint and the websocket.
pub(crate) async fn send_message(
    state: &AppState,
    visitor: &channel::Visitor,
    client_id: String,
    body: String,
    attachment: Option<crate::attachments::AttachmentId>,
) -> AppResult<(SentMessage, bool)> {
    state.flood.check(visitor.contact_id)?;
    let v = visitor.clone();
    let missing = state
        .db
        .read(move |c| {
            let inbox = crate::inboxes::inbox_by_id(c, v.inbox_id)?
                .ok_or_else(|| AppError::not_found("inbox_unknown"))?;
            let contact =
                contacts::contact_by_id(c, v.contact_id)?.ok_or_else(|| AppError::not_found("not_found"))?;
            Ok(channel::missing_prechat_field(&inbox, &contact, v.identified))
        })
        .await?;
    if let Some(field) = missing {
        return Err(AppError::bad_request("prechat_required").with("field", field));
    }
    let inbound = InboundMessage {
        inbox_id: visitor.inbox_id,
        contact_id: visitor.contact_id,
        body,
        external_id: Some(client_id),
        attachment,
    };
    let ingested = conversations::ingest(&state.db, &state.hub, &state.router, inbound).await?;
    let mut conversation = ingested.conversation;
    if !ingested.duplicate && conversation.status == conversations::Status::Bot {
        let bot = state.bot();
        if let Err(e) = crate::bot::chat::on_customer_message(&bot, &ingested.message).await {
            // The message is stored; a person must see it rather than nobody.
            tracing::warn!(error = ?e, "the bot could not reply; handing over");
            conversations::request_human(&state.db, &state.hub, visitor.contact_id).await?;
        }
        let id = conversation.id;
        conversation = state.db.read(move |c| views::summary(c, id)).await?;
    }
    let sent = SentMessage {
        message: (&ingested.message).into(),
        conversation: (&conversation).into(),
    };
    Ok((sent, ingested.duplicate))
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct MessagesQuery {
    /// Return messages with a larger id (0 for all).
    #[serde(default)]
    after: i64,
    /// Wait up to this many seconds (1–25) for something new: a long poll.
    wait: Option<u64>,
}

#[derive(Serialize, ToSchema)]
pub struct MessageList {
    messages: Vec<VisitorMessage>,
    conversation: Option<VisitorConversation>,
}

/// Messages after `after`, oldest first; with `wait`, a long poll.
#[utoipa::path(tag = "widget", params(MessagesQuery), responses((status = 200, body = MessageList),
    (status = 401, body = ErrorBody)), security(("visitor" = [])))]
#[get("/widget/messages")]
pub async fn poll(
    state: web::Data<AppState>,
    visitor: Visitor,
    q: web::Query<MessagesQuery>,
) -> AppResult<web::Json<MessageList>> {
    let v = visitor.0;
    let after = MessageId(q.after.max(0));
    // Subscribe before reading so nothing published in between is missed.
    let mut events = state.hub.subscribe(Topic::Contact(v.contact_id));
    let fetch = |db: crate::db::Db, v: channel::Visitor| async move {
        db.read(move |c| {
            let messages = views::messages_for_contact(c, v.contact_id, v.inbox_id, after, 200)?;
            let conversation = views::current_for_contact(c, v.contact_id, v.inbox_id)?;
            Ok((messages, conversation))
        })
        .await
    };
    let (mut messages, mut conversation) = fetch(state.db.clone(), v.clone()).await?;
    if let Some(wait) = q.wait.map(|w| w.clamp(1, 25))
        && messages.is_empty()
    {
        let deadline = tokio::time::sleep(std::time::Duration::from_secs(wait));
        tokio::pin!(deadline);
        loop {
            tokio::select! {
                () = &mut deadline => break,
                ev = events.recv() => match ev.as_deref().map(|p| &p.event) {
                    Ok(Event::Message { .. } | Event::Conversation(_)) | Err(_) => {
                        (messages, conversation) = fetch(state.db.clone(), v.clone()).await?;
                        break;
                    }
                    Ok(_) => {}
                },
            }
        }
    }
    Ok(web::Json(MessageList {
        messages: messages.iter().map(Into::into).collect(),
        conversation: conversation.as_ref().map(Into::into),
    }))
}

#[derive(Deserialize, ToSchema)]
pub struct TypingBody {
    typing: bool,
}

/// The customer is (not) typing.
#[utoipa::path(tag = "widget", request_body = TypingBody, responses((status = 204), (status = 401, body = ErrorBody)),
    security(("visitor" = [])))]
#[post("/widget/typing")]
pub async fn set_typing(
    state: web::Data<AppState>,
    visitor: Visitor,
    body: Body<TypingBody>,
) -> AppResult<HttpResponse> {
    let body = body.parse()?;
    channel::customer_typing(&state.db, &state.hub, &visitor.0, body.typing).await?;
    Ok(no_content())
}

#[derive(Deserialize, ToSchema)]
pub struct ReadBody {
    up_to: i64,
}

/// The customer has read agent messages up to `up_to`.
#[utoipa::path(tag = "widget", request_body = ReadBody, responses((status = 204), (status = 401, body = ErrorBody)),
    security(("visitor" = [])))]
#[post("/widget/read")]
pub async fn mark_read(
    state: web::Data<AppState>,
    visitor: Visitor,
    body: Body<ReadBody>,
) -> AppResult<HttpResponse> {
    let body = body.parse()?;
    conversations::mark_read_by_contact(&state.db, &state.hub, visitor.0.contact_id, MessageId(body.up_to))
        .await?;
    Ok(no_content())
}

#[derive(Serialize, ToSchema)]
pub struct HandoffResponse {
    conversation: Option<VisitorConversation>,
}

/// "Talk to a human".
#[utoipa::path(tag = "widget", responses((status = 200, body = HandoffResponse), (status = 401, body = ErrorBody)),
    security(("visitor" = [])))]
#[post("/widget/handoff")]
pub async fn handoff(state: web::Data<AppState>, visitor: Visitor) -> AppResult<web::Json<HandoffResponse>> {
    let conv = crate::bot::chat::human_requested(&state.bot(), &visitor.0).await?;
    Ok(web::Json(HandoffResponse {
        conversation: conv.as_ref().map(Into::into),
    }))
}

#[derive(Deserialize, ToSchema)]
pub struct EmailBody {
    email: String,
}

#[derive(Serialize, ToSchema)]
pub struct EmailResponse {
    contact: ContactView,
}

/// Where to send the answer while nobody is online.
#[utoipa::path(tag = "widget", request_body = EmailBody, responses((status = 200, body = EmailResponse),
    (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)), security(("visitor" = [])))]
#[post("/widget/email")]
pub async fn save_email(
    state: web::Data<AppState>,
    visitor: Visitor,
    body: Body<EmailBody>,
) -> AppResult<web::Json<EmailResponse>> {
    let body = body.parse()?;
    let email = crate::accounts::validate_email(&body.email)?;
    let id = visitor.0.contact_id;
    let contact = state
        .db
        .write(move |c| {
            contacts::update_details(
                c,
                id,
                &Details {
                    email: Some(email),
                    ..Details::default()
                },
            )?;
            contacts::contact_by_id(c, id)?.ok_or_else(|| AppError::not_found("not_found"))
        })
        .await?;
    Ok(web::Json(EmailResponse {
        contact: ContactView::from(contact),
    }))
}

/// Upload an image (PNG, JPEG, GIF or WebP, at most 5 MiB) to send in a message.
#[utoipa::path(tag = "widget", request_body(content = Vec<u8>, content_type = "image/*"),
    responses((status = 201, body = crate::attachments::Attachment),
        (status = 413, body = ErrorBody, description = "`image_too_large`"),
        (status = 415, body = ErrorBody, description = "`not_an_image`"), (status = 401, body = ErrorBody),
        (status = 429, body = ErrorBody, description = "`uploads_slow_down`: more than 10 images in 5 minutes")),
    security(("visitor" = [])))]
#[post("/widget/attachments")]
pub async fn upload(
    state: web::Data<AppState>,
    visitor: Visitor,
    body: web::Payload,
) -> AppResult<HttpResponse> {
    state.upload_flood.check(visitor.0.contact_id)?;
    let bytes = super::attachments::upload_body(body).await?;
    let uploader = crate::attachments::Uploader::Contact(visitor.0.contact_id);
    let stored =
        crate::attachments::store(&state.db, state.config.attachments_dir(), bytes, uploader).await?;
    Ok(HttpResponse::Created().json(stored))
}
