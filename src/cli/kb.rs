//! `kefu kb import|export|eval` and `kefu demo`.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, bail};
use clap::{Subcommand, ValueEnum};

use super::{runtime, with_db};
use crate::config::Config;
use crate::i18n::Lang;
use crate::kb::{self, transfer};

#[derive(Subcommand)]
pub enum KbCommand {
    /// Import articles from a JSON or CSV file (see docs/knowledge-base.md). The
    /// whole file is checked first: if any row is bad, nothing is imported.
    Import {
        file: PathBuf,
        /// The file's format (default: from its extension).
        #[arg(long, value_enum)]
        format: Option<FileFormat>,
    },
    /// Export every article (or one language's) as JSON or CSV.
    Export {
        #[arg(long, value_enum, default_value_t = FileFormat::Json)]
        format: FileFormat,
        /// Only this language: en or zh-CN.
        #[arg(long)]
        locale: Option<String>,
        /// Write to FILE instead of standard output.
        #[arg(long, short, value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// Measure the bot's answers on labelled questions: JSON lines
    /// {"question": "…", "expect": "<external_id>" | null}.
    Eval {
        file: PathBuf,
        /// Answer threshold to measure at (default: the configured one).
        #[arg(long)]
        threshold: Option<f64>,
    },
}

#[derive(Clone, Copy, ValueEnum)]
pub enum FileFormat {
    Json,
    Csv,
}

impl From<FileFormat> for transfer::Format {
    fn from(f: FileFormat) -> Self {
        match f {
            FileFormat::Json => transfer::Format::Json,
            FileFormat::Csv => transfer::Format::Csv,
        }
    }
}

pub fn run(config: &Config, command: KbCommand) -> anyhow::Result<ExitCode> {
    match command {
        KbCommand::Import { file, format } => import(config, &file, format)?,
        KbCommand::Export {
            format,
            locale,
            output,
        } => export(config, format, locale.as_deref(), output)?,
        KbCommand::Eval { file, threshold } => eval(config, &file, threshold)?,
    }
    Ok(ExitCode::SUCCESS)
}

fn import(config: &Config, file: &std::path::Path, format: Option<FileFormat>) -> anyhow::Result<()> {
    let format = match format {
        Some(f) => f.into(),
        None => transfer::Format::from_path(&file.to_string_lossy())
            .context("cannot tell the file's format from its name: use --format json or --format csv")?,
    };
    let bytes = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
    // Every bad row is listed, not only the first.
    if let Err(problems) = transfer::parse(&bytes, format, Lang::En) {
        for p in &problems {
            eprintln!("{}:{}: {}", file.display(), p.line, p.message);
        }
        bail!(
            "{} row(s) cannot be imported; nothing was imported",
            problems.len()
        );
    }
    let (_lock, db) = crate::open_data_dir(config)?;
    let engine = kb::Engine::new();
    let report = with_db(db, move |db| async move {
        transfer::import(&db, &engine, None, bytes, format, Lang::En).await
    })?;
    println!(
        "imported {}: {} articles added, {} updated, {} categories added",
        file.display(),
        report.created,
        report.updated,
        report.categories_created
    );
    Ok(())
}

fn parse_locale(locale: Option<&str>) -> anyhow::Result<Option<Lang>> {
    locale
        .map(|l| Lang::parse_exact(l).with_context(|| format!("unknown language {l:?}: use en or zh-CN")))
        .transpose()
}

fn export(
    config: &Config,
    format: FileFormat,
    locale: Option<&str>,
    output: Option<PathBuf>,
) -> anyhow::Result<()> {
    let locale = parse_locale(locale)?;
    let (_lock, db) = crate::open_data_dir(config)?;
    let text = with_db(db, move |db| async move {
        db.read(move |c| {
            let articles = transfer::export(c, locale)?;
            match format {
                FileFormat::Json => Ok(transfer::to_json(&articles)),
                FileFormat::Csv => transfer::to_csv(&articles),
            }
        })
        .await
    })?;
    match output {
        Some(path) => {
            std::fs::write(&path, text).with_context(|| format!("cannot write {}", path.display()))?;
            eprintln!("wrote {}", path.display());
        }
        None => print!("{text}"),
    }
    Ok(())
}

fn eval(config: &Config, file: &std::path::Path, threshold: Option<f64>) -> anyhow::Result<()> {
    let text = std::fs::read_to_string(file).with_context(|| format!("cannot read {}", file.display()))?;
    let cases = kb::eval::read_cases(&text).map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
    if let Some(t) = threshold
        && !(0.0..=1.0).contains(&t)
    {
        bail!("--threshold must be between 0 and 1");
    }
    let (_lock, db) = crate::open_data_dir(config)?;
    let engine = kb::Engine::new();
    let report = with_db(db, move |db| async move {
        db.read(move |c| {
            let published: i64 = c.query_row(
                "SELECT count(*) FROM kb_articles WHERE status = 'published'",
                [],
                |r| r.get(0),
            )?;
            if published == 0 {
                return Err(crate::error::AppError::bad_request("kb_empty"));
            }
            let threshold = match threshold {
                Some(t) => t,
                None => kb::search::answer_threshold(c)?,
            };
            kb::eval::run(c, &engine, &cases, threshold)
        })
        .await
    })?;
    println!("{report}");
    Ok(())
}

/// The demo shop's files, compiled in.
fn demo_file(name: &str) -> anyhow::Result<Vec<u8>> {
    crate::assets::Assets::get(&format!("demo/{name}"))
        .map(|f| f.data.into_owned())
        .with_context(|| format!("demo/{name} is missing from this build"))
}

pub fn demo(config: &Config) -> anyhow::Result<()> {
    let articles = demo_file("kb.json")?;
    let intents = demo_file("intents.json")?;
    let vocabulary: kb::vocabulary::Vocabulary = serde_json::from_slice(&demo_file("vocabulary.json")?)?;
    let (_lock, db) = crate::open_data_dir(config)?;
    let empty = runtime()?.block_on(db.read(|c| {
        Ok(c.query_row(
            "SELECT NOT EXISTS (SELECT 1 FROM agents) AND NOT EXISTS (SELECT 1 FROM inboxes)
                AND NOT EXISTS (SELECT 1 FROM kb_articles)",
            [],
            |r| r.get::<_, bool>(0),
        )?)
    }));
    if !matches!(empty, Ok(true)) {
        runtime()?.block_on(db.shutdown());
        bail!(
            "the data directory {} already has data; `kefu demo` loads only into an empty one \
             (e.g. kefu demo --data /tmp/kefu-demo)",
            config.data_dir.display()
        );
    }
    let engine = kb::Engine::new();
    let (report, intents) = with_db(db, move |db| async move {
        let report = crate::kb::demo::load(&db, &engine, articles, vocabulary).await?;
        let intents = db
            .write(move |c| crate::routing::demo::load_in(c, &intents))
            .await?;
        Ok((report, intents))
    })?;
    println!(
        "loaded the demo shop into {}: {} articles in {} categories, {} synonym groups, \
         {} intents with their teams, and the chat inbox \"{}\".\nStart kefu (kefu --data {}), open it and \
         create the owner account; try the knowledge base under Knowledge base, or measure it: \
         kefu kb eval <questions.jsonl>, kefu routing eval <messages.jsonl>",
        config.data_dir.display(),
        report.articles,
        report.categories,
        report.synonym_groups,
        intents,
        report.inbox,
        config.data_dir.display(),
    );
    Ok(())
}
