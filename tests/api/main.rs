//! Integration tests: the real server in-process over HTTP, a real SQLite file,
//! the real `kefu` binary for CLI commands, a real SMTP server for mail.

mod common;
mod mail_servers;

mod admin;
mod assets;
mod authz;
mod bad_input;
mod bot;
mod chat;
mod cli;
mod contacts;
mod email_chat;
mod email_inbox;
mod inbox_tools;
mod kb;
mod mail;
mod routing;
mod session;
mod sla;
mod storage;
mod ticket_live;
mod tickets;
