//! The email channel. For now: reading what customers send — MIME parsing with
//! charsets, threading tokens and robot detection (`parse`), and folding quoted
//! history for display (`quote`). The IMAP inbox that feeds it comes next.

pub mod parse;
pub mod quote;
