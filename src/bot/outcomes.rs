//! One outcome per conversation the bot held, and the rates built from them.
//!
//! A conversation's outcome is its latest bot session's: `resolved` (the customer
//! confirmed, thanked, or went quiet after an answer), `handed_off` (a person took
//! over, for any reason), or `abandoned` (the customer left without an answer).
//! Because each conversation has exactly one, the three rates are shares of the
//! same decided conversations and add up to 100 %. See docs/bot.md.

use rusqlite::Connection;
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::AppResult;

/// Minutes of silence after which the bot's conversation is settled.
pub const IDLE_MINUTES_DEFAULT: i64 = 30;
const IDLE_KEY: &str = "bot.idle_minutes";

/// How long the bot waits for the customer before settling the conversation.
pub fn idle_ms(c: &Connection) -> rusqlite::Result<i64> {
    let minutes = crate::settings::get(c, IDLE_KEY)?
        .and_then(|v| v.parse::<f64>().ok())
        .filter(|m| *m > 0.0)
        .unwrap_or(IDLE_MINUTES_DEFAULT as f64);
    Ok((minutes * 60_000.0) as i64)
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OutcomeReport {
    pub days: i64,
    /// Conversations whose bot session began in the period.
    pub conversations: i64,
    pub resolved: i64,
    pub handed_off: i64,
    pub abandoned: i64,
    /// Still with the bot (or never settled).
    pub undecided: i64,
    /// Shares of the decided conversations; `null` when none is decided.
    pub deflection_rate: Option<f64>,
    pub handoff_rate: Option<f64>,
    pub abandon_rate: Option<f64>,
}

/// The outcomes of the bot's sessions that began in the last `days` days.
pub fn report(c: &Connection, days: i64) -> AppResult<OutcomeReport> {
    let since = crate::util::now_ms() - days * 86_400_000;
    let (conversations, resolved, handed_off, abandoned): (i64, i64, i64, i64) = c
        .prepare_cached(
            "SELECT count(*), count(*) FILTER (WHERE bot_outcome = 'resolved'),
                 count(*) FILTER (WHERE bot_outcome = 'handed_off'),
                 count(*) FILTER (WHERE bot_outcome = 'abandoned')
             FROM conversations WHERE bot_started_at >= ?1",
        )?
        .query_row([since], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?;
    let decided = resolved + handed_off + abandoned;
    let rate = |n: i64| (decided > 0).then(|| n as f64 / decided as f64);
    Ok(OutcomeReport {
        days,
        conversations,
        resolved,
        handed_off,
        abandoned,
        undecided: conversations - decided,
        deflection_rate: rate(resolved),
        handoff_rate: rate(handed_off),
        abandon_rate: rate(abandoned),
    })
}
