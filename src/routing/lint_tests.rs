use super::*;

fn k(v: serde_json::Value) -> Conditions {
    serde_json::from_value(v).unwrap()
}

#[test]
fn covers_is_true_only_when_every_narrow_match_is_a_wide_match() {
    use serde_json::json;
    let table = [
        (json!({}), json!({"intents": ["a"]}), true),
        (json!({"intents": ["a", "b"]}), json!({"intents": ["a"]}), true),
        (json!({"intents": ["a"]}), json!({"intents": ["a", "b"]}), false),
        (json!({"intents": ["a"]}), json!({}), false),
        (
            json!({"keywords": ["退"]}),
            json!({"keywords": ["退款", "退货"]}),
            true,
        ),
        (json!({"keywords": ["退款"]}), json!({"keywords": ["退"]}), false),
        (
            json!({"vip": true}),
            json!({"vip": true, "languages": ["en"]}),
            true,
        ),
        (json!({"vip": true}), json!({"vip": false}), false),
        (
            json!({"pattern": "\\d+"}),
            json!({"pattern": "\\d+", "vip": true}),
            true,
        ),
        (json!({"pattern": "\\d+"}), json!({"pattern": "\\d{8}"}), false),
        (
            json!({"business_hours": "open"}),
            json!({"business_hours": "closed"}),
            false,
        ),
    ];
    for (wide, narrow, expected) in table {
        assert_eq!(
            covers(&k(wide.clone()), &k(narrow.clone())),
            expected,
            "{wide} ⊇ {narrow}"
        );
    }
}
