//! Import and export, over HTTP and with `kefu kb import|export`: whole files or
//! nothing, bad rows named by line, and round trips that change nothing.

use reqwest::Method;
use serde_json::{Value, json};

use crate::common::{Client, TestServer, code, kefu, text};

/// Posts a file body to the import endpoint.
async fn import(client: &Client, format: &str, body: &str) -> (u16, Value) {
    let res = client
        .http
        .request(
            Method::POST,
            format!("{}/api/kb/import?format={format}", client.base),
        )
        .header("x-csrf-token", client.csrf.clone().unwrap_or_default())
        .header("content-type", "text/plain")
        .body(body.to_string())
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap())
}

async fn export(client: &Client, format: &str) -> String {
    let res = client
        .http
        .get(format!("{}/api/kb/export?format={format}", client.base))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let disposition = res.headers()["content-disposition"].to_str().unwrap().to_string();
    assert!(
        disposition.contains(&format!("kefu-knowledge-base.{format}")),
        "{disposition}"
    );
    res.text().await.unwrap()
}

async fn article_count(client: &mut Client) -> usize {
    let (_, list) = client.get("/api/kb/articles").await;
    list["articles"].as_array().unwrap().len()
}

const GOOD_JSON: &str = r#"[
  {"external_id": "refund-time", "category": "退货与退款", "locale": "zh-CN", "title": "退款多久到账",
   "body": "原路退回，1–3 个工作日。", "questions": ["钱什么时候退回来", "退款几天到"], "keywords": ["到账"]},
  {"external_id": "refund-time", "category": "Returns & refunds", "locale": "en", "title": "When will I get my refund?",
   "body": "Refunds go back to the original payment within 1–3 working days.", "questions": ["how long does a refund take"]},
  {"category": "配送", "locale": "zh-CN", "title": "包邮吗", "body": "满 99 元包邮。", "questions": ["运费多少"],
   "status": "draft"}
]"#;

#[tokio::test]
async fn json_and_csv_round_trip_over_http() {
    let server = TestServer::start().await;
    let mut admin = server.setup_owner().await;
    let (s, report) = import(&admin, "json", GOOD_JSON).await;
    assert_eq!(s, 200, "{report}");
    assert_eq!(
        report,
        json!({"created": 3, "updated": 0, "categories_created": 3})
    );
    let (_, list) = admin.get("/api/kb/articles?status=draft").await;
    assert_eq!(list["articles"][0]["title"], "包邮吗", "a row's status is kept");

    // Exported JSON re-imports as updates only, and exports identically again.
    let first = export(&admin, "json").await;
    let exported: Vec<Value> = serde_json::from_str(&first).unwrap();
    assert_eq!(exported.len(), 3);
    assert_eq!(
        exported[0]["questions"],
        json!(["钱什么时候退回来", "退款几天到"])
    );
    let (s, again) = import(&admin, "json", &first).await;
    assert_eq!(
        (s, again["created"].as_i64(), again["updated"].as_i64()),
        (200, Some(0), Some(3)),
        "{again}"
    );
    assert_eq!(export(&admin, "json").await, first);

    // CSV: the four documented columns come first; re-importing changes nothing.
    let csv = export(&admin, "csv").await;
    assert!(csv.starts_with("question,answer,category,alternates"), "{csv}");
    assert!(
        csv.contains("钱什么时候退回来|退款几天到"),
        "alternates joined by |: {csv}"
    );
    let (s, again) = import(&admin, "csv", &csv).await;
    assert_eq!(
        (s, again["created"].as_i64(), again["updated"].as_i64()),
        (200, Some(0), Some(3)),
        "{again}"
    );
    assert_eq!(
        export(&admin, "json").await,
        first,
        "CSV round trip kept every field"
    );

    // The plain four-column CSV a shop writes in a spreadsheet: language from the text.
    let sheet = "question,answer,category,alternates\n\
                 怎么开发票,下单时选择电子发票即可。,发票,开票|发票怎么开\n\
                 Do you ship abroad?,\"Not yet, only within mainland China.\",Shipping,international shipping|ship overseas\n";
    let (s, r) = import(&admin, "csv", sheet).await;
    assert_eq!((s, r["created"].as_i64()), (200, Some(2)), "{r}");
    let (_, en) = admin.get("/api/kb/articles?locale=en&q=abroad").await;
    let id = en["articles"][0]["id"].as_i64().unwrap();
    let (_, a) = admin.get(&format!("/api/kb/articles/{id}")).await;
    assert_eq!(a["questions"], json!(["international shipping", "ship overseas"]));
    assert_eq!(
        (a["category"].as_str(), a["status"].as_str()),
        (Some("Shipping"), Some("published"))
    );
    server.stop().await.unwrap();
}

#[tokio::test]
async fn a_file_with_bad_rows_imports_nothing_and_names_the_lines() {
    let server = TestServer::start().await;
    let mut admin = server.setup_owner().await;
    let bad_csv = "question,answer,category,alternates\n\
                   怎么开发票,下单时选择电子发票即可。,发票,\n\
                   ,没有问题的答案,发票,\n\
                   退货地址,,售后,\n\
                   怎么开发票,重复的一行,发票,\n";
    let (s, b) = import(&admin, "csv", bad_csv).await;
    assert_eq!((s, code(&b)), (400, "kb_import_refused"), "{b}");
    assert_eq!(
        (b["error"]["line"].as_str(), b["error"]["count"].as_str()),
        (Some("3"), Some("3")),
        "{b}"
    );
    assert_eq!(b["error"]["lines"], "3, 4, 5");
    assert!(
        b["error"]["message"]
            .as_str()
            .unwrap()
            .contains("Nothing was imported"),
        "{b}"
    );
    assert_eq!(article_count(&mut admin).await, 0, "not even the good row");

    let bad_json = "[\n  {\"locale\": \"zh-CN\", \"title\": \"好的\", \"body\": \"好\"},\n  {\"locale\": \"jp\", \"title\": \"x\", \"body\": \"y\"}\n]";
    let (s, b) = import(&admin, "json", bad_json).await;
    assert_eq!((s, b["error"]["line"].as_str()), (400, Some("3")), "{b}");
    let (s, _) = admin.patch("/api/me", json!({"locale": "zh-CN"})).await;
    assert_eq!(s, 200);
    let (s, b) = import(&admin, "json", "[{\"locale\": \"en\", \"title\": \"x\"").await;
    assert_eq!((s, code(&b)), (400, "kb_import_refused"));
    assert!(
        b["error"]["message"].as_str().unwrap().contains("未导入任何内容"),
        "{b}"
    );
    let (s, b) = import(&admin, "json", "[]").await;
    assert_eq!((s, code(&b)), (400, "kb_import_refused"), "{b}");
    let (s, b) = import(&admin, "csv", "title,text\nx,y\n").await;
    assert_eq!((s, code(&b)), (400, "kb_import_refused"), "{b}");
    assert!(b["error"]["reason"].as_str().unwrap().contains("question"), "{b}");
    // Valid JSON, padded past the 20 MB limit.
    let huge = format!(
        r#"[{{"locale":"en","title":"t","body":"b"}}{}]"#,
        " ".repeat(21 * 1024 * 1024)
    );
    let (s, b) = import(&admin, "json", &huge).await;
    assert_eq!((s, code(&b)), (413, "kb_import_too_large"), "{b}");
    assert_eq!(article_count(&mut admin).await, 0);
    server.stop().await.unwrap();
}

#[tokio::test]
async fn cli_imports_exports_and_refuses_bad_files() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let data = data.to_str().unwrap();
    let file = dir.path().join("kb.json");
    std::fs::write(&file, GOOD_JSON).unwrap();
    let out = kefu(
        &["kb", "import", file.to_str().unwrap(), "--data", data],
        &[],
        None,
    );
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("3 articles added"), "{}", text(&out));

    let bad = dir.path().join("bad.csv");
    std::fs::write(&bad, "question,answer\n好的问题,好的答案\n,没有问题\n").unwrap();
    let out = kefu(
        &["kb", "import", bad.to_str().unwrap(), "--data", data],
        &[],
        None,
    );
    assert!(!out.status.success());
    let said = text(&out);
    assert!(
        said.contains("bad.csv:3:") && said.contains("nothing was imported"),
        "{said}"
    );

    let out = kefu(
        &[
            "kb", "export", "--format", "csv", "--locale", "en", "--data", data,
        ],
        &[],
        None,
    );
    assert!(out.status.success(), "{}", text(&out));
    let csv = String::from_utf8_lossy(&out.stdout).to_string();
    assert_eq!(
        csv.lines().count(),
        2,
        "header and the one English article: {csv}"
    );
    assert!(csv.contains("When will I get my refund?"));
    let out = kefu(&["kb", "export", "--locale", "fr", "--data", data], &[], None);
    assert!(
        !out.status.success() && text(&out).contains("en or zh-CN"),
        "{}",
        text(&out)
    );
    let out = kefu(
        &[
            "kb",
            "import",
            dir.path().join("kb.txt").to_str().unwrap(),
            "--data",
            data,
        ],
        &[],
        None,
    );
    assert!(
        !out.status.success() && text(&out).contains("--format"),
        "{}",
        text(&out)
    );
}
