//! Channels turn what arrives into an `InboundMessage` for `conversations::ingest`.
//! One file (or folder) per connector: the web widget, email.

pub mod email;
pub mod web;
