//! The two websockets: the console's (`/api/ws`, session cookie) and the widget's
//! (`/api/widget/ws?visitor=…`). Each renders hub events in its own view; the
//! widget's never carries private notes. Malformed frames get an error frame and
//! the connection stays open.

use std::sync::Arc;
use std::time::{Duration, Instant};

use actix_web::{HttpRequest, HttpResponse, get, web};
use actix_ws::{AggregatedMessage, Session};
use serde::Deserialize;
use serde_json::json;
use tokio::sync::broadcast::error::RecvError;

use super::AppState;
use super::extract::{SessionAgent, foreign_origin, request_lang, state as app_state};
use super::handlers::conversations::agent_typing;
use super::handlers::widget::{VisitorConversation, VisitorMessage, send_message};
use crate::channels::web::{self as channel, Visitor};
use crate::conversations::{self, ConversationId, MessageId};
use crate::error::{AppError, AppResult};
use crate::i18n::Lang;
use crate::realtime::{Event, Published, Topic};

const PING_EVERY: Duration = Duration::from_secs(30);
const SILENCE_LIMIT: Duration = Duration::from_secs(90);
const MAX_FRAME: usize = 64 * 1024;

/// The server is stopping; clients reconnect (to the restarted server) and refetch.
fn going_away() -> actix_ws::CloseReason {
    actix_ws::CloseReason {
        code: actix_ws::CloseCode::Away,
        description: Some("server restarting".into()),
    }
}

fn error_frame(e: &AppError, lang: Lang, client_id: Option<&str>) -> String {
    json!({"type": "error", "code": e.code, "message": e.message(lang), "client_id": client_id}).to_string()
}

/// The console's live feed.
#[utoipa::path(tag = "realtime", responses((status = 101, description = "Websocket; see docs/widget-protocol.md"),
    (status = 401, body = super::errors::ErrorBody)), security(("session" = [])))]
#[get("/ws")]
pub async fn agent_socket(
    req: HttpRequest,
    body: web::Payload,
    me: SessionAgent,
) -> Result<HttpResponse, actix_web::Error> {
    // Refuses cross-site handshakes carrying the console's cookie.
    if foreign_origin(&req).is_some() {
        return Err(AppError::forbidden("csrf_failed").into());
    }
    let state = app_state(&req);
    let lang = request_lang(&req);
    let (response, session, stream) = actix_ws::handle(&req, body)?;
    let stream = stream.aggregate_continuations().max_continuation_size(MAX_FRAME);
    let closing = state.closing.subscribe();
    let events = state.hub.subscribe(Topic::Agents);
    let role = AgentRole {
        state,
        agent: me.agent_id,
        lang,
        events,
    };
    actix_web::rt::spawn(run_socket(role, closing, lang, session, stream));
    Ok(response)
}

#[derive(Deserialize)]
#[serde(tag = "type", rename_all = "lowercase")]
enum AgentFrame {
    Typing { conversation_id: i64, typing: bool },
    Ping,
}

fn agent_view(event: &Event) -> Option<String> {
    let v = match event {
        Event::Message {
            message,
            conversation,
        } => {
            json!({"type": "message", "conversation_id": conversation.id, "message": message, "conversation": conversation})
        }
        Event::Conversation(summary) => json!({"type": "conversation", "conversation": summary}),
        Event::Typing {
            conversation_id,
            agent: None,
            typing,
        } => {
            json!({"type": "typing", "conversation_id": conversation_id, "typing": typing})
        }
        Event::Typing {
            conversation_id,
            agent: Some((id, name)),
            typing,
        } => {
            json!({"type": "typing", "conversation_id": conversation_id, "typing": typing, "agent_id": id, "agent_name": name})
        }
        Event::Delivery {
            conversation_id,
            up_to,
            delivery,
            of_contact,
        } => json!({
            "type": "delivery", "conversation_id": conversation_id, "up_to": up_to, "delivery": delivery,
            "of": if *of_contact { "contact" } else { "agent" },
        }),
        Event::Presence { .. } => return None,
        Event::Notifications => json!({"type": "notifications"}),
        Event::TicketsChanged => json!({"type": "tickets"}),
    };
    Some(v.to_string())
}

/// What differs between the console's socket and the widget's.
trait Role {
    /// Answers a text frame (or says nothing).
    async fn on_text(&mut self, text: &str) -> Option<String>;
    /// The next hub event for this socket.
    async fn next_event(&mut self) -> Result<Arc<Published>, RecvError>;
    /// The frame this socket sends for an event, rendered once per view.
    fn render(&mut self, event: &Published) -> Option<Arc<str>>;
}

struct AgentRole {
    state: web::Data<AppState>,
    agent: crate::accounts::AgentId,
    lang: Lang,
    events: Events,
}

impl Role for AgentRole {
    async fn on_text(&mut self, text: &str) -> Option<String> {
        match serde_json::from_str::<AgentFrame>(text) {
            Ok(AgentFrame::Ping) => Some(json!({"type": "pong"}).to_string()),
            Ok(AgentFrame::Typing {
                conversation_id,
                typing,
            }) => agent_typing(&self.state, self.agent, ConversationId(conversation_id), typing)
                .await
                .err()
                .map(|e| error_frame(&e, self.lang, None)),
            Err(e) => Some(error_frame(
                &AppError::bad_request("frame_invalid").with("detail", e),
                self.lang,
                None,
            )),
        }
    }

    async fn next_event(&mut self) -> Result<Arc<Published>, RecvError> {
        self.events.recv().await
    }

    fn render(&mut self, event: &Published) -> Option<Arc<str>> {
        event.agent_frame(agent_view)
    }
}

/// Serves one websocket until either side closes, the peer falls silent, or the
/// server stops (then with "going away").
async fn run_socket(
    mut role: impl Role,
    mut closing: tokio::sync::watch::Receiver<bool>,
    lang: Lang,
    mut session: Session,
    mut stream: actix_ws::AggregatedMessageStream,
) {
    let mut ping = tokio::time::interval(PING_EVERY);
    let mut heard = Instant::now();
    loop {
        tokio::select! {
            frame = stream.recv() => {
                heard = Instant::now();
                let reply = match frame {
                    Some(Ok(AggregatedMessage::Text(text))) => role.on_text(&text).await,
                    Some(Ok(AggregatedMessage::Binary(_))) => Some(error_frame(
                        &AppError::bad_request("frame_invalid").with("detail", "binary frames are not used"), lang, None)),
                    Some(Ok(AggregatedMessage::Ping(bytes))) => {
                        if session.pong(&bytes).await.is_err() { break }
                        None
                    }
                    Some(Ok(AggregatedMessage::Close(_))) | None => break,
                    Some(Err(e)) => {
                        // An oversized or broken frame: say so, then close (the protocol state is unknown).
                        let _ = session.text(error_frame(
                            &AppError::bad_request("frame_invalid").with("detail", e), lang, None)).await;
                        break;
                    }
                    Some(Ok(_)) => None,
                };
                if let Some(r) = reply && session.text(r).await.is_err() { break }
            }
            event = role.next_event() => match event {
                Ok(ev) => {
                    if let Some(frame) = role.render(&ev) && session.text(&*frame).await.is_err() { break }
                }
                Err(RecvError::Lagged(_)) => {
                    if session.text(json!({"type": "resync"}).to_string()).await.is_err() { break }
                }
                Err(RecvError::Closed) => break,
            },
            _ = ping.tick() => {
                if heard.elapsed() > SILENCE_LIMIT || session.ping(b"").await.is_err() { break }
            }
            _ = closing.wait_for(|c| *c) => {
                let _ = session.close(Some(going_away())).await;
                return;
            }
        }
    }
    let _ = session.close(None).await;
}

type Events = tokio::sync::broadcast::Receiver<Arc<Published>>;

/// The visitor's own events, or a presence change for every widget.
async fn next_visitor_event(own: &mut Events, presence: &mut Events) -> Result<Arc<Published>, RecvError> {
    tokio::select! {
        ev = own.recv() => ev,
        ev = presence.recv() => match ev {
            // Missing a presence change is harmless: the next one says the truth.
            Err(RecvError::Lagged(_)) => Box::pin(next_visitor_event(own, presence)).await,
            other => other,
        },
    }
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct VisitorQuery {
    /// The visitor token from `POST /api/widget/session`.
    visitor: String,
    /// `zh-CN` or `en`: the widget's language, for error texts (else `Accept-Language`).
    lang: Option<String>,
}

/// The widget's live connection.
#[utoipa::path(tag = "widget", params(VisitorQuery), responses((status = 101, description = "Websocket; see docs/widget-protocol.md"),
    (status = 401, body = super::errors::ErrorBody, description = "`visitor_unknown`")))]
#[get("/widget/ws")]
pub async fn visitor_socket(
    req: HttpRequest,
    body: web::Payload,
    q: web::Query<VisitorQuery>,
) -> Result<HttpResponse, actix_web::Error> {
    let state = app_state(&req);
    let q = q.into_inner();
    let visitor = channel::authenticate(&state.db, q.visitor).await?;
    let lang = q
        .lang
        .as_deref()
        .and_then(Lang::from_tag)
        .unwrap_or_else(|| request_lang(&req));
    let (response, session, stream) = actix_ws::handle(&req, body)?;
    let stream = stream.aggregate_continuations().max_continuation_size(MAX_FRAME);
    let closing = state.closing.subscribe();
    let own = state.hub.subscribe(Topic::Contact(visitor.contact_id));
    let presence = state.hub.subscribe(Topic::Visitors);
    let role = VisitorRole {
        state,
        visitor,
        lang,
        own,
        presence,
        last_conversation: None,
    };
    actix_web::rt::spawn(run_socket(role, closing, lang, session, stream));
    Ok(response)
}

#[derive(Deserialize)]
#[serde(tag = "type", rename_all = "lowercase")]
enum VisitorFrame {
    Message {
        client_id: String,
        #[serde(default)]
        body: String,
        attachment_id: Option<i64>,
    },
    Typing {
        typing: bool,
    },
    Read {
        up_to: i64,
    },
    Ping,
}

fn visitor_view(event: &Event) -> Option<String> {
    let v = match event {
        Event::Message { message, .. } if !message.private => {
            json!({"type": "message", "message": VisitorMessage::from(message)})
        }
        Event::Conversation(summary) => {
            json!({"type": "conversation", "conversation": VisitorConversation::from(summary)})
        }
        Event::Typing {
            agent: Some((_, name)),
            typing,
            ..
        } => {
            json!({"type": "typing", "typing": typing, "agent_name": name})
        }
        Event::Delivery {
            up_to,
            delivery,
            of_contact: true,
            ..
        } => {
            json!({"type": "delivery", "up_to": up_to, "delivery": delivery})
        }
        Event::Presence { agents_online } => json!({"type": "presence", "agents_online": agents_online}),
        _ => return None,
    };
    Some(v.to_string())
}

async fn handle_visitor_frame(state: &AppState, visitor: &Visitor, lang: Lang, text: &str) -> Option<String> {
    let frame = match serde_json::from_str::<VisitorFrame>(text) {
        Ok(f) => f,
        Err(e) => {
            return Some(error_frame(
                &AppError::bad_request("frame_invalid").with("detail", e),
                lang,
                None,
            ));
        }
    };
    let result: AppResult<Option<String>> = match frame {
        VisitorFrame::Ping => Ok(Some(json!({"type": "pong"}).to_string())),
        VisitorFrame::Message {
            client_id,
            body,
            attachment_id,
        } => {
            let attachment = attachment_id.map(crate::attachments::AttachmentId);
            match send_message(state, visitor, client_id.clone(), body, attachment).await {
                Ok((sent, _)) => Ok(Some(
                    json!({"type": "ack", "client_id": client_id, "message": serde_json::to_value(&sent)
                        .ok().and_then(|v| v.get("message").cloned())})
                    .to_string(),
                )),
                Err(e) => return Some(error_frame(&e, lang, Some(&client_id))),
            }
        }
        VisitorFrame::Typing { typing } => channel::customer_typing(&state.db, &state.hub, visitor, typing)
            .await
            .map(|()| None),
        VisitorFrame::Read { up_to } => {
            conversations::mark_read_by_contact(&state.db, &state.hub, visitor.contact_id, MessageId(up_to))
                .await
                .map(|()| None)
        }
    };
    result.unwrap_or_else(|e| Some(error_frame(&e, lang, None)))
}

struct VisitorRole {
    state: web::Data<AppState>,
    visitor: Visitor,
    lang: Lang,
    own: Events,
    presence: Events,
    last_conversation: Option<Arc<str>>,
}

impl Role for VisitorRole {
    async fn on_text(&mut self, text: &str) -> Option<String> {
        handle_visitor_frame(&self.state, &self.visitor, self.lang, text).await
    }

    async fn next_event(&mut self) -> Result<Arc<Published>, RecvError> {
        next_visitor_event(&mut self.own, &mut self.presence).await
    }

    fn render(&mut self, event: &Published) -> Option<Arc<str>> {
        let frame = event.visitor_frame(visitor_view)?;
        if let Event::Conversation(_) = event.event {
            // Every message republishes its conversation; the widget only needs to
            // hear when the status, the agent or the queue position changed.
            if self.last_conversation.as_ref() == Some(&frame) {
                return None;
            }
            self.last_conversation = Some(frame.clone());
        }
        Some(frame)
    }
}
