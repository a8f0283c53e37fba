//! Routing: who handles a conversation. For now round-robin assignment among the
//! inbox team's online agents with free capacity; rules, intents and skills grow
//! here later, behind the same `dispatch`.

mod assign;

pub use assign::dispatch;
