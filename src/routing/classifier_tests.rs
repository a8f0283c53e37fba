use super::*;
use crate::routing::intents::{IntentId, Training};

fn intent(id: i64, name: &str, examples: &[&str], keywords: &[&str]) -> Training {
    Training {
        id: IntentId(id),
        name: name.into(),
        label: name.into(),
        examples: examples.iter().map(|s| s.to_string()).collect(),
        keywords: keywords.iter().map(|s| s.to_string()).collect(),
        labelled: Vec::new(),
    }
}

fn model() -> (Analyzer, Model) {
    let analyzer = Analyzer::new(&[], &[]);
    let intents = [
        intent(
            1,
            "shipping",
            &["快递怎么还没到", "物流不动了", "where is my parcel", "包裹到哪了"],
            &["还没到"],
        ),
        intent(
            2,
            "pre_sales",
            &["多少钱", "运费怎么算", "有没有优惠", "how much is shipping"],
            &["多少钱"],
        ),
        intent(
            3,
            "invoice",
            &["能开发票吗", "发票抬头", "need an invoice"],
            &["发票"],
        ),
    ];
    let m = Model::train(&analyzer, &intents);
    (analyzer, m)
}

#[test]
fn classifies_by_words_character_pairs_and_keywords() {
    let (a, m) = model();
    for (text, expected) in [
        ("快递咋还没到", "shipping"),
        ("快递费多少钱", "pre_sales"),
        ("我要开个发票", "invoice"),
        ("my parcel is late", "shipping"),
        ("invoice please", "invoice"),
    ] {
        let g = m.classify(&a, text).unwrap();
        assert_eq!(g.name, expected, "{text}: {g:?}");
    }
}

#[test]
fn confidences_are_a_distribution_and_empty_models_say_nothing() {
    let (a, m) = model();
    let ranked = m.rank(&a, "快递咋还没到");
    let sum: f64 = ranked.iter().map(|g| g.confidence).sum();
    assert!((sum - 1.0).abs() < 0.01, "{ranked:?}");
    assert!(ranked.windows(2).all(|w| w[0].confidence >= w[1].confidence));
    assert!(Model::default().classify(&a, "anything").is_none());
    // Nothing the model knows: no intent stands out.
    let unknown = m.rank(&a, "zzz qqq");
    assert!(unknown[0].confidence < 0.5, "{unknown:?}");
}

#[test]
fn labelled_conversations_teach_new_phrasings() {
    let analyzer = Analyzer::new(&[], &[]);
    let mut intents = vec![
        intent(1, "shipping", &["快递怎么还没到"], &[]),
        intent(2, "invoice", &["能开发票吗"], &[]),
    ];
    let before = Model::train(&analyzer, &intents)
        .classify(&analyzer, "蓝鲸小象")
        .unwrap();
    intents[1].labelled = vec!["蓝鲸小象".into(), "蓝鲸小象呢".into()];
    let after = Model::train(&analyzer, &intents)
        .classify(&analyzer, "蓝鲸小象")
        .unwrap();
    assert_eq!(after.name, "invoice");
    assert!(after.confidence > before.confidence || before.name != "invoice");
}
