//! The intent classifier: multinomial naive Bayes over the knowledge base's
//! analysed words (segmented Chinese, stemmed English, the shop's synonyms) and
//! Chinese character pairs, which keep what segmentation drops or splits (没到,
//! 多少). It learns from each intent's examples and keywords and from what agents
//! labelled; a keyword found in the message counts for its intent besides.
//! Training takes milliseconds, so it is simply redone when anything changes.

use std::collections::HashMap;

use serde::Serialize;
use utoipa::ToSchema;

use super::intents::{IntentId, Training};
use crate::kb::text::Analyzer;

/// Smoothing for words an intent never saw; small, because the examples are few
/// and a word seen once is already good evidence.
const ALPHA: f64 = 0.1;
/// A keyword phrase in the message counts as this many extra log-odds.
const KEYWORD_BONUS: f64 = 3.0;
/// The posterior is over-confident with independent features; dividing the
/// log-likelihood by this spreads confidences so a threshold on them means something.
const TEMPERATURE: f64 = 3.0;
/// An intent's examples count once each; labelled conversations count this much,
/// so a few hundred labels do not drown the shop's own examples.
const LABEL_WEIGHT: f64 = 0.5;

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Guess {
    #[schema(value_type = i64)]
    pub id: IntentId,
    pub name: String,
    pub label: String,
    /// 0..1: the classifier's share of belief in this intent.
    pub confidence: f64,
}

struct Class {
    id: IntentId,
    name: String,
    label: String,
    /// log P(feature | intent) for the features it saw.
    log_probs: HashMap<String, f64>,
    /// log P(feature | intent) for a feature it never saw.
    unseen: f64,
    /// Lower-cased keyword phrases.
    keywords: Vec<String>,
}

#[derive(Default)]
pub struct Model {
    classes: Vec<Class>,
    /// Features any intent saw: others say nothing about the intent and are skipped.
    known: HashMap<String, ()>,
}

/// The features of a message: analysed words, then pairs of adjacent Chinese characters.
pub fn features(analyzer: &Analyzer, text: &str) -> Vec<String> {
    let mut out: Vec<String> = analyzer
        .tokens(text)
        .into_iter()
        .map(|t| format!("w:{t}"))
        .collect();
    let lower = text.to_lowercase();
    let mut previous: Option<char> = None;
    for ch in lower.chars() {
        if is_han(ch) {
            if let Some(p) = previous {
                out.push(format!("b:{p}{ch}"));
            }
            previous = Some(ch);
        } else {
            previous = None;
        }
    }
    out
}

fn is_han(c: char) -> bool {
    matches!(c, '\u{4e00}'..='\u{9fff}' | '\u{3400}'..='\u{4dbf}')
}

impl Model {
    pub fn train(analyzer: &Analyzer, intents: &[Training]) -> Model {
        let mut counts: Vec<HashMap<String, f64>> = Vec::with_capacity(intents.len());
        let mut known = HashMap::new();
        for intent in intents {
            let mut c: HashMap<String, f64> = HashMap::new();
            let docs = intent
                .examples
                .iter()
                .chain(&intent.keywords)
                .map(|t| (t, 1.0))
                .chain(intent.labelled.iter().map(|t| (t, LABEL_WEIGHT)));
            for (text, weight) in docs {
                for f in features(analyzer, text) {
                    *c.entry(f.clone()).or_default() += weight;
                    known.insert(f, ());
                }
            }
            counts.push(c);
        }
        let vocabulary = known.len().max(1) as f64;
        let classes = intents
            .iter()
            .zip(counts)
            .map(|(intent, c)| {
                let total: f64 = c.values().sum::<f64>() + ALPHA * vocabulary;
                Class {
                    id: intent.id,
                    name: intent.name.clone(),
                    label: intent.label.clone(),
                    log_probs: c
                        .into_iter()
                        .map(|(f, n)| (f, ((n + ALPHA) / total).ln()))
                        .collect(),
                    unseen: (ALPHA / total).ln(),
                    keywords: intent.keywords.iter().map(|k| k.to_lowercase()).collect(),
                }
            })
            .collect();
        Model { classes, known }
    }

    pub fn is_empty(&self) -> bool {
        self.classes.is_empty()
    }

    /// Every intent with its confidence, most likely first. Empty without intents.
    pub fn rank(&self, analyzer: &Analyzer, text: &str) -> Vec<Guess> {
        if self.classes.is_empty() {
            return Vec::new();
        }
        let feats: Vec<String> = features(analyzer, text)
            .into_iter()
            .filter(|f| self.known.contains_key(f))
            .collect();
        let lower = text.to_lowercase();
        let scores: Vec<f64> = self
            .classes
            .iter()
            .map(|class| {
                let likelihood: f64 = feats
                    .iter()
                    .map(|f| class.log_probs.get(f).copied().unwrap_or(class.unseen))
                    .sum();
                let keywords = class
                    .keywords
                    .iter()
                    .filter(|k| lower.contains(k.as_str()))
                    .count();
                likelihood / TEMPERATURE + KEYWORD_BONUS * keywords as f64
            })
            .collect();
        let top = scores.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let exp: Vec<f64> = scores.iter().map(|s| (s - top).exp()).collect();
        let sum: f64 = exp.iter().sum();
        let mut guesses: Vec<Guess> = self
            .classes
            .iter()
            .zip(exp)
            .map(|(class, e)| Guess {
                id: class.id,
                name: class.name.clone(),
                label: class.label.clone(),
                confidence: (e / sum * 1000.0).round() / 1000.0,
            })
            .collect();
        guesses.sort_by(|a, b| b.confidence.total_cmp(&a.confidence).then(a.id.0.cmp(&b.id.0)));
        guesses
    }

    /// The most likely intent, if there are intents at all.
    pub fn classify(&self, analyzer: &Analyzer, text: &str) -> Option<Guess> {
        self.rank(analyzer, text).into_iter().next()
    }
}

#[cfg(test)]
#[path = "classifier_tests.rs"]
mod tests;
