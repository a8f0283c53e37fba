//! Round-robin assignment. Runs inside the writer's transaction, so two events can
//! never hand the same conversation to two agents or push an agent over capacity:
//! every dispatch sees the effects of the one before it.

use rusqlite::{Connection, OptionalExtension};

use crate::accounts::{AgentId, TeamId};
use crate::conversations::ConversationId;
use crate::util::now_ms;

/// Statuses that count against an agent's concurrent-conversation limit.
const BUSY: &str = "('open', 'pending')";

fn any_capacity(c: &Connection) -> rusqlite::Result<bool> {
    c.prepare_cached(&format!(
        "SELECT EXISTS (SELECT 1 FROM agents a WHERE a.active = 1 AND a.availability = 'online'
           AND (SELECT count(*) FROM conversations v WHERE v.assignee_id = a.id AND v.status IN {BUSY}) < a.max_concurrent)"
    ))?
    .query_row([], |r| r.get(0))
}

/// The online agent with free capacity who was assigned longest ago, from `team`
/// when it has members (anyone when it has none or no team is set).
fn next_agent(c: &Connection, team: Option<TeamId>) -> rusqlite::Result<Option<AgentId>> {
    c.prepare_cached(&format!(
        "SELECT a.id FROM agents a WHERE a.active = 1 AND a.availability = 'online'
           AND (SELECT count(*) FROM conversations v WHERE v.assignee_id = a.id AND v.status IN {BUSY}) < a.max_concurrent
           AND (?1 IS NULL OR NOT EXISTS (SELECT 1 FROM team_members m WHERE m.team_id = ?1)
                OR a.id IN (SELECT m.agent_id FROM team_members m WHERE m.team_id = ?1))
         ORDER BY a.last_assigned_at, a.id LIMIT 1"
    ))?
    .query_row([team], |r| r.get(0))
    .optional()
}

/// Assigns queued conversations (highest priority, then longest waiting, first) to
/// agents with free capacity. Returns the conversations it assigned.
pub fn dispatch(c: &Connection) -> rusqlite::Result<Vec<ConversationId>> {
    let mut assigned = Vec::new();
    if !any_capacity(c)? {
        return Ok(assigned);
    }
    let queued: Vec<(ConversationId, Option<TeamId>)> = c
        .prepare_cached(
            "SELECT id, team_id FROM conversations WHERE status = 'queued'
             ORDER BY priority DESC, waiting_since IS NULL, waiting_since, id LIMIT 1000",
        )?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    for (conversation, team) in queued {
        let Some(agent) = next_agent(c, team)? else {
            if !any_capacity(c)? {
                break;
            }
            continue;
        };
        let now = now_ms();
        c.prepare_cached(
            "UPDATE conversations SET status = 'open', assignee_id = ?2, updated_at = ?3 WHERE id = ?1",
        )?
        .execute(rusqlite::params![conversation, agent, now])?;
        c.prepare_cached("UPDATE agents SET last_assigned_at = ?2 WHERE id = ?1")?
            .execute(rusqlite::params![agent, now])?;
        c.prepare_cached(
            "INSERT INTO conversation_events (conversation_id, at, actor_kind, kind, detail)
             VALUES (?1, ?2, 'system', 'assigned', json_object('agent_id', ?3, 'by', 'round_robin'))",
        )?
        .execute(rusqlite::params![conversation, now, agent])?;
        assigned.push(conversation);
    }
    Ok(assigned)
}
