//! Tests of the ranking and the confidence.

use super::*;

fn words(text: &str) -> Vec<String> {
    text.split_whitespace().map(str::to_owned).collect()
}

fn article(title: &str, questions: &[&str], body: &str) -> ArticleTerms {
    ArticleTerms::new(
        words(title),
        questions.iter().map(|q| words(q)).collect(),
        Vec::new(),
        words(body),
    )
}

fn query<'a>(terms: &[(&'a str, u32)]) -> Vec<QueryTerm<'a>> {
    terms
        .iter()
        .map(|&(text, docs)| QueryTerm { text, docs })
        .collect()
}

#[test]
fn the_question_that_matches_wins_with_confidence() {
    let refund = article(
        "退款 多久 到账",
        &["退款 多久 到账", "钱 退回"],
        "原路 退回 工作日",
    );
    let returns = article("退货 流程", &["退货", "退货 地址"], "退款 仓库 验货");
    let candidates = [
        Candidate {
            topic: "returns",
            bm25: -6.0,
            terms: &returns,
        },
        Candidate {
            topic: "refund",
            bm25: -5.0,
            terms: &refund,
        },
    ];
    let ranking = rank(&query(&[("退款", 2), ("多久", 3), ("到账", 1)]), 100, &candidates);
    assert_eq!(ranking.topics[0].topic, "refund");
    assert!(
        ranking.topics[0].confidence >= ANSWER_THRESHOLD,
        "{:?}",
        ranking.topics[0]
    );
    assert!(ranking.topics[1].confidence < ranking.topics[0].confidence);
}

#[test]
fn translations_are_one_topic_best_row_first() {
    let zh = article("发票", &["开 发票"], "");
    let en = article("invoic", &["get invoic"], "");
    let candidates = [
        Candidate {
            topic: "e-invoice",
            bm25: -2.0,
            terms: &zh,
        },
        Candidate {
            topic: "e-invoice",
            bm25: -3.0,
            terms: &en,
        },
    ];
    let ranking = rank(&query(&[("invoic", 2), ("发票", 2)]), 100, &candidates);
    assert_eq!(ranking.topics.len(), 1);
    assert_eq!(ranking.topics[0].articles, [1, 0]);
    assert_eq!(ranking.topics[0].evidence.coverage, 1.0);
}

#[test]
fn words_the_knowledge_base_never_uses_lower_confidence() {
    let sizes = article("尺码 表", &["尺码 表"], "");
    let candidates = [Candidate {
        topic: "size-chart",
        bm25: -4.0,
        terms: &sizes,
    }];
    let known = rank(&query(&[("尺码", 3), ("表", 2)]), 100, &candidates);
    let unknown = rank(&query(&[("尺码", 3), ("宠物", 0), ("窝", 0)]), 100, &candidates);
    assert!(unknown.unknown > 0.5);
    assert!(unknown.topics[0].confidence < known.topics[0].confidence);
}

#[test]
fn a_word_and_the_words_inside_it_count_once() {
    let bedding = article("四件套", &["四件套 洗"], "");
    let candidates = [Candidate {
        topic: "bedding",
        bm25: -4.0,
        terms: &bedding,
    }];
    let ranking = rank(
        &query(&[("四件", 1), ("件套", 1), ("四件套", 1)]),
        100,
        &candidates,
    );
    assert_eq!(ranking.words, 1);
    assert_eq!(ranking.topics[0].evidence.coverage, 1.0);
}

#[test]
fn an_order_number_never_gets_an_answer() {
    let tracking = article("track order", &["track order"], "");
    let candidates = [Candidate {
        topic: "order-tracking",
        bm25: -4.0,
        terms: &tracking,
    }];
    let ranking = rank(
        &query(&[("track", 3), ("order", 9), ("88213", 0)]),
        100,
        &candidates,
    );
    assert!(ranking.reference);
    assert!(matches!(
        decide(&ranking, Thresholds::default()),
        Decision::Suggest(_)
    ));
}

#[test]
fn no_candidates_no_topics() {
    let ranking = rank(&query(&[("bitcoin", 0)]), 100, &[]);
    assert!(ranking.topics.is_empty());
    assert_eq!(ranking.unknown, 1.0);
    assert_eq!(decide(&ranking, Thresholds::default()), Decision::Nothing);
}

#[test]
fn very_common_terms_stay_out_of_large_indexes_only() {
    let terms = query(&[("order", 3_000), ("refund", 40)]);
    assert_eq!(match_terms(&terms, 10_000), ["refund"]);
    assert_eq!(match_terms(&terms[..1], 10_000), ["order"]);
    assert_eq!(
        match_terms(&query(&[("order", 36), ("refund", 4)]), 108),
        ["order", "refund"]
    );
}
