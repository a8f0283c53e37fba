//! Routing: who handles a conversation. Every new conversation gets an intent
//! from the classifier and each customer message a sentiment; ordered rules then
//! set its team, priority, labels, agent, bot and auto-reply; and `dispatch`
//! hands queued conversations to agents by each team's strategy, within each
//! agent's capacity. See docs/routing.md.

pub mod admin;
mod assign;
pub mod classifier;
mod decide;
pub mod demo;
pub mod eval;
pub mod intents;
mod lint;
pub mod matching;
mod queue;
pub mod rules;
pub mod sentiment;
pub mod settings;

use std::sync::{Arc, RwLock};

use rusqlite::Connection;

pub use assign::dispatch;
pub use classifier::{Guess, Model};
pub use decide::{NewConversation, on_customer_message, route_new};
pub use queue::{Pace, estimated_wait_ms, queue_order, queue_pace, requeue_agent};

use crate::db::Db;
use crate::error::{AppError, AppResult};
use crate::kb::text::Analyzer;

/// What routing decides with, swapped whole when intents, labels or rules change.
pub struct Snapshot {
    pub analyzer: Arc<Analyzer>,
    pub model: Model,
    pub rules: Vec<matching::Compiled>,
}

impl Snapshot {
    /// Reads intents, labels and rules and trains the classifier.
    pub fn load(c: &Connection, engine: &crate::kb::Engine) -> AppResult<Snapshot> {
        let analyzer = engine.analyzer(c)?;
        let training = intents::training_set(c)?;
        let model = Model::train(&analyzer, &training);
        let rules = rules::all(c)?.into_iter().map(matching::Compiled::new).collect();
        Ok(Snapshot {
            analyzer,
            model,
            rules,
        })
    }

    pub fn rank(&self, text: &str) -> Vec<Guess> {
        self.model.rank(&self.analyzer, text)
    }
}

/// The current snapshot, shared by every request; cheap to clone.
#[derive(Clone)]
pub struct Router {
    engine: crate::kb::Engine,
    current: Arc<RwLock<Option<Arc<Snapshot>>>>,
    /// Rung when agents' labels change: the trainer retrains once for a burst.
    relabelled: Arc<tokio::sync::Notify>,
}

impl Router {
    pub fn new(engine: crate::kb::Engine) -> Router {
        Router {
            engine,
            current: Arc::default(),
            relabelled: Arc::default(),
        }
    }

    /// The snapshot to decide with; built on first use.
    pub fn snapshot(&self, c: &Connection) -> AppResult<Arc<Snapshot>> {
        if let Some(s) = self.current.read().map_err(poisoned)?.as_ref() {
            return Ok(s.clone());
        }
        let built = Arc::new(Snapshot::load(c, &self.engine)?);
        *self.current.write().map_err(poisoned)? = Some(built.clone());
        Ok(built)
    }

    /// Rebuilds the snapshot now: after an admin changed intents or rules, the
    /// next message (and the "try it" box) must see the change.
    pub async fn reload(&self, db: &Db) -> AppResult<()> {
        let engine = self.engine.clone();
        let fresh = db.read(move |c| Snapshot::load(c, &engine)).await?;
        *self.current.write().map_err(poisoned)? = Some(Arc::new(fresh));
        Ok(())
    }

    /// An agent labelled a conversation: retrain in the background.
    pub fn relabelled(&self) {
        self.relabelled.notify_one();
    }

    /// The background trainer: retrains after labels change, at most once a second.
    pub async fn train_on_labels(self, db: Db) {
        loop {
            self.relabelled.notified().await;
            tokio::time::sleep(std::time::Duration::from_secs(1)).await;
            if let Err(e) = self.reload(&db).await {
                tracing::warn!(error = ?e, "cannot retrain the intent classifier");
            }
        }
    }
}

fn poisoned<T>(_: T) -> AppError {
    AppError::internal(anyhow::anyhow!("routing snapshot poisoned"))
}
