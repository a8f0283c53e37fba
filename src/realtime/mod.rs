//! The in-process hub: topics that websocket sessions subscribe to and that feature
//! functions publish to after their write committed. Delivery is best effort —
//! a subscriber that falls behind is told so (`Lagged`) and refetches over HTTP, so
//! nothing is lost: the database, not the hub, is the record.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use tokio::sync::broadcast;

use crate::accounts::AgentId;
use crate::contacts::ContactId;
use crate::conversations::{ConversationId, ConversationSummary, Delivery, Message, MessageId};

/// Where an event goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Topic {
    /// Every agent console.
    Agents,
    /// Every widget tab of one contact.
    Contact(ContactId),
    /// Every open widget (for presence: whether anyone is online).
    Visitors,
}

/// Something that happened, for sockets to render in their own view.
// Events travel once per publish inside an `Arc<Published>`, never copied per
// subscriber, so the size of the largest variant costs nothing worth boxing for.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug)]
pub enum Event {
    /// A new message, with its conversation as it is after the message (consoles
    /// get both in one frame: half the frames of a message then a summary).
    Message {
        message: Message,
        conversation: ConversationSummary,
    },
    Conversation(ConversationSummary),
    Typing {
        conversation_id: ConversationId,
        /// `None`: the customer is typing; `Some`: this agent is.
        agent: Option<(AgentId, String)>,
        typing: bool,
    },
    Delivery {
        conversation_id: ConversationId,
        up_to: MessageId,
        delivery: Delivery,
        /// Whose messages changed state: the customer's (`true`) or the agents'.
        of_contact: bool,
    },
    Presence {
        agents_online: bool,
    },
    /// Some agent got a notification: consoles fetch their own.
    Notifications,
    /// Tickets changed: consoles showing tickets refresh them.
    TicketsChanged,
}

/// Broadcast buffers are allocated up front: the consoles' topic carries the whole
/// shop's traffic, a visitor's topic only their own conversation.
fn capacity(topic: Topic) -> usize {
    match topic {
        Topic::Agents => 1024,
        Topic::Contact(_) | Topic::Visitors => 16,
    }
}

/// An event as delivered: rendered at most once per view, however many sockets
/// send it (twenty consoles must not serialize the same message twenty times).
pub struct Published {
    pub event: Event,
    agent_frame: OnceLock<Option<Arc<str>>>,
    visitor_frame: OnceLock<Option<Arc<str>>>,
}

impl Published {
    pub fn agent_frame(&self, render: impl FnOnce(&Event) -> Option<String>) -> Option<Arc<str>> {
        self.agent_frame
            .get_or_init(|| render(&self.event).map(Arc::from))
            .clone()
    }

    pub fn visitor_frame(&self, render: impl FnOnce(&Event) -> Option<String>) -> Option<Arc<str>> {
        self.visitor_frame
            .get_or_init(|| render(&self.event).map(Arc::from))
            .clone()
    }
}

#[derive(Default)]
pub struct Hub {
    topics: Mutex<HashMap<Topic, broadcast::Sender<Arc<Published>>>>,
    /// The queue as waiting customers were last told it.
    queue: Mutex<QueueSeen>,
}

/// The queue positions last published, and the read they came from.
#[derive(Default)]
struct QueueSeen {
    ticket: u64,
    next_ticket: u64,
    positions: HashMap<i64, usize>,
}

impl Hub {
    pub fn new() -> Hub {
        Hub::default()
    }

    pub fn subscribe(&self, topic: Topic) -> broadcast::Receiver<Arc<Published>> {
        let mut topics = self.topics.lock().unwrap_or_else(|p| p.into_inner());
        topics
            .entry(topic)
            .or_insert_with(|| broadcast::channel(capacity(topic)).0)
            .subscribe()
    }

    /// Sends to the topic's current subscribers; returns how many there were.
    pub fn publish(&self, topic: Topic, event: Event) -> usize {
        let mut topics = self.topics.lock().unwrap_or_else(|p| p.into_inner());
        let Some(sender) = topics.get(&topic) else {
            return 0;
        };
        let published = Published {
            event,
            agent_frame: OnceLock::new(),
            visitor_frame: OnceLock::new(),
        };
        match sender.send(Arc::new(published)) {
            Ok(n) => n,
            Err(_) => {
                // Nobody listens any more: forget the topic so the map does not grow.
                topics.remove(&topic);
                0
            }
        }
    }

    /// A number to take before reading the queue, for `queue_moves`.
    pub fn queue_ticket(&self) -> u64 {
        let mut q = self.queue.lock().unwrap_or_else(|p| p.into_inner());
        q.next_ticket += 1;
        q.next_ticket
    }

    /// Given the queue in order (conversation ids) as read after taking `ticket`,
    /// the conversations whose place changed since the last published reading.
    /// A reading older than one already applied is ignored.
    pub fn queue_moves(&self, ticket: u64, order: &[i64]) -> Vec<i64> {
        let mut q = self.queue.lock().unwrap_or_else(|p| p.into_inner());
        if ticket < q.ticket {
            return Vec::new();
        }
        q.ticket = ticket;
        let positions: HashMap<i64, usize> = order.iter().enumerate().map(|(i, id)| (*id, i)).collect();
        let moved = order
            .iter()
            .enumerate()
            .filter(|(i, id)| q.positions.get(id) != Some(i))
            .map(|(_, id)| *id)
            .collect();
        q.positions = positions;
        moved
    }

    /// Whether anyone listens on the topic now (a customer with the widget open).
    pub fn has_subscribers(&self, topic: Topic) -> bool {
        let topics = self.topics.lock().unwrap_or_else(|p| p.into_inner());
        topics.get(&topic).is_some_and(|s| s.receiver_count() > 0)
    }

    /// How many consoles are connected right now.
    pub fn agent_sockets(&self) -> usize {
        let topics = self.topics.lock().unwrap_or_else(|p| p.into_inner());
        topics.get(&Topic::Agents).map_or(0, |s| s.receiver_count())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn publish_reaches_subscribers_of_the_topic_only() {
        let hub = Hub::new();
        let mut a = hub.subscribe(Topic::Contact(ContactId(1)));
        let mut b = hub.subscribe(Topic::Contact(ContactId(2)));
        assert_eq!(
            hub.publish(
                Topic::Contact(ContactId(1)),
                Event::Presence { agents_online: true }
            ),
            1
        );
        assert!(matches!(
            a.recv().await.unwrap().event,
            Event::Presence { agents_online: true }
        ));
        assert!(b.try_recv().is_err());
        drop(a);
        assert_eq!(
            hub.publish(
                Topic::Contact(ContactId(1)),
                Event::Presence { agents_online: true }
            ),
            0
        );
        assert_eq!(
            hub.publish(Topic::Agents, Event::Presence { agents_online: true }),
            0
        );
    }
}
