//! Assignment. Runs inside the writer's transaction, so two events can never
//! hand the same conversation to two agents or push an agent over capacity:
//! every dispatch sees the effects of the one before it. The online agents and
//! their load are read once; the queue is then walked in order (priority, then
//! waiting time) and each conversation goes to an agent of its team by the
//! team's strategy. VIP customers are offered to the senior group first; a
//! conversation a rule reserved for someone waits for them.

use std::collections::HashMap;

use rusqlite::Connection;

use crate::accounts::{AgentId, TeamId};
use crate::conversations::{ConversationId, record_event};
use crate::util::now_ms;

/// Statuses that count against an agent's concurrent-conversation limit.
const BUSY: &str = "('open', 'pending')";

/// The most queued conversations one dispatch looks at.
const QUEUE_SCAN: i64 = 5000;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Strategy {
    RoundRobin,
    LeastBusy,
    Skills,
}

impl Strategy {
    fn parse(s: &str) -> Strategy {
        match s {
            "least_busy" => Strategy::LeastBusy,
            "skills" => Strategy::Skills,
            _ => Strategy::RoundRobin,
        }
    }
    fn as_str(self) -> &'static str {
        match self {
            Strategy::RoundRobin => "round_robin",
            Strategy::LeastBusy => "least_busy",
            Strategy::Skills => "skills",
        }
    }
}

struct Agent {
    id: AgentId,
    busy: i64,
    max: i64,
    last_assigned_at: i64,
    skills: Vec<String>,
}

impl Agent {
    fn free(&self) -> bool {
        self.busy < self.max
    }
}

struct Team {
    strategy: Strategy,
    members: Vec<AgentId>,
}

struct Waiting {
    id: ConversationId,
    team: Option<TeamId>,
    intent: Option<String>,
    vip: bool,
    reserved_for: Option<AgentId>,
}

fn online_agents(c: &Connection) -> rusqlite::Result<Vec<Agent>> {
    c.prepare_cached(&format!(
        "SELECT a.id, (SELECT count(*) FROM conversations v WHERE v.assignee_id = a.id AND v.status IN {BUSY}),
             a.max_concurrent, a.last_assigned_at, a.skills
         FROM agents a WHERE a.active = 1 AND a.availability = 'online'"
    ))?
    .query_map([], |r| {
        Ok(Agent {
            id: r.get(0)?,
            busy: r.get(1)?,
            max: r.get(2)?,
            last_assigned_at: r.get(3)?,
            skills: serde_json::from_str(&r.get::<_, String>(4)?).unwrap_or_default(),
        })
    })?
    .collect()
}

fn teams(c: &Connection) -> rusqlite::Result<HashMap<TeamId, Team>> {
    let mut out: HashMap<TeamId, Team> = c
        .prepare_cached("SELECT id, strategy FROM teams")?
        .query_map([], |r| {
            Ok((
                r.get(0)?,
                Team {
                    strategy: Strategy::parse(&r.get::<_, String>(1)?),
                    members: Vec::new(),
                },
            ))
        })?
        .collect::<rusqlite::Result<_>>()?;
    let mut members = c.prepare_cached("SELECT team_id, agent_id FROM team_members")?;
    for row in members.query_map([], |r| Ok((r.get::<_, TeamId>(0)?, r.get::<_, AgentId>(1)?)))? {
        let (team, agent) = row?;
        if let Some(t) = out.get_mut(&team) {
            t.members.push(agent);
        }
    }
    Ok(out)
}

fn queue(c: &Connection) -> rusqlite::Result<Vec<Waiting>> {
    c.prepare_cached(
        "SELECT c.id, c.team_id, i.name, coalesce(ct.vip_tier, '') <> '', c.reserved_for
         FROM conversations c JOIN contacts ct ON ct.id = c.contact_id LEFT JOIN intents i ON i.id = c.intent_id
         WHERE c.status = 'queued'
         ORDER BY c.priority DESC, c.waiting_since IS NULL, c.waiting_since, c.id LIMIT ?1",
    )?
    .query_map([QUEUE_SCAN], |r| {
        Ok(Waiting {
            id: r.get(0)?,
            team: r.get(1)?,
            intent: r.get(2)?,
            vip: r.get(3)?,
            reserved_for: r.get(4)?,
        })
    })?
    .collect()
}

/// Picks among `pool` (indexes into `agents`, all online) by `strategy`.
fn pick(agents: &[Agent], pool: &[usize], strategy: Strategy, intent: Option<&str>) -> Option<usize> {
    let free = |i: &&usize| agents[**i].free();
    let least_busy = |candidates: &mut dyn Iterator<Item = &usize>| {
        candidates
            .min_by_key(|i| (agents[**i].busy, agents[**i].last_assigned_at, agents[**i].id))
            .copied()
    };
    match strategy {
        Strategy::RoundRobin => pool
            .iter()
            .filter(free)
            .min_by_key(|i| (agents[**i].last_assigned_at, agents[**i].id))
            .copied(),
        Strategy::LeastBusy => least_busy(&mut pool.iter().filter(free)),
        Strategy::Skills => {
            let skilled = |i: &&usize| intent.is_some_and(|n| agents[**i].skills.iter().any(|s| s == n));
            if pool.iter().any(|i| skilled(&i)) {
                // Someone online knows this: wait for them rather than give it to anyone.
                least_busy(&mut pool.iter().filter(skilled).filter(free))
            } else {
                least_busy(&mut pool.iter().filter(free))
            }
        }
    }
}

/// The online agents of a team (everyone when the team has no members or there is no team).
fn pool_of(agents: &[Agent], team: Option<&Team>) -> Vec<usize> {
    match team {
        Some(t) if !t.members.is_empty() => (0..agents.len())
            .filter(|i| t.members.contains(&agents[*i].id))
            .collect(),
        _ => (0..agents.len()).collect(),
    }
}

/// Who gets `w`, and why: the agent it is reserved for, the senior group for a
/// VIP, or its team's strategy.
fn choose(
    agents: &[Agent],
    teams: &HashMap<TeamId, Team>,
    vip_team: Option<TeamId>,
    w: &Waiting,
) -> Option<(usize, &'static str)> {
    if let Some(reserved) = w.reserved_for {
        return agents
            .iter()
            .position(|a| a.id == reserved && a.free())
            .map(|i| (i, "reserved"));
    }
    if w.vip
        && let Some(senior) = vip_team.and_then(|t| teams.get(&t))
        && !senior.members.is_empty()
    {
        let pool = pool_of(agents, Some(senior));
        if let Some(i) = pick(agents, &pool, senior.strategy, w.intent.as_deref()) {
            return Some((i, "vip"));
        }
    }
    let team = w.team.and_then(|t| teams.get(&t));
    let strategy = team.map_or(Strategy::RoundRobin, |t| t.strategy);
    let pool = pool_of(agents, team);
    pick(agents, &pool, strategy, w.intent.as_deref()).map(|i| (i, strategy.as_str()))
}

/// Assigns queued conversations (highest priority, then longest waiting, first) to
/// agents with free capacity. Returns the conversations it assigned.
pub fn dispatch(c: &Connection) -> rusqlite::Result<Vec<ConversationId>> {
    let mut assigned = Vec::new();
    let mut agents = online_agents(c)?;
    if !agents.iter().any(Agent::free) {
        return Ok(assigned);
    }
    let teams = teams(c)?;
    let vip_team = super::settings::vip_team(c)?;
    let now = now_ms();
    for w in queue(c)? {
        let Some((i, by)) = choose(&agents, &teams, vip_team, &w) else {
            if !agents.iter().any(Agent::free) {
                break;
            }
            continue;
        };
        let agent = &mut agents[i];
        agent.busy += 1;
        // Later in this same millisecond still counts as later for round-robin.
        agent.last_assigned_at = now + assigned.len() as i64;
        c.prepare_cached(
            "UPDATE conversations SET status = 'open', assignee_id = ?2, updated_at = ?3 WHERE id = ?1",
        )?
        .execute(rusqlite::params![w.id, agent.id, now])?;
        c.prepare_cached("UPDATE agents SET last_assigned_at = ?2 WHERE id = ?1")?
            .execute(rusqlite::params![agent.id, agent.last_assigned_at])?;
        record_event(
            c,
            w.id,
            None,
            "system",
            "assigned",
            serde_json::json!({"agent_id": agent.id, "by": by}),
        )?;
        assigned.push(w.id);
    }
    Ok(assigned)
}
