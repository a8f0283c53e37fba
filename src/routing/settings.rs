//! The shop's routing options, in the settings table.

use rusqlite::Connection;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::accounts::TeamId;
use crate::error::AppResult;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct RoutingSettings {
    /// Senior agents: conversations of VIP contacts are offered to them first.
    #[schema(value_type = Option<i64>)]
    pub vip_team_id: Option<TeamId>,
    /// An agent going away or offline gives their open chats back to the queue.
    pub requeue_on_offline: bool,
    /// A conversation flagged negative moves up one priority level.
    pub negative_raises_priority: bool,
    /// The bot hands a conversation flagged negative to a person.
    pub negative_hands_over: bool,
}

const VIP_TEAM: &str = "routing.vip_team_id";
const REQUEUE: &str = "routing.requeue_on_offline";
const RAISE: &str = "routing.negative_raises_priority";
const HAND_OVER: &str = "routing.negative_hands_over";

fn flag(c: &Connection, key: &str, default: bool) -> rusqlite::Result<bool> {
    Ok(crate::settings::get(c, key)?.map_or(default, |v| v == "1"))
}

/// The senior group alone: dispatch runs after every message and needs no more.
pub fn vip_team(c: &Connection) -> rusqlite::Result<Option<TeamId>> {
    Ok(crate::settings::get(c, VIP_TEAM)?
        .and_then(|v| v.parse().ok())
        .map(TeamId))
}

pub fn load(c: &Connection) -> rusqlite::Result<RoutingSettings> {
    Ok(RoutingSettings {
        vip_team_id: vip_team(c)?,
        requeue_on_offline: flag(c, REQUEUE, false)?,
        negative_raises_priority: flag(c, RAISE, true)?,
        negative_hands_over: flag(c, HAND_OVER, true)?,
    })
}

pub fn save(c: &Connection, s: &RoutingSettings) -> AppResult<RoutingSettings> {
    crate::accounts::teams::ensure_team_exists(c, s.vip_team_id)?;
    let bit = |b: bool| if b { "1" } else { "0" };
    crate::settings::set(
        c,
        VIP_TEAM,
        &s.vip_team_id.map(|t| t.to_string()).unwrap_or_default(),
    )?;
    crate::settings::set(c, REQUEUE, bit(s.requeue_on_offline))?;
    crate::settings::set(c, RAISE, bit(s.negative_raises_priority))?;
    crate::settings::set(c, HAND_OVER, bit(s.negative_hands_over))?;
    Ok(load(c)?)
}
