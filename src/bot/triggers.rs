//! When the bot steps aside at once: the customer asks for a person, or is
//! clearly upset. Both are checked before the knowledge base is searched, so an
//! angry "退款!!! 垃圾" is never answered with the refund article.

/// Words and phrases that ask for a person. A message that is little more than
/// one of them ("人工", "转人工客服", "human please") is a request; the same
/// word inside a longer question ("客服电话多少") is a question for the
/// knowledge base, unless it is one of the unambiguous phrases.
pub const HANDOFF_WORDS: &[&str] = &[
    "转人工",
    "人工",
    "人工客服",
    "人工服务",
    "真人",
    "客服",
    "找客服",
    "联系客服",
    "活人",
    "human",
    "agent",
    "real person",
    "representative",
    "operator",
    "someone real",
    "talk to a person",
    "speak to a person",
];

/// Phrases that ask for a person wherever they stand in a message.
const ALWAYS_HANDOFF: &[&str] = &[
    "转人工",
    "人工客服",
    "人工服务",
    "找真人",
    "真人客服",
    "real person",
    "human agent",
    "talk to a human",
    "speak to a human",
    "talk to a person",
    "speak to a person",
    "talk to someone",
    "speak to someone",
];

/// Characters around a handoff word that still leave a bare request.
const FILLER: &[&str] = &[
    "请",
    "帮我",
    "我要",
    "我想",
    "给我",
    "麻烦",
    "转",
    "找",
    "接",
    "呢",
    "吧",
    "啊",
    "呀",
    "好吗",
    "可以吗",
    "谢谢",
    "please",
    "pls",
    "i want",
    "i need",
    "give me",
    "let me talk to",
    "can i talk to",
    "a",
    "an",
    "to",
    "talk",
    "speak",
    "with",
];

fn normalized(text: &str) -> String {
    text.to_lowercase()
        .chars()
        .map(|c| if c.is_alphanumeric() { c } else { ' ' })
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Whether `text` asks for a person, with the shop's own `words` (empty: the
/// defaults above).
pub fn asks_for_person(text: &str, words: &[String]) -> bool {
    let t = normalized(text);
    if t.is_empty() {
        return false;
    }
    let words: Vec<String> = if words.is_empty() {
        HANDOFF_WORDS.iter().map(|w| w.to_string()).collect()
    } else {
        words
            .iter()
            .map(|w| normalized(w))
            .filter(|w| !w.is_empty())
            .collect()
    };
    if ALWAYS_HANDOFF.iter().any(|p| t.contains(p)) {
        return true;
    }
    // What is left once the handoff words and polite filler are taken out.
    let mut rest = format!(" {t} ");
    let mut found = false;
    let mut longest_first = words.clone();
    longest_first.sort_by_key(|w| std::cmp::Reverse(w.chars().count()));
    for w in &longest_first {
        let latin = w.is_ascii();
        let needle = if latin { format!(" {w} ") } else { w.clone() };
        if rest.contains(&needle) {
            found = true;
            rest = rest.replace(&needle, " ");
        }
    }
    if !found {
        return false;
    }
    for f in FILLER {
        let needle = if f.is_ascii() {
            format!(" {f} ")
        } else {
            (*f).to_string()
        };
        rest = rest.replace(&needle, " ");
    }
    rest.trim().is_empty()
}

/// Words of anger or contempt, and threats to complain, in both languages.
const ANGRY_WORDS: &[&str] = &[
    "垃圾",
    "骗子",
    "骗人",
    "坑人",
    "太差",
    "差劲",
    "气死",
    "生气",
    "愤怒",
    "恶心",
    "无语",
    "什么破",
    "破店",
    "黑店",
    "滚",
    "投诉",
    "差评",
    "举报",
    "12315",
    "消协",
    "工商局",
    "忍无可忍",
    "太过分",
    "过分",
    "再也不买",
    "scam",
    "scammer",
    "fraud",
    "terrible",
    "awful",
    "worst",
    "useless",
    "ridiculous",
    "disgusting",
    "furious",
    "angry",
    "unacceptable",
    "complaint",
    "report you",
    "wtf",
    "never again",
    "rip off",
    "ripoff",
];

/// Negations that turn an angry word around ("不生气").
const NEGATIONS: &[&str] = &["不", "没", "别", "not ", "no ", "never "];

/// Whether the message is clearly negative or angry: an angry word that is not
/// negated right before it, or shouting (three or more ! or ？ in a row with
/// at least one angry word, or five on their own).
pub fn is_upset(text: &str) -> bool {
    let lower = text.to_lowercase();
    let angry = ANGRY_WORDS.iter().any(|w| {
        lower.match_indices(w).any(|(at, _)| {
            let before = &lower[..at];
            !NEGATIONS.iter().any(|n| before.ends_with(n))
        })
    });
    let marks = lower
        .chars()
        .fold((0usize, 0usize), |(run, best), c| {
            if matches!(c, '!' | '！' | '?' | '？') {
                (run + 1, best.max(run + 1))
            } else {
                (0, best)
            }
        })
        .1;
    angry || marks >= 5
}

/// Short thanks or "ok" after an answer: the customer is done, not asking again.
const THANKS: &[&str] = &[
    "谢谢",
    "谢谢你",
    "多谢",
    "感谢",
    "好的",
    "好的谢谢",
    "好",
    "知道了",
    "明白了",
    "好嘞",
    "ok",
    "okay",
    "thanks",
    "thank you",
    "thx",
    "great",
    "got it",
    "perfect",
    "ok thanks",
    "ok thank you",
];

/// Whether the whole message is a thank-you (polite filler and marks allowed).
pub fn is_thanks(text: &str) -> bool {
    let t = normalized(text);
    let bare = t
        .trim_end_matches(['啦', '了', '哈', '呀', '啊', '哦', '~'])
        .trim();
    let joined = bare.replace(' ', "");
    !bare.is_empty() && (THANKS.contains(&bare) || THANKS.contains(&joined.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thanks_are_recognised_only_alone() {
        for text in [
            "谢谢",
            "好的，谢谢！",
            "多谢啦",
            "Thanks!",
            "ok thank you",
            "好的",
        ] {
            assert!(is_thanks(text), "{text}");
        }
        for text in [
            "谢谢，还有个问题：怎么退货",
            "thanks but where is my order",
            "",
            "不好",
        ] {
            assert!(!is_thanks(text), "{text}");
        }
    }

    #[test]
    fn bare_requests_for_a_person_hand_over() {
        for text in [
            "转人工",
            "人工",
            "人工！",
            "请转人工客服",
            "客服",
            "找客服呢",
            "human",
            "Human please",
            "agent pls",
            "I want a real person",
            "talk to a human",
            "我要人工服务",
            "能帮我转人工吗 我的订单有问题",
        ] {
            assert!(asks_for_person(text, &[]), "{text}");
        }
    }

    #[test]
    fn questions_that_mention_service_are_not_requests() {
        for text in [
            "客服电话多少",
            "你们的客服几点上班",
            "what are your customer service hours",
            "travel agent discount",
            "人工费怎么算",
            "",
        ] {
            assert!(!asks_for_person(text, &[]), "{text}");
        }
    }

    #[test]
    fn the_shops_words_replace_the_defaults() {
        let words = vec!["找老板".to_string()];
        assert!(asks_for_person("找老板", &words));
        assert!(!asks_for_person("客服", &words), "the defaults are replaced");
        assert!(
            asks_for_person("转人工", &words),
            "unambiguous phrases always hand over"
        );
    }

    #[test]
    fn anger_is_seen_unless_negated() {
        for text in [
            "什么垃圾东西",
            "你们就是骗子",
            "再不发货我就投诉",
            "我要打12315",
            "This is a scam",
            "worst shop ever",
            "到底什么时候发货？？？？？",
        ] {
            assert!(is_upset(text), "{text}");
        }
        for text in [
            "我不生气，就问问",
            "快递多久到？",
            "not angry, just asking",
            "质量不错",
            "怎么退货",
        ] {
            assert!(!is_upset(text), "{text}");
        }
    }
}
