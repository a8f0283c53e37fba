//! Warnings on the rule list, shown in the console next to each rule: rules
//! that can never match, rules an earlier rule always takes the conversation
//! from, and rules whose action an earlier rule already decides otherwise.

use std::collections::HashSet;

use rusqlite::Connection;

use super::rules::{Conditions, Rule, Warning};
use crate::error::AppResult;

fn warning(code: &'static str, detail: impl Into<String>, rule: Option<&Rule>) -> Warning {
    Warning {
        code,
        detail: detail.into(),
        rule_id: rule.map(|r| r.id),
    }
}

/// `narrow ⊆ wide` for "any of" lists: every value the narrow list accepts, the wide one does.
fn within<T: PartialEq>(narrow: &[T], wide: &[T]) -> bool {
    wide.is_empty() || (!narrow.is_empty() && narrow.iter().all(|x| wide.contains(x)))
}

fn same_if_set<T: PartialEq>(narrow: &Option<T>, wide: &Option<T>) -> bool {
    wide.is_none() || narrow == wide
}

/// Whether every conversation `narrow` matches, `wide` matches too.
pub fn covers(wide: &Conditions, narrow: &Conditions) -> bool {
    // A message holding a narrow keyword holds a wide one if the wide one is part of it.
    let keywords = wide.keywords.is_empty()
        || (!narrow.keywords.is_empty()
            && narrow.keywords.iter().all(|n| {
                let n = n.to_lowercase();
                wide.keywords.iter().any(|w| n.contains(&w.to_lowercase()))
            }));
    keywords
        && within(&narrow.inbox_ids, &wide.inbox_ids)
        && within(&narrow.channels, &wide.channels)
        && within(&narrow.intents, &wide.intents)
        && within(&narrow.tags, &wide.tags)
        && within(&narrow.languages, &wide.languages)
        && same_if_set(&narrow.pattern, &wide.pattern)
        && same_if_set(&narrow.vip, &wide.vip)
        && same_if_set(&narrow.business_hours, &wide.business_hours)
        && same_if_set(&narrow.sentiment, &wide.sentiment)
}

/// Why a rule can never match, from what exists now.
fn never_matches(c: &Connection, intents: &HashSet<String>, rule: &Rule) -> AppResult<Option<String>> {
    let k = &rule.conditions;
    if !k.intents.is_empty() && k.intents.iter().all(|i| !intents.contains(i)) {
        return Ok(Some(format!("intents: {}", k.intents.join(", "))));
    }
    if !k.inbox_ids.is_empty() {
        let mut kinds = Vec::new();
        for id in &k.inbox_ids {
            let kind: Option<String> = c
                .prepare_cached("SELECT kind FROM inboxes WHERE id = ?1")?
                .query_row([id], |r| r.get(0))
                .ok();
            kinds.extend(kind);
        }
        if kinds.is_empty() {
            return Ok(Some("inbox_ids".into()));
        }
        if !k.channels.is_empty() && !kinds.iter().any(|kind| k.channels.contains(kind)) {
            return Ok(Some("channels".into()));
        }
    }
    Ok(None)
}

/// Fills each rule's `warnings`. Only enabled rules hide or contradict others.
pub fn annotate(c: &Connection, rules: &mut [Rule]) -> AppResult<()> {
    let intents: HashSet<String> = c
        .prepare_cached("SELECT name FROM intents")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    for i in 0..rules.len() {
        let mut warnings = Vec::new();
        let rule = &rules[i];
        if rule.actions.is_empty() {
            warnings.push(warning("no_actions", "", None));
        }
        if let Some(why) = never_matches(c, &intents, rule)? {
            warnings.push(warning("never_matches", why, None));
        }
        for earlier in rules[..i].iter().filter(|r| r.enabled) {
            if !covers(&earlier.conditions, &rule.conditions) {
                continue;
            }
            if !earlier.continue_after {
                warnings.push(warning("shadowed", earlier.name.clone(), Some(earlier)));
                break;
            }
            let clash = contradiction(earlier, rule);
            if !clash.is_empty() {
                warnings.push(warning("contradicts", clash.join(", "), Some(earlier)));
            }
        }
        rules[i].warnings = warnings;
    }
    Ok(())
}

/// The actions `later` sets that `earlier`, matching first, already set differently.
fn contradiction(earlier: &Rule, later: &Rule) -> Vec<&'static str> {
    fn clash<T: PartialEq>(a: &Option<T>, b: &Option<T>) -> bool {
        a.is_some() && b.is_some() && a != b
    }
    let (a, b) = (&earlier.actions, &later.actions);
    [
        ("team_id", clash(&a.team_id, &b.team_id)),
        ("priority", clash(&a.priority, &b.priority)),
        ("agent_id", clash(&a.agent_id, &b.agent_id)),
        ("bot", clash(&a.bot, &b.bot)),
        ("auto_reply", clash(&a.auto_reply, &b.auto_reply)),
    ]
    .into_iter()
    .filter_map(|(field, clashes)| clashes.then_some(field))
    .collect()
}

#[cfg(test)]
#[path = "lint_tests.rs"]
mod tests;
