//! Channels turn what arrives into an `InboundMessage` for `conversations::ingest`.
//! One file per connector; for now the web widget.

pub mod web;
