//! The console is served from the binary with hashed, long-cached, compressed assets.

use crate::common::*;

#[tokio::test]
async fn console_page_and_hashed_assets() {
    let server = TestServer::start().await;
    let http = reqwest::Client::new();
    let res = http.get(format!("{}/", server.base)).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["cache-control"], "no-cache");
    let csp = res.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        csp.contains("default-src 'self'") && csp.contains("'sha256-"),
        "{csp}"
    );
    let html = res.text().await.unwrap();
    assert!(
        html.contains("<script type=\"importmap\">"),
        "import map injected"
    );
    assert!(!html.contains("{{asset:"), "all placeholders replaced");

    // Every asset URL in the manifest is hashed and served immutable.
    let start = html
        .find("id=\"kefu-assets\" type=\"application/json\">")
        .unwrap();
    let rest = &html[start..];
    let json_text = &rest[rest.find('>').unwrap() + 1..rest.find("</script>").unwrap()];
    let manifest: serde_json::Value = serde_json::from_str(json_text).unwrap();
    let urls: Vec<String> = manifest
        .as_object()
        .unwrap()
        .values()
        .map(|v| v.as_str().unwrap().to_string())
        .collect();
    assert!(
        urls.iter()
            .any(|u| u.starts_with("/assets/console/js/") && u.ends_with(".js"))
    );
    for url in &urls {
        let res = http
            .get(format!("{}{url}", server.base))
            .header("accept-encoding", "gzip")
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200, "{url}");
        assert_eq!(
            res.headers()["cache-control"],
            "public, max-age=31536000, immutable",
            "{url}"
        );
        if url.ends_with(".js") || url.ends_with(".css") || url.ends_with(".json") {
            assert_eq!(res.headers()["content-encoding"], "gzip", "{url} is compressed");
        }
    }
    // The plain path works too, but is revalidated.
    let res = http
        .get(format!("{}/assets/i18n/en.json", server.base))
        .send()
        .await
        .unwrap();
    assert_eq!(
        (
            res.status().as_u16(),
            res.headers()["cache-control"].to_str().unwrap()
        ),
        (200, "no-cache")
    );
    // Templates and other non-public files are not served.
    let res = http
        .get(format!("{}/assets/../Cargo.toml", server.base))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
}
