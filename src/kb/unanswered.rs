//! "Top unanswered questions": what customers asked the bot that it could not
//! answer, similar questions grouped together with their counts, so the shop
//! writes the articles that are missing most.

use std::collections::HashSet;

use rusqlite::Connection;
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::AppResult;

/// Questions sharing at least this share of their words (Jaccard) are one group.
const SAME_QUESTION: f64 = 0.5;
/// Groups returned at most, and examples per group.
const GROUPS_MAX: usize = 50;
const EXAMPLES_MAX: usize = 5;
/// Unanswered turns read at most (the newest).
const TURNS_MAX: i64 = 5_000;

#[derive(Debug, Serialize, ToSchema)]
pub struct UnansweredGroup {
    /// The most frequent wording in the group.
    pub question: String,
    pub count: usize,
    /// Up to five distinct wordings.
    pub examples: Vec<String>,
    pub last_at: i64,
}

struct Group {
    terms: HashSet<String>,
    wordings: Vec<(String, usize)>,
    count: usize,
    last_at: i64,
}

fn jaccard(a: &HashSet<String>, b: &HashSet<String>) -> f64 {
    let union = a.union(b).count();
    if union == 0 {
        return 0.0;
    }
    a.intersection(b).count() as f64 / union as f64
}

/// The groups of unanswered questions from the last `days` days, most asked first.
pub fn top(c: &Connection, days: i64) -> AppResult<Vec<UnansweredGroup>> {
    let since = crate::util::now_ms() - days * 86_400_000;
    let rows: Vec<(String, String, i64)> = c
        .prepare_cached(
            "SELECT question, terms, at FROM bot_turns WHERE unanswered = 1 AND at >= ?1 AND trim(question) != ''
             ORDER BY at DESC LIMIT ?2",
        )?
        .query_map(rusqlite::params![since, TURNS_MAX], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })?
        .collect::<rusqlite::Result<_>>()?;
    let mut groups: Vec<Group> = Vec::new();
    for (question, terms, at) in rows {
        let wording = question.trim().to_string();
        let mut terms: HashSet<String> = serde_json::from_str::<Vec<String>>(&terms)
            .unwrap_or_default()
            .into_iter()
            .collect();
        if terms.is_empty() {
            terms.insert(wording.to_lowercase());
        }
        let found = groups
            .iter_mut()
            .find(|g| jaccard(&g.terms, &terms) >= SAME_QUESTION);
        let group = match found {
            Some(g) => g,
            None => {
                groups.push(Group {
                    terms,
                    wordings: Vec::new(),
                    count: 0,
                    last_at: at,
                });
                groups.last_mut().expect("just pushed")
            }
        };
        group.count += 1;
        group.last_at = group.last_at.max(at);
        match group
            .wordings
            .iter_mut()
            .find(|(w, _)| w.eq_ignore_ascii_case(&wording))
        {
            Some((_, n)) => *n += 1,
            None => group.wordings.push((wording, 1)),
        }
    }
    groups.sort_by(|a, b| b.count.cmp(&a.count).then(b.last_at.cmp(&a.last_at)));
    Ok(groups
        .into_iter()
        .take(GROUPS_MAX)
        .map(|g| {
            // Newest first among equals: `wordings` is in the order they were seen.
            let question = g
                .wordings
                .iter()
                .fold(None::<&(String, usize)>, |best, w| match best {
                    Some(b) if b.1 >= w.1 => Some(b),
                    _ => Some(w),
                })
                .map(|w| w.0.clone())
                .unwrap_or_default();
            UnansweredGroup {
                question,
                count: g.count,
                examples: g.wordings.into_iter().take(EXAMPLES_MAX).map(|w| w.0).collect(),
                last_at: g.last_at,
            }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(words: &[&str]) -> HashSet<String> {
        words.iter().map(|w| w.to_string()).collect()
    }

    #[test]
    fn similar_questions_share_most_words() {
        assert!(jaccard(&set(&["发票", "抬头", "改"]), &set(&["发票", "抬头", "修改"])) >= SAME_QUESTION);
        assert!(jaccard(&set(&["发票", "抬头"]), &set(&["退货", "地址"])) < SAME_QUESTION);
        assert_eq!(jaccard(&set(&[]), &set(&[])), 0.0);
    }
}
