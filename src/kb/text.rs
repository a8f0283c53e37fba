//! Text analysis for knowledge-base search, used alike for the articles that are
//! indexed and for the customer's question, so both sides meet on the same words.
//!
//! - Chinese is segmented with jieba in search mode (a long word also yields the
//!   dictionary words inside it), after the shop's own words and the Chinese
//!   synonyms were added to its dictionary.
//! - Other scripts are split on anything that is not a letter or digit, lower-cased
//!   and stemmed (Snowball English), so "tracking", "tracked" and "track" meet.
//! - Synonyms are mapped to their group's first word (the head); English synonyms
//!   of several words ("money back") are matched as phrases first.
//! - Stop words are dropped (see the lists for why).
//!
//! A token never contains a space or a double quote: it is a run of letters and
//! digits that FTS5's `unicode61` tokenizer reads back as exactly one token.

use std::collections::{HashMap, HashSet};

use jieba_rs::Jieba;
use rust_stemmers::{Algorithm, Stemmer};

/// Chinese words that say nothing about which article is meant. Particles,
/// pronouns, greetings and politeness are in nearly every chat message; question
/// words and modal verbs ("能", "可以", "怎么") are in nearly every article's
/// questions too, so they would only add noise to the ranking and dilute the
/// share of the question an article covers. Words that carry a topic, even a
/// vague one ("多少", "几天", "钱"), are kept: their rarity already decides
/// their weight.
#[rustfmt::skip]
const ZH_STOP_WORDS: &[&str] = &[
    // Particles and interjections.
    "的", "了", "吗", "呢", "啊", "呀", "吧", "么", "嘛", "哦", "哈", "啦", "喔", "噢", "哇", "诶", "欸", "呗", "咯",
    "嗯", "哎", "唉", "嗨", "滴", "地", "得", "着", "过", "之", "来着",
    // Pronouns and determiners.
    "我", "你", "您", "他", "她", "它", "我们", "你们", "您们", "他们", "咱", "咱们", "你家", "你们家", "这", "那", "这个",
    "那个", "这些", "那些", "这样", "那样", "这边", "那边", "人家", "自己",
    // Greetings and politeness.
    "亲", "亲亲", "请问", "你好", "您好", "在吗", "在不在", "谢谢", "多谢", "麻烦", "请", "问一下", "问下", "想问", "想问一下",
    "一下", "下", "客气", "好的", "帮", "帮忙", "帮我",
    // Copulas, auxiliaries and modal verbs.
    "是", "有", "在", "要", "会", "能", "可", "可以", "可不可以", "能不能", "能否", "想", "需要", "应该", "就", "就是", "都",
    "也", "还", "还有", "又", "再", "才", "已经", "被", "把", "给", "让", "不会", "会不会", "不能", "只能", "是不是", "是否",
    "有没有", "已",
    // Verbs of saying, going and looking that frame a question in any topic.
    "说", "来", "去", "行", "弄", "看", "看看", "问", "知道", "觉得",
    // Conjunctions and prepositions.
    "和", "跟", "与", "或", "或者", "还是", "但", "但是", "而且", "如果", "的话", "因为", "所以", "对", "从", "向", "是从",
    // Vague time and manner words.
    "现在", "之前", "时候", "到时候", "什么时候", "啥时候", "一般", "大概", "怎么弄", "咋办",
    // Question words and negation: the question's form, not its topic.
    "什么", "啥", "怎么", "怎么办", "怎么样", "为什么", "为啥", "如何", "哪", "哪里", "哪儿", "不", "没", "没有", "一", "个",
    "一个",
];

/// English words that say nothing about which article is meant. Matched
/// before stemming, on the lower-cased word as typed.
#[rustfmt::skip]
const EN_STOP_WORDS: &[&str] = &[
    // Articles, determiners and pronouns: in every sentence.
    "a", "an", "the", "this", "that", "these", "those", "there", "here", "some", "any", "all",
    "one", "i", "me", "my", "mine", "you", "your", "yours", "u", "ur", "we", "our", "us", "it",
    "its", "he", "she", "they", "them", "their", "something", "anything",
    // Auxiliaries and modal verbs: the question's form ("can I", "do you").
    "is", "am", "are", "was", "were", "be", "been", "being", "do", "does", "did", "done", "have",
    "has", "had", "can", "could", "will", "would", "shall", "should", "may", "might", "must",
    // Prepositions and conjunctions.
    "to", "of", "for", "in", "on", "at", "by", "with", "from", "into", "about", "as", "and", "or",
    "but", "if", "so", "then", "than", "also", "just", "too", "very", "thru", "through",
    // Question words: every article's questions have them.
    "what", "how", "when", "where", "which", "who", "whom", "why",
    // Contractions typed without the apostrophe, and negation (a bag of words
    // cannot use "not"; it would only pull towards articles that say it).
    "whats", "hows", "wheres", "thats", "im", "ive", "id", "dont", "doesnt", "didnt", "cant",
    "cannot", "wont", "isnt", "arent", "wasnt", "havent", "hasnt", "not", "no",
    // Chat politeness and filler verbs that frame any request.
    "please", "pls", "plz", "thanks", "thank", "thx", "hi", "hello", "hey", "ok", "okay", "guys",
    "get", "got", "still", "yet", "go", "going", "want", "need", "tell",
];

/// The longest English synonym phrase matched, in words.
const MAX_PHRASE_WORDS: usize = 4;

/// jieba frequency given to the shop's words and the Chinese synonyms when the
/// dictionary would give less: high enough that they are kept whole in running
/// text (a plain `suggest_freq` only keeps them whole when they stand alone).
const MIN_WORD_FREQ: usize = 2_000;

/// Turns text into search tokens; see the module documentation.
pub struct Analyzer {
    jieba: Jieba,
    stemmer: Stemmer,
    /// A single word (English: its stem) → the head token of its synonym group.
    heads: HashMap<String, String>,
    /// An English synonym of two or more words, as stems → its head token.
    phrases: HashMap<Vec<String>, String>,
    stop_words: HashSet<&'static str>,
}

/// A stretch of normalised text, as the scanner finds it.
enum Piece<'a> {
    /// A run of Chinese characters, segmented by jieba.
    Han(&'a str),
    /// One word in another script (letters, digits, apostrophes).
    Word(&'a str),
    /// Punctuation that ends a phrase: English synonyms are not matched across it.
    Break,
}

impl Analyzer {
    /// `shop_words`: the shop's own dictionary (brands, product names, platform
    /// and e-commerce words such as 花呗, 小程序, 运单号) for Chinese segmentation.
    /// Pass `kb_words` only, not the articles' keywords: keywords are phrases
    /// ("几天到", "不喜欢") that, made into words, glue characters together so a
    /// question that says the same thing differently no longer meets them (hit@1
    /// on the tune half fell from 0.916 to 0.899 with them). The Chinese synonyms
    /// are added to the dictionary here. `synonyms`: groups of words that mean the
    /// same; the first of each group is the one both sides are mapped to.
    pub fn new(shop_words: &[String], synonyms: &[Vec<String>]) -> Analyzer {
        let mut analyzer = Analyzer {
            jieba: Jieba::new(),
            stemmer: Stemmer::create(Algorithm::English),
            heads: HashMap::new(),
            phrases: HashMap::new(),
            stop_words: ZH_STOP_WORDS.iter().chain(EN_STOP_WORDS).copied().collect(),
        };
        for word in shop_words {
            analyzer.add_han_word(&normalize(word));
        }
        for group in synonyms {
            analyzer.add_synonym_group(group);
        }
        analyzer
    }

    /// The tokens of `text`, in order, repeats kept (for indexing).
    pub fn tokens(&self, text: &str) -> Vec<String> {
        let text = normalize(text);
        let mut out = Vec::new();
        let mut words: Vec<&str> = Vec::new();
        for piece in scan(&text) {
            match piece {
                Piece::Word(word) => {
                    words.push(word);
                    continue;
                }
                Piece::Han(run) => {
                    self.push_english(&words, &mut out);
                    self.push_chinese(run, &mut out);
                }
                Piece::Break => self.push_english(&words, &mut out),
            }
            words.clear();
        }
        self.push_english(&words, &mut out);
        out
    }

    /// The distinct tokens of `text` in order of first appearance (for queries).
    pub fn query_tokens(&self, text: &str) -> Vec<String> {
        let mut seen = HashSet::new();
        self.tokens(text)
            .into_iter()
            .filter(|t| seen.insert(t.clone()))
            .collect()
    }

    /// Adds a Chinese word to jieba's dictionary so it is kept whole. Words
    /// without Chinese characters are left out: jieba never sees them.
    fn add_han_word(&mut self, word: &str) {
        if !word.chars().any(is_han) || word.chars().any(char::is_whitespace) {
            return;
        }
        let freq = self.jieba.suggest_freq(word).max(MIN_WORD_FREQ);
        self.jieba.add_word(word, Some(freq), None);
    }

    fn add_synonym_group(&mut self, group: &[String]) {
        let Some(head) = group.first() else { return };
        let Some(head) = self.single_token(&normalize(head)) else {
            return;
        };
        for member in group {
            let member = normalize(member);
            if member.chars().any(is_han) {
                self.add_han_word(&member);
                self.heads.insert(member, head.clone());
                continue;
            }
            let stems: Vec<String> = english_words(&member).map(|w| self.stem(w)).collect();
            match stems.as_slice() {
                [] => {}
                [stem] => {
                    self.heads.insert(stem.clone(), head.clone());
                }
                _ if stems.len() <= MAX_PHRASE_WORDS => {
                    self.phrases.insert(stems, head.clone());
                }
                _ => {}
            }
        }
    }

    /// The one token a synonym group's head stands for: a Chinese word as it is,
    /// English words stemmed and joined without a space ("log in" → "login").
    fn single_token(&self, head: &str) -> Option<String> {
        let token = if head.chars().any(is_han) {
            head.chars().filter(|c| c.is_alphanumeric()).collect()
        } else {
            english_words(head).map(|w| self.stem(w)).collect::<String>()
        };
        (!token.is_empty()).then_some(token)
    }

    fn stem(&self, word: &str) -> String {
        self.stemmer.stem(word).into_owned()
    }

    fn push_chinese(&self, run: &str, out: &mut Vec<String>) {
        for token in self.jieba.cut_for_search(run, false) {
            let word = token.word;
            let head = self.heads.get(word).map_or(word, String::as_str);
            if !self.stop_words.contains(word) && !self.stop_words.contains(head) {
                out.push(head.to_owned());
            }
        }
    }

    /// English words between two breaks: the longest synonym phrase at each
    /// position wins, other words are dropped as stop words or stemmed.
    fn push_english(&self, words: &[&str], out: &mut Vec<String>) {
        let stems: Vec<String> = words.iter().map(|w| self.stem(w)).collect();
        let mut i = 0;
        while i < words.len() {
            if let Some((len, head)) = self.phrase_at(&stems[i..]) {
                out.push(head.to_owned());
                i += len;
                continue;
            }
            let word = words[i];
            if !self.stop_words.contains(word) {
                let stem = &stems[i];
                out.push(self.heads.get(stem).unwrap_or(stem).clone());
            }
            i += 1;
        }
    }

    /// The longest synonym phrase that `stems` starts with: its length and head.
    fn phrase_at(&self, stems: &[String]) -> Option<(usize, &str)> {
        (2..=stems.len().min(MAX_PHRASE_WORDS))
            .rev()
            .find_map(|len| self.phrases.get(&stems[..len]).map(|head| (len, head.as_str())))
    }
}

/// Lower case; full-width Latin letters, digits and punctuation (common from
/// Chinese keyboards) to their ASCII forms; curly apostrophes to straight ones.
fn normalize(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '\u{ff01}'..='\u{ff5e}' => char::from_u32(c as u32 - 0xfee0).unwrap_or(c),
            '\u{3000}' => ' ',
            '\u{2019}' | '\u{2018}' => '\'',
            _ => c,
        })
        .flat_map(char::to_lowercase)
        .collect()
}

/// Chinese characters (CJK unified ideographs, extension A and compatibility).
fn is_han(c: char) -> bool {
    matches!(c, '\u{4e00}'..='\u{9fff}' | '\u{3400}'..='\u{4dbf}' | '\u{f900}'..='\u{faff}')
}

/// Splits normalised text into Chinese runs, other words and phrase breaks.
/// Whitespace separates words without breaking a phrase.
fn scan(text: &str) -> Vec<Piece<'_>> {
    let mut pieces = Vec::new();
    let mut start = 0;
    let mut han = false;
    let mut in_run = false;
    for (i, c) in text.char_indices() {
        let c_han = is_han(c);
        let c_word = c_han || c.is_alphanumeric() || (c == '\'' && in_run && !han);
        if in_run && (!c_word || c_han != han) {
            pieces.push(run_piece(&text[start..i], han));
            in_run = false;
        }
        if c_word && !in_run {
            start = i;
            han = c_han;
            in_run = true;
        } else if !c_word && !c.is_whitespace() {
            pieces.push(Piece::Break);
        }
    }
    if in_run {
        pieces.push(run_piece(&text[start..], han));
    }
    pieces
}

fn run_piece(run: &str, han: bool) -> Piece<'_> {
    if han {
        return Piece::Han(run);
    }
    match english_word(run) {
        Some(word) => Piece::Word(word),
        None => Piece::Break,
    }
}

/// A word without its contraction: "order's" → "order", "what's" → "what". A
/// negated auxiliary ("don't", "can't") is only a stop word, so it goes whole.
fn english_word(raw: &str) -> Option<&str> {
    let word = raw.trim_matches('\'');
    if word.ends_with("n't") {
        return None;
    }
    let base = ["'s", "'re", "'ll", "'ve", "'d", "'m"]
        .iter()
        .find_map(|suffix| word.strip_suffix(suffix))
        .unwrap_or(word);
    (!base.is_empty() && !base.contains('\'')).then_some(base)
}

/// The words of a synonym written in English ("SF Express" → "sf", "express").
fn english_words(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
}

/// English words shorter than this are never corrected: too many real words lie
/// one letter away from them.
const MIN_TYPO_LEN: usize = 4;

/// Corrects English query tokens that the index has never seen, when a letter
/// is missing ("trak" → "track", "refnd" → "refund") or two neighbours are
/// swapped ("reciev" → "receiv"), to the most common such index term.
///
/// Only these two slips are repaired: a changed letter or an extra one mostly
/// turns up real words the shop's articles just do not use ("real" → "seal",
/// "bring" → "ring"), and would pull the question towards an unrelated article.
/// Chinese is left alone: its typos are homophones, which spelling does not see.
pub struct Speller {
    /// The index's lower-case Latin terms and how many articles hold each.
    terms: Vec<(String, u32)>,
}

impl Speller {
    /// `terms`: the index vocabulary (`kb_vocab`: term, doc).
    pub fn new(terms: impl IntoIterator<Item = (String, u32)>) -> Speller {
        let terms = terms
            .into_iter()
            .filter(|(t, _)| t.len() >= MIN_TYPO_LEN && t.bytes().all(|b| b.is_ascii_lowercase()))
            .collect();
        Speller { terms }
    }

    /// The correction for an unknown token, if there is one.
    pub fn correct(&self, token: &str) -> Option<&str> {
        if token.len() < MIN_TYPO_LEN || !token.bytes().all(|b| b.is_ascii_lowercase()) {
            return None;
        }
        self.terms
            .iter()
            .filter(|(t, _)| is_slip(token.as_bytes(), t.as_bytes()))
            .max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(&a.0)))
            .map(|(t, _)| t.as_str())
    }
}

/// Whether `typed` is `term` with one letter left out (never the first) or with
/// two neighbouring letters swapped.
fn is_slip(typed: &[u8], term: &[u8]) -> bool {
    let same = typed.iter().zip(term).take_while(|(a, b)| a == b).count();
    if term.len() == typed.len() + 1 {
        return same > 0 && typed[same..] == term[same + 1..];
    }
    term.len() == typed.len()
        && same + 1 < typed.len()
        && typed[same] == term[same + 1]
        && typed[same + 1] == term[same]
        && typed[same + 2..] == term[same + 2..]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn analyzer() -> Analyzer {
        let synonyms = vec![
            vec!["退款".to_owned(), "退钱".to_owned()],
            vec!["refund".to_owned(), "money back".to_owned()],
            vec!["log in".to_owned(), "login".to_owned(), "sign in".to_owned()],
            vec!["顺丰".to_owned(), "SF Express".to_owned(), "SF".to_owned()],
        ];
        Analyzer::new(&["小满生活".to_owned()], &synonyms)
    }

    #[test]
    fn english_is_stemmed_and_stop_words_dropped() {
        assert_eq!(
            analyzer().tokens("Where is my tracking number?"),
            ["track", "number"]
        );
    }

    #[test]
    fn phrases_and_words_map_to_their_head() {
        let a = analyzer();
        assert_eq!(a.tokens("give my money back"), ["give", "refund"]);
        assert_eq!(a.tokens("can't sign in"), ["login"]);
        assert_eq!(a.tokens("能发SF Express吗"), ["发", "顺丰"]);
        assert_eq!(a.tokens("退钱"), ["退款"]);
    }

    #[test]
    fn shop_words_stay_whole() {
        assert!(
            analyzer()
                .tokens("小满生活是哪里的")
                .contains(&"小满生活".to_owned())
        );
    }

    #[test]
    fn tokens_have_no_spaces_or_quotes() {
        let text = "\"quoted\" Ｆｕｌｌ－ｗｉｄｔｈ what's 'odd' 1,000 ¥99 \u{3000}混合text";
        for t in analyzer().tokens(text) {
            assert!(!t.is_empty() && !t.contains([' ', '"']), "{t:?}");
        }
    }

    #[test]
    fn typos_meet_the_nearest_common_term() {
        let terms = ["track", "refund", "receiv", "trace", "seal", "anoth"];
        let speller = Speller::new(terms.map(|t| (t.to_owned(), 3)));
        assert_eq!(speller.correct("trak"), Some("track"));
        assert_eq!(speller.correct("refnd"), Some("refund"));
        assert_eq!(speller.correct("reciev"), Some("receiv"));
        assert_eq!(speller.correct("rfeund"), Some("refund"));
        assert_eq!(speller.correct("real"), None);
        assert_eq!(speller.correct("noth"), None);
        assert_eq!(speller.correct("bitcoin"), None);
    }

    #[test]
    fn query_tokens_are_distinct() {
        assert_eq!(analyzer().query_tokens("refund refund refunds"), ["refund"]);
    }
}
