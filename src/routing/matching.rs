//! Evaluating the rules against what is known of a new conversation. Every rule
//! is checked so the "try it" box can say why each did or did not match; the
//! actions come from the first matching rule, and from the ones after it while
//! the matching rules say "continue". A field an earlier rule set is kept.

use serde::Serialize;
use utoipa::ToSchema;

use super::rules::{Actions, Conditions, Hours, Priority, Rule, RuleId};
use super::sentiment::Feeling;
use crate::accounts::{AgentId, TeamId};
use crate::inboxes::InboxId;
use crate::labels::LabelId;

/// What a rule can look at.
#[derive(Clone, Debug)]
pub struct Facts {
    pub text: String,
    pub inbox_id: Option<InboxId>,
    /// `web` or `email`.
    pub channel: Option<String>,
    pub intent: Option<(String, f64)>,
    pub vip: bool,
    pub tags: Vec<String>,
    /// `zh-CN` or `en`.
    pub language: String,
    pub open_now: bool,
    pub sentiment: Feeling,
}

/// A rule ready to run: its pattern compiled once.
pub struct Compiled {
    pub rule: Rule,
    pattern: Option<regex::Regex>,
}

impl Compiled {
    /// Rules are checked when saved; a pattern that no longer compiles (a newer
    /// regex syntax) makes the rule match nothing rather than fail the ingest.
    pub fn new(rule: Rule) -> Compiled {
        let pattern = rule
            .conditions
            .pattern
            .as_deref()
            .and_then(|p| super::rules::compile_pattern(p).ok());
        Compiled { rule, pattern }
    }
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Reason {
    /// The condition's key (`intents`, `keywords`, `vip`…).
    pub condition: &'static str,
    pub ok: bool,
    /// What was found: the keyword that matched, the intent and its confidence…
    pub detail: String,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct RuleTrace {
    #[schema(value_type = i64)]
    pub id: RuleId,
    pub name: String,
    pub enabled: bool,
    /// All its conditions hold.
    pub matched: bool,
    /// It matched and was reached: its actions count.
    pub applied: bool,
    pub reasons: Vec<Reason>,
}

/// The actions gathered from the applied rules.
#[derive(Clone, Debug, Default, Serialize, ToSchema)]
pub struct Decision {
    #[schema(value_type = Option<i64>)]
    pub team_id: Option<TeamId>,
    pub priority: Option<Priority>,
    #[schema(value_type = Vec<i64>)]
    pub label_ids: Vec<LabelId>,
    #[schema(value_type = Option<i64>)]
    pub agent_id: Option<AgentId>,
    pub bot: Option<bool>,
    pub auto_reply: Option<String>,
}

impl Decision {
    fn take(&mut self, a: &Actions) {
        self.team_id = self.team_id.or(a.team_id);
        self.priority = self.priority.or(a.priority);
        self.agent_id = self.agent_id.or(a.agent_id);
        self.bot = self.bot.or(a.bot);
        if self.auto_reply.is_none() {
            self.auto_reply.clone_from(&a.auto_reply);
        }
        for l in &a.label_ids {
            if !self.label_ids.contains(l) {
                self.label_ids.push(*l);
            }
        }
    }
}

fn reason(condition: &'static str, ok: bool, detail: impl Into<String>) -> Reason {
    Reason {
        condition,
        ok,
        detail: detail.into(),
    }
}

fn any_of(list: &[String], value: &str) -> bool {
    list.iter().any(|x| x == value)
}

/// One reason per condition the rule has.
fn check(k: &Conditions, pattern: Option<&regex::Regex>, f: &Facts) -> Vec<Reason> {
    let mut out = Vec::new();
    if !k.inbox_ids.is_empty() {
        let ok = f.inbox_id.is_some_and(|i| k.inbox_ids.contains(&i));
        out.push(reason(
            "inbox_ids",
            ok,
            f.inbox_id.map(|i| i.to_string()).unwrap_or_default(),
        ));
    }
    if !k.channels.is_empty() {
        let channel = f.channel.clone().unwrap_or_default();
        out.push(reason("channels", any_of(&k.channels, &channel), channel));
    }
    if !k.intents.is_empty() {
        let (ok, detail) = match &f.intent {
            Some((name, confidence)) => (any_of(&k.intents, name), format!("{name} {confidence:.2}")),
            None => (false, String::new()),
        };
        out.push(reason("intents", ok, detail));
    }
    if !k.keywords.is_empty() {
        let text = f.text.to_lowercase();
        let found = k.keywords.iter().find(|w| text.contains(&w.to_lowercase()));
        out.push(reason(
            "keywords",
            found.is_some(),
            found.cloned().unwrap_or_default(),
        ));
    }
    if k.pattern.is_some() {
        let found = pattern
            .and_then(|p| p.find(&f.text))
            .map(|m| m.as_str().to_string());
        out.push(reason("pattern", found.is_some(), found.unwrap_or_default()));
    }
    if let Some(vip) = k.vip {
        out.push(reason("vip", vip == f.vip, f.vip.to_string()));
    }
    if !k.tags.is_empty() {
        let found = k.tags.iter().find(|t| f.tags.contains(t));
        out.push(reason(
            "tags",
            found.is_some(),
            found.cloned().unwrap_or_default(),
        ));
    }
    if !k.languages.is_empty() {
        out.push(reason(
            "languages",
            any_of(&k.languages, &f.language),
            f.language.clone(),
        ));
    }
    if let Some(hours) = k.business_hours {
        let now = if f.open_now { Hours::Open } else { Hours::Closed };
        out.push(reason(
            "business_hours",
            hours == now,
            if f.open_now { "open" } else { "closed" },
        ));
    }
    if let Some(feeling) = k.sentiment {
        out.push(reason("sentiment", feeling == f.sentiment, f.sentiment.as_str()));
    }
    out
}

/// Runs the rules in order: the decision and, for every rule, whether and why it matched.
pub fn evaluate(rules: &[Compiled], facts: &Facts) -> (Decision, Vec<RuleTrace>) {
    let mut decision = Decision::default();
    let mut traces = Vec::with_capacity(rules.len());
    let mut reached = true;
    for c in rules {
        let reasons = check(&c.rule.conditions, c.pattern.as_ref(), facts);
        let matched = c.rule.enabled && reasons.iter().all(|r| r.ok);
        let applied = matched && reached;
        if applied {
            decision.take(&c.rule.actions);
            reached = c.rule.continue_after;
        }
        traces.push(RuleTrace {
            id: c.rule.id,
            name: c.rule.name.clone(),
            enabled: c.rule.enabled,
            matched,
            applied,
            reasons,
        });
    }
    (decision, traces)
}
