//! The email channel: the shop's mailbox read over IMAP (`reader`, settings in
//! `inbox`), each mail parsed — charsets, threading tokens, robot detection
//! (`parse`) — and turned into a ticket or a reply in one (`ingest`), with quoted
//! history folded for display (`quote`).

pub mod imap;
mod imap_tls;
pub mod inbox;
pub mod ingest;
pub mod parse;
pub mod quote;
pub mod reader;
