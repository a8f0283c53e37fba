//! Sentiment and urgency of a customer message, in Chinese and English, from a
//! small lexicon: a negator flips the next sentiment word within a few
//! characters or words (不满意 is negative, 不错 is a word of its own and
//! positive), an intensifier strengthens it (太慢, very bad), and urgency cues
//! (催, 投诉, 差评, 12315, "!!!") mark the message urgent. No model to train: the
//! shop can read why a message scored as it did (`cues`).

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Feeling {
    Negative,
    Neutral,
    Positive,
}

impl Feeling {
    pub fn as_str(self) -> &'static str {
        match self {
            Feeling::Negative => "negative",
            Feeling::Neutral => "neutral",
            Feeling::Positive => "positive",
        }
    }
    pub fn parse(s: &str) -> Option<Feeling> {
        [Feeling::Negative, Feeling::Neutral, Feeling::Positive]
            .into_iter()
            .find(|f| f.as_str() == s)
    }
    /// Below and above these scores a message is negative or positive.
    fn of(score: f64) -> Feeling {
        if score <= -NEUTRAL_BAND {
            Feeling::Negative
        } else if score >= NEUTRAL_BAND {
            Feeling::Positive
        } else {
            Feeling::Neutral
        }
    }
}

const NEUTRAL_BAND: f64 = 0.2;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Sentiment {
    /// -1 (angry) … 1 (happy).
    pub score: f64,
    pub label: Feeling,
    /// Urging, threats to complain, many exclamation marks.
    pub urgent: bool,
    /// The words that decided it ("不+满意", "太+慢", "12315", "!!!").
    pub cues: Vec<String>,
}

/// Positive and negative words with their weight. Longer entries win over the
/// shorter ones they contain (不错 over 不, 没问题 over 问题).
const WORDS: &[(&str, f64)] = &[
    // Chinese, positive.
    ("好", 0.6),
    ("不错", 1.0),
    ("满意", 1.0),
    ("喜欢", 1.0),
    ("谢谢", 0.6),
    ("感谢", 0.8),
    ("多谢", 0.6),
    ("棒", 1.0),
    ("赞", 1.0),
    ("完美", 1.2),
    ("好评", 1.2),
    ("给力", 1.0),
    ("开心", 1.0),
    ("高兴", 1.0),
    ("优秀", 1.0),
    ("专业", 0.6),
    ("耐心", 0.6),
    ("辛苦了", 0.8),
    ("靠谱", 0.8),
    ("贴心", 0.8),
    ("及时", 0.6),
    ("划算", 0.6),
    ("好用", 1.0),
    ("舒服", 0.8),
    ("没问题", 0.6),
    ("太好了", 1.4),
    ("挺好", 1.0),
    ("很快", 0.8),
    ("放心", 0.6),
    // Chinese, negative.
    ("差", -1.0),
    ("太差", -1.4),
    ("垃圾", -1.5),
    ("骗子", -1.6),
    ("骗人", -1.5),
    ("欺骗", -1.5),
    ("失望", -1.2),
    ("生气", -1.2),
    ("气死", -1.6),
    ("愤怒", -1.5),
    ("烂", -1.2),
    ("坑", -1.0),
    ("恶心", -1.4),
    ("无语", -1.0),
    ("糟糕", -1.2),
    ("离谱", -1.2),
    ("过分", -1.2),
    ("不爽", -1.0),
    ("忍无可忍", -1.6),
    ("受不了", -1.2),
    ("破", -0.6),
    ("坏", -0.8),
    ("坏了", -0.8),
    ("慢", -0.8),
    ("难用", -1.0),
    ("后悔", -1.0),
    ("郁闷", -0.8),
    ("烦", -0.8),
    ("麻烦", -0.4),
    ("问题", -0.3),
    ("敷衍", -1.2),
    ("态度差", -1.5),
    ("黑店", -1.6),
    ("坑人", -1.5),
    ("什么玩意", -1.4),
    ("搞什么", -1.0),
    ("凭什么", -1.0),
    ("不满", -1.2),
    ("妈的", -1.5),
    ("靠", -0.6),
    ("差劲", -1.3),
    ("退钱", -0.6),
    ("假货", -1.4),
    ("欺诈", -1.6),
    ("没人理", -1.2),
    ("不回复", -1.0),
    // English, positive.
    ("good", 0.8),
    ("great", 1.0),
    ("thanks", 0.6),
    ("thank", 0.6),
    ("love", 1.0),
    ("excellent", 1.2),
    ("perfect", 1.2),
    ("happy", 1.0),
    ("awesome", 1.2),
    ("nice", 0.8),
    ("helpful", 1.0),
    ("fast", 0.6),
    ("amazing", 1.2),
    ("satisfied", 1.0),
    ("pleased", 1.0),
    ("appreciate", 0.8),
    ("fine", 0.4),
    // English, negative.
    ("bad", -1.0),
    ("terrible", -1.5),
    ("awful", -1.5),
    ("worst", -1.6),
    ("angry", -1.3),
    ("disappointed", -1.2),
    ("disappointing", -1.2),
    ("useless", -1.3),
    ("broken", -0.8),
    ("scam", -1.6),
    ("ridiculous", -1.3),
    ("horrible", -1.5),
    ("hate", -1.3),
    ("slow", -0.8),
    ("unacceptable", -1.5),
    ("furious", -1.6),
    ("rude", -1.3),
    ("annoyed", -1.0),
    ("upset", -1.1),
    ("poor", -1.0),
    ("fake", -1.3),
    ("fraud", -1.6),
    ("joke", -0.8),
    ("waste", -1.0),
    ("frustrated", -1.2),
    ("frustrating", -1.2),
    ("damaged", -0.8),
    ("wrong", -0.6),
    ("late", -0.5),
];

/// Words that flip the next sentiment word.
const NEGATORS: &[&str] = &[
    "不",
    "没",
    "没有",
    "别",
    "未",
    "无",
    "并不",
    "不是",
    "一点也不",
    "不太",
    "不怎么",
    "not",
    "no",
    "never",
    "don't",
    "didn't",
    "doesn't",
    "isn't",
    "wasn't",
    "aren't",
    "can't",
    "cannot",
    "won't",
    "hardly",
    "without",
    "dont",
    "didnt",
    "doesnt",
    "isnt",
    "wasnt",
    "cant",
    "wont",
];

/// Words that strengthen the next sentiment word.
const INTENSIFIERS: &[(&str, f64)] = &[
    ("很", 1.4),
    ("非常", 1.6),
    ("太", 1.6),
    ("特别", 1.5),
    ("超", 1.5),
    ("超级", 1.6),
    ("极其", 1.8),
    ("十分", 1.5),
    ("真", 1.3),
    ("真的", 1.3),
    ("巨", 1.6),
    ("相当", 1.4),
    ("实在", 1.4),
    ("最", 1.6),
    ("very", 1.4),
    ("so", 1.4),
    ("really", 1.4),
    ("extremely", 1.8),
    ("too", 1.4),
    ("super", 1.5),
    ("totally", 1.5),
    ("absolutely", 1.6),
    ("completely", 1.5),
    ("incredibly", 1.7),
];

/// Cues of urgency, each with the sentiment it carries.
const URGENT: &[(&str, f64)] = &[
    ("催", -0.3),
    ("急", -0.3),
    ("着急", -0.4),
    ("快点", -0.4),
    ("赶紧", -0.4),
    ("马上", 0.0),
    ("立刻", 0.0),
    ("尽快", 0.0),
    ("投诉", -1.2),
    ("差评", -1.3),
    ("12315", -1.4),
    ("消协", -1.3),
    ("工商", -1.0),
    ("曝光", -1.3),
    ("律师", -1.2),
    ("起诉", -1.4),
    ("报警", -1.4),
    ("维权", -1.2),
    ("urgent", -0.3),
    ("asap", -0.3),
    ("immediately", -0.3),
    ("complaint", -1.2),
    ("complain", -1.0),
    ("lawyer", -1.2),
    ("chargeback", -1.3),
    ("sue", -1.4),
    ("police", -1.2),
];

/// 好 and 真 are intensifiers before another sentiment word (好慢, 真差) and
/// sentiment words otherwise.
const DUAL: &[&str] = &["好", "真", "超"];

/// How many units after a negator or intensifier it still applies to (不太满意, 没有很好).
const REACH: u8 = 2;

enum Unit {
    Word(&'static str, f64),
    Negator(&'static str),
    Intensifier(&'static str, f64),
    Urgent(&'static str, f64),
    Other,
    /// Punctuation: a negator never reaches across it (还没到，气死了).
    Break,
}

fn lookup(piece: &str) -> Option<Unit> {
    if let Some((w, v)) = WORDS.iter().find(|(w, _)| *w == piece) {
        return Some(Unit::Word(w, *v));
    }
    if let Some(w) = NEGATORS.iter().find(|w| **w == piece) {
        return Some(Unit::Negator(w));
    }
    if let Some((w, v)) = INTENSIFIERS.iter().find(|(w, _)| *w == piece) {
        return Some(Unit::Intensifier(w, *v));
    }
    URGENT
        .iter()
        .find(|(w, _)| *w == piece)
        .map(|(w, v)| Unit::Urgent(w, *v))
}

const LONGEST_HAN: usize = 4;

/// Splits text into lexicon units: longest match over runs of Chinese
/// characters, whole words elsewhere.
fn units(text: &str) -> Vec<Unit> {
    let lower = text.to_lowercase();
    let chars: Vec<char> = lower.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let ch = chars[i];
        if is_han(ch) {
            let found = (1..=LONGEST_HAN.min(chars.len() - i)).rev().find_map(|n| {
                let piece: String = chars[i..i + n].iter().collect();
                lookup(&piece).map(|u| (u, n))
            });
            match found {
                Some((u, n)) => {
                    out.push(u);
                    i += n;
                }
                None => {
                    out.push(Unit::Other);
                    i += 1;
                }
            }
        } else if ch.is_alphanumeric() || ch == '\'' {
            let start = i;
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '\'') && !is_han(chars[i]) {
                i += 1;
            }
            let word: String = chars[start..i]
                .iter()
                .collect::<String>()
                .replace('\u{2019}', "'");
            out.push(lookup(&word).unwrap_or(Unit::Other));
        } else {
            if ch.is_ascii_punctuation()
                || matches!(ch, '，' | '。' | '！' | '？' | '；' | '、' | '：' | '\n')
            {
                out.push(Unit::Break);
            }
            i += 1;
        }
    }
    out
}

fn is_han(c: char) -> bool {
    matches!(c, '\u{4e00}'..='\u{9fff}' | '\u{3400}'..='\u{4dbf}')
}

/// Scores one message.
pub fn analyse(text: &str) -> Sentiment {
    let units = units(text);
    let mut sum = 0.0;
    let mut cues = Vec::new();
    let mut urgent = false;
    // The pending negator and intensifier, with how far they still reach.
    let mut negated: Option<(&str, u8)> = None;
    let mut boost: Option<(&str, f64, u8)> = None;
    for (at, unit) in units.iter().enumerate() {
        match *unit {
            Unit::Word(w, _) if DUAL.contains(&w) && matches!(units.get(at + 1), Some(Unit::Word(..))) => {
                boost = Some((w, 1.4, REACH));
            }
            Unit::Word(w, v) => {
                let mut value = v;
                let mut cue = String::new();
                if let Some((n, _)) = negated.take() {
                    // "not good" is bad; "not bad" is only mildly good.
                    value = if v > 0.0 { -v } else { -v * 0.5 };
                    cue.push_str(n);
                    cue.push('+');
                }
                if let Some((b, factor, _)) = boost.take() {
                    value *= factor;
                    cue.push_str(b);
                    cue.push('+');
                }
                cue.push_str(w);
                cues.push(cue);
                sum += value;
            }
            Unit::Negator(n) => negated = Some((n, REACH)),
            Unit::Intensifier(b, f) => boost = Some((b, f, REACH)),
            Unit::Urgent(w, v) => {
                urgent = true;
                sum += v;
                cues.push(w.to_string());
            }
            Unit::Other => {
                negated = negated.and_then(|(n, left)| (left > 1).then_some((n, left - 1)));
                boost = boost.and_then(|(b, f, left)| (left > 1).then_some((b, f, left - 1)));
            }
            Unit::Break => {
                negated = None;
                boost = None;
            }
        }
    }
    let bangs = text.chars().filter(|c| matches!(c, '!' | '！')).count();
    if bangs >= 3 {
        urgent = true;
        cues.push("!!!".to_string());
        // Shouting makes whatever was said stronger, and alone reads as upset.
        sum = if sum.abs() > f64::EPSILON { sum * 1.3 } else { -0.5 };
    }
    let questions = text.chars().filter(|c| matches!(c, '?' | '？')).count();
    if questions >= 3 {
        urgent = true;
        cues.push("???".to_string());
    }
    if repeated_urging(text) {
        urgent = true;
        cues.push("在吗×2".to_string());
        sum -= 0.4;
    }
    let score = (sum / 2.0).tanh();
    let score = (score * 100.0).round() / 100.0;
    Sentiment {
        score,
        label: Feeling::of(score),
        urgent,
        cues,
    }
}

/// "在吗在吗", "hello?? hello??": asking again before anyone answered.
fn repeated_urging(text: &str) -> bool {
    let lower = text.to_lowercase();
    ["在吗", "在不在", "有人吗", "anyone there", "hello?"]
        .iter()
        .any(|w| lower.matches(w).count() >= 2)
}

/// The conversation's trend after one more customer message: recent messages
/// weigh more, so a customer who calms down is no longer flagged.
pub fn trend(previous: Option<f64>, latest: f64) -> f64 {
    let t = match previous {
        Some(p) => 0.5 * p + 0.5 * latest,
        None => latest,
    };
    (t * 100.0).round() / 100.0
}

/// A conversation is flagged negative when its trend is clearly negative, or the
/// latest message is both negative and urgent.
pub fn is_negative(trend: f64, latest: &Sentiment) -> bool {
    trend <= -0.3 || (latest.urgent && latest.label == Feeling::Negative)
}

#[cfg(test)]
#[path = "sentiment_tests.rs"]
mod tests;
