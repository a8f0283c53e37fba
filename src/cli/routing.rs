//! `kefu routing eval`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use clap::Subcommand;

use super::with_db;
use crate::config::Config;
use crate::routing::{self, eval};

#[derive(Subcommand)]
pub enum RoutingCommand {
    /// Measure the intent classifier on labelled first messages: JSON lines
    /// {"text": "…", "intent": "<name>"}. Prints the accuracy and a confusion table.
    Eval {
        file: PathBuf,
        /// Train from this intents file (the demo's format, assets/demo/intents.json)
        /// instead of the intents in the data directory, to try a set before loading it.
        #[arg(long, value_name = "FILE")]
        intents: Option<PathBuf>,
    },
}

pub fn run(config: &Config, command: RoutingCommand) -> anyhow::Result<ExitCode> {
    match command {
        RoutingCommand::Eval { file, intents } => evaluate(config, &file, intents.as_deref())?,
    }
    Ok(ExitCode::SUCCESS)
}

fn evaluate(config: &Config, file: &Path, intents: Option<&Path>) -> anyhow::Result<()> {
    let text = std::fs::read_to_string(file).with_context(|| format!("cannot read {}", file.display()))?;
    let trial = intents
        .map(|p| {
            let raw = std::fs::read(p).with_context(|| format!("cannot read {}", p.display()))?;
            routing::demo::training(&raw).map_err(|e| anyhow::anyhow!("{}: {e}", p.display()))
        })
        .transpose()?;
    let (_lock, db) = crate::open_data_dir(config)?;
    let engine = crate::kb::Engine::new();
    let report = with_db(db, move |db| async move {
        db.read(move |c| {
            let mut snapshot = routing::Snapshot::load(c, &engine)?;
            let mut names: Vec<String> = routing::intents::all(c)?.into_iter().map(|i| i.name).collect();
            if let Some(training) = trial {
                snapshot.model = routing::Model::train(&snapshot.analyzer, &training);
                names = training.into_iter().map(|t| t.name).collect();
            }
            if names.is_empty() {
                return Err(crate::error::AppError::bad_request("no_intents"));
            }
            let cases = eval::read_cases(&text, &names)
                .map_err(|e| crate::error::AppError::bad_request("eval_file_invalid").with("detail", e))?;
            Ok(eval::run(&snapshot.analyzer, &snapshot.model, names, &cases))
        })
        .await
    })?;
    print!("{report}");
    Ok(())
}
