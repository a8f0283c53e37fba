//! `kefu routing eval`: how well the classifier recognises intents on a labelled
//! set of first messages, JSON lines `{"text": "…", "intent": "<name>"}`.
//! Prints the accuracy and a confusion table (rows: expected, columns: guessed).

use std::fmt;

use serde::Deserialize;

use super::classifier::Model;
use crate::kb::text::Analyzer;

#[derive(Clone, Debug, Deserialize)]
pub struct Case {
    pub text: String,
    pub intent: String,
}

/// Reads JSON lines; a bad line, or one naming an intent that does not exist,
/// is reported with its number.
pub fn read_cases(text: &str, intents: &[String]) -> Result<Vec<Case>, String> {
    let mut cases = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let case: Case = serde_json::from_str(line).map_err(|e| format!("line {}: {e}", i + 1))?;
        if !intents.contains(&case.intent) {
            return Err(format!(
                "line {}: no intent named \"{}\" (the intents are: {})",
                i + 1,
                case.intent,
                intents.join(", ")
            ));
        }
        cases.push(case);
    }
    if cases.is_empty() {
        return Err("the file has no messages".into());
    }
    Ok(cases)
}

pub struct Report {
    pub names: Vec<String>,
    pub messages: usize,
    pub correct: usize,
    /// `confusion[expected][guessed]`.
    pub confusion: Vec<Vec<usize>>,
    /// Wrong guesses, to read: (text, expected, guessed, confidence).
    pub misses: Vec<(String, String, String, f64)>,
}

impl Report {
    pub fn accuracy(&self) -> f64 {
        if self.messages == 0 {
            0.0
        } else {
            self.correct as f64 / self.messages as f64
        }
    }
}

pub fn run(analyzer: &Analyzer, model: &Model, names: Vec<String>, cases: &[Case]) -> Report {
    let n = names.len();
    let mut report = Report {
        confusion: vec![vec![0; n]; n],
        names,
        messages: cases.len(),
        correct: 0,
        misses: Vec::new(),
    };
    let index = |name: &str, names: &[String]| names.iter().position(|x| x == name);
    for case in cases {
        let Some(expected) = index(&case.intent, &report.names) else {
            continue;
        };
        let Some(guess) = model.classify(analyzer, &case.text) else {
            continue;
        };
        let Some(guessed) = index(&guess.name, &report.names) else {
            continue;
        };
        report.confusion[expected][guessed] += 1;
        if expected == guessed {
            report.correct += 1;
        } else {
            report.misses.push((
                case.text.clone(),
                case.intent.clone(),
                guess.name,
                guess.confidence,
            ));
        }
    }
    report
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "messages  {}\naccuracy  {:.3}  ({} right)\n",
            self.messages,
            self.accuracy(),
            self.correct
        )?;
        let width = self.names.iter().map(|s| s.len()).max().unwrap_or(8).max(8);
        writeln!(f, "confusion (rows: expected, columns: guessed)")?;
        write!(f, "{:width$}", "")?;
        for i in 0..self.names.len() {
            write!(f, " {:>5}", i + 1)?;
        }
        writeln!(f, "  recall")?;
        for (i, row) in self.confusion.iter().enumerate() {
            let total: usize = row.iter().sum();
            write!(f, "{:width$}", format!("{} {}", i + 1, self.names[i]))?;
            for n in row {
                write!(f, " {n:>5}")?;
            }
            let recall = if total == 0 {
                0.0
            } else {
                row[i] as f64 / total as f64
            };
            writeln!(f, "  {recall:.2}")?;
        }
        if !self.misses.is_empty() {
            writeln!(f, "\nmissed")?;
            for (text, expected, guessed, confidence) in &self.misses {
                writeln!(
                    f,
                    "  {text}  — expected {expected}, guessed {guessed} ({confidence:.2})"
                )?;
            }
        }
        Ok(())
    }
}
