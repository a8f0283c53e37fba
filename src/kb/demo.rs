//! `kefu demo`: the demo shop, an online shop's knowledge base in zh-CN and en
//! with its synonyms and a chat inbox, loaded through the same paths an admin
//! uses (vocabulary, import, inbox creation).

use super::transfer::{self, Format};
use super::vocabulary::{self, Vocabulary};
use super::{Engine, categories};
use crate::db::Db;
use crate::error::AppResult;
use crate::i18n::Lang;
use crate::inboxes::{self, InboxFields};

pub struct DemoReport {
    pub articles: usize,
    pub categories: usize,
    pub synonym_groups: usize,
    pub inbox: String,
}

pub async fn load(
    db: &Db,
    engine: &Engine,
    articles: Vec<u8>,
    vocabulary: Vocabulary,
) -> AppResult<DemoReport> {
    let synonym_groups = load_vocabulary(db, engine, vocabulary).await?;
    let report = transfer::import(db, engine, None, articles, Format::Json, Lang::En).await?;
    let inbox = inboxes::create_inbox(
        db,
        None,
        InboxFields {
            name: Some("演示店铺 Demo shop".into()),
            greeting: Some("您好！有什么可以帮您？ Hi! How can we help?".into()),
            ..Default::default()
        },
    )
    .await?;
    let categories = db.read(|c| Ok(categories(c)?.len())).await?;
    Ok(DemoReport {
        articles: report.created + report.updated,
        categories,
        synonym_groups,
        inbox: inbox.name,
    })
}

/// Saves the shop's words and synonyms (no audit actor: the operator's command).
/// Returns the number of synonym groups.
pub async fn load_vocabulary(db: &Db, engine: &Engine, vocabulary: Vocabulary) -> AppResult<usize> {
    let vocabulary = vocabulary::check(vocabulary)?;
    let groups = vocabulary.synonyms.len();
    let writer_engine = engine.clone();
    let saved = engine
        .write(db, move |c| {
            writer_engine.install(vocabulary::replace_in(c, &vocabulary)?);
            Ok(())
        })
        .await;
    if saved.is_err() {
        engine.forget();
    }
    saved.map(|()| groups)
}
