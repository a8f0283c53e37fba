//! Images both ways, shutdown with open sockets, and upload limits.

use super::*;

/// A tiny valid PNG (1×1 pixel).
const PNG: &[u8] = &[
    0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52, 0x00,
    0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1F, 0x15, 0xC4, 0x89, 0x00,
    0x00, 0x00, 0x0D, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9C, 0x63, 0xF8, 0xCF, 0xC0, 0xF0, 0x1F, 0x00, 0x05,
    0x00, 0x01, 0xFF, 0x89, 0x99, 0x3D, 0x1D, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42,
    0x60, 0x82,
];

async fn upload(c: &Client, path: &str, bytes: Vec<u8>, content_type: &str) -> (u16, Value) {
    let mut req = c
        .http
        .post(format!("{}{path}", c.base))
        .header("content-type", content_type)
        .body(bytes);
    if let Some(v) = &c.visitor {
        req = req.header("x-kefu-visitor", v);
    }
    if let Some(t) = &c.csrf {
        req = req.header("x-csrf-token", t);
    }
    let res = req.send().await.unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn images_go_both_ways_and_only_their_sender_can_attach_them() {
    let mut shop = shop().await;
    let (mut v, _, _) = shop.visitor(json!({})).await;
    let (mut other, _, _) = shop.visitor(json!({})).await;

    let (s, b) = upload(
        &v,
        "/api/widget/attachments",
        b"<svg onload=alert(1)>".to_vec(),
        "image/svg+xml",
    )
    .await;
    assert_eq!((s, code(&b)), (415, "not_an_image"));
    let mut big = PNG.to_vec();
    big.resize(5 * 1024 * 1024 + 1, 0);
    let (s, b) = upload(&v, "/api/widget/attachments", big, "image/png").await;
    assert_eq!((s, code(&b)), (413, "image_too_large"));
    let (s, img) = upload(&v, "/api/widget/attachments", PNG.to_vec(), "image/png").await;
    assert_eq!((s, img["mime"].as_str()), (201, Some("image/png")));
    let url = img["url"].as_str().unwrap().to_string();
    assert!(
        url.starts_with("/api/attachments/") && url.len() > 50,
        "unguessable: {url}"
    );

    // Someone else's upload cannot be attached.
    let (s, b) = other
        .post(
            "/api/widget/messages",
            json!({"client_id": "steal", "attachment_id": img["id"]}),
        )
        .await;
    assert_eq!((s, code(&b)), (400, "unknown_attachment"));
    // The owner sends it, without text.
    let (s, sent) = v
        .post(
            "/api/widget/messages",
            json!({"client_id": "pic", "attachment_id": img["id"]}),
        )
        .await;
    assert_eq!(s, 201, "{sent}");
    assert_eq!(sent["message"]["attachment"]["url"], url.as_str());
    let conversation = sent["conversation"]["id"].as_i64().unwrap();
    let (_, detail) = shop
        .owner
        .get(&format!("/api/conversations/{conversation}"))
        .await;
    assert_eq!(detail["messages"][0]["attachment"]["mime"], "image/png");
    assert_eq!(
        detail["conversation"]["last_message"]["image"], true,
        "lists can say the last message was an image"
    );

    let res = reqwest::get(format!("{}{url}", shop.server.base)).await.unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "image/png");
    assert!(
        res.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("sandbox")
    );
    assert_eq!(res.bytes().await.unwrap().as_ref(), PNG);
    assert_eq!(
        reqwest::get(format!("{}/api/attachments/guessed", shop.server.base))
            .await
            .unwrap()
            .status(),
        404
    );
    // Stored once on disk, under its hash.
    let files = walk(&shop.server.data_dir.join("attachments"));
    assert_eq!(files, 1);

    // And back: the agent sends an image.
    let (s, agent_img) = upload(&shop.owner, "/api/attachments", PNG.to_vec(), "image/png").await;
    assert_eq!(s, 201);
    let (s, r) = shop
        .owner
        .post(
            &format!("/api/conversations/{conversation}/messages"),
            json!({"body": "这是实物图", "attachment_id": agent_img["id"]}),
        )
        .await;
    assert_eq!(s, 201, "{r}");
    let (_, seen) = v.get("/api/widget/messages?after=0").await;
    assert_eq!(seen["messages"][1]["attachment"]["mime"], "image/png");
    let (s, b) = shop
        .owner
        .post(
            &format!("/api/conversations/{conversation}/messages"),
            json!({"attachment_id": img["id"]}),
        )
        .await;
    assert_eq!(
        (s, code(&b)),
        (400, "unknown_attachment"),
        "an agent cannot forward the customer's upload as theirs"
    );
    let (s, b) = v
        .post("/api/widget/messages", json!({"client_id": "nothing"}))
        .await;
    assert_eq!((s, code(&b)), (400, "body_empty"));
    assert_eq!(
        walk(&shop.server.data_dir.join("attachments")),
        1,
        "same bytes, same file"
    );
    let _ = &mut other;
    let _ = &mut v;
}

fn walk(dir: &std::path::Path) -> usize {
    std::fs::read_dir(dir)
        .map(|rd| {
            rd.map(|e| {
                let p = e.unwrap().path();
                if p.is_dir() { walk(&p) } else { 1 }
            })
            .sum()
        })
        .unwrap_or(0)
}

#[tokio::test]
async fn stopping_closes_sockets_with_going_away_at_once() {
    let shop = shop().await;
    let (_, token, _) = shop.visitor(json!({})).await;
    let mut visitor_ws = shop.visitor_socket(&token).await;
    let mut agent_ws = shop.agent_socket().await;
    let started = std::time::Instant::now();
    let stop = tokio::spawn(async move { shop.server.stop().await });
    for ws in [&mut visitor_ws, &mut agent_ws] {
        let close = loop {
            match tokio::time::timeout(Duration::from_secs(5), ws.next())
                .await
                .expect("closed within 5 s")
            {
                Some(Ok(Frame::Close(reason))) => break reason,
                Some(Ok(_)) => continue,
                other => panic!("expected a close frame, got {other:?}"),
            }
        };
        assert_eq!(close.map(|c| u16::from(c.code)), Some(1001), "going away");
    }
    stop.await.unwrap().unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "took {:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn uploads_are_rate_limited_and_oversized_bodies_get_clear_errors() {
    let shop = shop().await;
    let (v, _, _) = shop.visitor(json!({})).await;
    for i in 0..10 {
        let (s, b) = upload(&v, "/api/widget/attachments", PNG.to_vec(), "image/png").await;
        assert_eq!(s, 201, "upload {i}: {b}");
    }
    let res = v
        .http
        .post(format!("{}/api/widget/attachments", v.base))
        .header("x-kefu-visitor", v.visitor.as_deref().unwrap())
        .header("content-type", "image/png")
        .body(PNG.to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 429);
    let wait: u64 = res.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((250..=301).contains(&wait), "retry after {wait} s");
    let body: Value = res.json().await.unwrap();
    assert_eq!(code(&body), "uploads_slow_down");
    // Only that visitor waits.
    let (other, _, _) = shop.visitor(json!({})).await;
    let (s, _) = upload(&other, "/api/widget/attachments", PNG.to_vec(), "image/png").await;
    assert_eq!(s, 201);

    // A body far over every limit still gets a JSON answer, for an image and for a CSV.
    let mut huge = PNG.to_vec();
    huge.resize(17 * 1024 * 1024, 0);
    let (s, b) = upload(&other, "/api/widget/attachments", huge.clone(), "image/png").await;
    assert_eq!((s, code(&b)), (413, "image_too_large"));
    let (s, b) = upload(&shop.owner, "/api/orders/import", huge, "text/csv").await;
    assert_eq!((s, code(&b)), (413, "payload_too_large"), "{b}");
    assert!(b["error"]["message"].as_str().unwrap().contains("16384"));
}
