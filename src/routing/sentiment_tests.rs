use super::*;

/// (message, expected label, urgent)
const CASES: &[(&str, Feeling, bool)] = &[
    ("不满意", Feeling::Negative, false),
    ("很满意，谢谢", Feeling::Positive, false),
    ("不错", Feeling::Positive, false),
    ("质量不错，物流也很快", Feeling::Positive, false),
    ("不太好", Feeling::Negative, false),
    ("没问题", Feeling::Positive, false),
    ("太慢了", Feeling::Negative, false),
    ("你们这什么垃圾服务", Feeling::Negative, false),
    ("一点也不满意", Feeling::Negative, false),
    ("快递到哪了", Feeling::Neutral, false),
    ("快递咋还没到，气死了", Feeling::Negative, false),
    ("还没收到 太慢了", Feeling::Negative, false),
    ("请问可以开发票吗", Feeling::Neutral, false),
    ("再不发货我就投诉", Feeling::Negative, true),
    ("差评！！！", Feeling::Negative, true),
    ("打12315了", Feeling::Negative, true),
    ("在吗在吗", Feeling::Negative, true),
    ("怎么还没到！！！", Feeling::Negative, true),
    ("催一下，急用", Feeling::Negative, true),
    ("The service was great, thanks!", Feeling::Positive, false),
    ("not good", Feeling::Negative, false),
    ("not bad at all", Feeling::Positive, false),
    (
        "This is not acceptable, I am very disappointed",
        Feeling::Negative,
        false,
    ),
    ("I'm not happy with this", Feeling::Negative, false),
    ("Where is my order?", Feeling::Neutral, false),
    ("I will file a complaint", Feeling::Negative, true),
    ("terrible terrible service!!!", Feeling::Negative, true),
    ("I don't hate it", Feeling::Positive, false),
];

#[test]
fn labels_with_negation_intensifiers_and_urgency() {
    for (text, label, urgent) in CASES {
        let s = analyse(text);
        assert_eq!(s.label, *label, "{text}: {s:?}");
        assert_eq!(s.urgent, *urgent, "{text}: {s:?}");
    }
}

#[test]
fn intensifiers_make_it_stronger_and_negators_show_in_cues() {
    let plain = analyse("慢").score;
    let strong = analyse("太慢").score;
    assert!(strong < plain, "太慢 {strong} vs 慢 {plain}");
    assert!(analyse("very bad").score < analyse("bad").score);
    assert_eq!(analyse("不喜欢").cues, vec!["不+喜欢"]);
    assert_eq!(analyse("非常不满意").label, Feeling::Negative);
    assert!(analyse("投诉").cues.contains(&"投诉".to_string()));
}

#[test]
fn scores_stay_in_range_for_any_input() {
    for text in [
        "",
        "!!!!!!!!!!!!",
        &"气死".repeat(500),
        "😡😡",
        "\u{0}",
        &"不".repeat(100),
    ] {
        let s = analyse(text);
        assert!((-1.0..=1.0).contains(&s.score), "{text:?}: {}", s.score);
    }
}

#[test]
fn the_trend_follows_recent_messages() {
    let angry = analyse("气死了，太差了");
    let t = trend(None, angry.score);
    assert!(is_negative(t, &angry));
    let calm = analyse("好的，谢谢");
    let t = trend(Some(t), calm.score);
    let t = trend(Some(t), calm.score);
    assert!(!is_negative(t, &calm), "calmed down: {t}");
}
