//! The queue as customers see it: their place and about how long until an agent
//! takes them; and giving an agent's chats back to the queue when they leave.

use rusqlite::Connection;

use crate::accounts::AgentId;
use crate::contacts::ContactId;
use crate::conversations::{ConversationId, record_event};
use crate::util::now_ms;

/// How far back the queue's pace is measured.
const PACE_WINDOW_MS: i64 = 60 * 60_000;
/// Fewer assignments than this in the window say too little about the pace.
const PACE_MIN_SAMPLES: i64 = 3;
/// Without a measured pace: one agent frees a place about this often.
const DEFAULT_MS_PER_PLACE: i64 = 4 * 60_000;

/// How long each place in the queue takes to move up, in ms; `None` when nobody is
/// online (nobody will take the conversation until someone comes back).
#[derive(Clone, Copy, Debug)]
pub struct Pace(Option<i64>);

pub fn queue_pace(c: &Connection) -> rusqlite::Result<Pace> {
    let online: i64 = c
        .prepare_cached("SELECT count(*) FROM agents WHERE active = 1 AND availability = 'online'")?
        .query_row([], |r| r.get(0))?;
    if online == 0 {
        return Ok(Pace(None));
    }
    let since = now_ms() - PACE_WINDOW_MS;
    let taken: i64 = c
        .prepare_cached("SELECT count(*) FROM conversation_events WHERE kind = 'assigned' AND at >= ?1")?
        .query_row([since], |r| r.get(0))?;
    Ok(Pace(Some(if taken >= PACE_MIN_SAMPLES {
        PACE_WINDOW_MS / taken
    } else {
        DEFAULT_MS_PER_PLACE / online
    })))
}

/// About how long the customer at `position` (1 = next) waits.
pub fn estimated_wait_ms(pace: Pace, position: i64) -> Option<i64> {
    pace.0.map(|per_place| per_place * position.max(1))
}

/// The queued conversations in the order they will be taken, with their customers.
pub fn queue_order(c: &Connection) -> rusqlite::Result<Vec<(ConversationId, ContactId)>> {
    c.prepare_cached(
        "SELECT id, contact_id FROM conversations WHERE status = 'queued'
         ORDER BY priority DESC, waiting_since IS NULL, waiting_since, id",
    )?
    .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
    .collect()
}

/// The agent went away or offline and the shop wants their chats taken over:
/// their open conversations go back to the queue, keeping how long the customer
/// has waited. Returns them.
pub fn requeue_agent(c: &Connection, agent: AgentId) -> rusqlite::Result<Vec<ConversationId>> {
    let ids: Vec<ConversationId> = c
        .prepare_cached(
            "UPDATE conversations SET status = 'queued', assignee_id = NULL, updated_at = ?2
             WHERE assignee_id = ?1 AND status = 'open' RETURNING id",
        )?
        .query_map(rusqlite::params![agent, now_ms()], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    for id in &ids {
        record_event(
            c,
            *id,
            None,
            "system",
            "requeued",
            serde_json::json!({"agent_id": agent}),
        )?;
    }
    Ok(ids)
}
