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
    let synonym_groups = vocabulary::put(db, engine, None, vocabulary)
        .await?
        .synonyms
        .len();
    let report = transfer::import(db, engine, None, articles, Format::Json, Lang::En).await?;
    let inbox = inboxes::create_inbox(
        db,
        None,
        InboxFields {
            name: Some("演示店铺 Demo shop".into()),
            greeting: Some("您好！有什么可以帮您？ Hi! How can we help?".into()),
            bot_enabled: Some(true),
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
