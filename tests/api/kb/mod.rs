//! The knowledge base over HTTP: articles and categories, import and export,
//! search in Chinese and English, the public help center, and the CLI.

mod articles;
mod search;
mod transfer;

use serde_json::{Value, json};

use crate::common::Client;

/// Creates a category and returns its id.
pub async fn category(admin: &mut Client, locale: &str, name: &str) -> i64 {
    let (s, b) = admin
        .post("/api/kb/categories", json!({"locale": locale, "name": name}))
        .await;
    assert_eq!(s, 201, "{b}");
    b["id"].as_i64().unwrap()
}

/// Creates a published article and returns it.
pub async fn article(admin: &mut Client, fields: Value) -> Value {
    let mut body = json!({"locale": "zh-CN", "body": "…", "status": "published"});
    for (k, v) in fields.as_object().unwrap() {
        body[k] = v.clone();
    }
    let (s, b) = admin.post("/api/kb/articles", body).await;
    assert_eq!(s, 201, "{b}");
    b
}

/// The article ids of a search, best first.
pub async fn search_ids(client: &mut Client, q: &str) -> Vec<i64> {
    let path = format!("/api/kb/search?q={}", urlencode(q));
    let (s, b) = client.get(&path).await;
    assert_eq!(s, 200, "{b}");
    b["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["article_id"].as_i64().unwrap())
        .collect()
}

pub fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}
