//! Which knowledge-base topics answer a question, and how sure the bot may be.
//!
//! Pure functions over what the caller already has: the analysed query with each
//! term's document frequency (`kb_vocab`), and the FTS5 candidates (`bm25`) with
//! the analysed text stored with each article. Translations share a topic (the
//! article's `external_id`), so a question in either language, or in both mixed,
//! finds the same topic.
//!
//! The search is: [`match_terms`] → `"t1" OR "t2" …` MATCH ordered by
//! `bm25(kb_index, 4, 3, 1)` LIMIT 20 → [`rank`] → [`decide`].
//!
//! Each topic gets a *similarity*: how well its best single alternate question
//! (or its title) and the query match each other, as the harmonic mean of
//! - the share of the query's weight the question contains (words weighted by
//!   rarity, so "的" or "order" count for little and "花呗" for much), and
//! - the share of the question's words the query contains,
//!
//! so a long rambling query and a question that says something else both score
//! low. Topics are ranked by similarity plus a little of FTS5's bm25, which also
//! sees the body. The confidence is a logistic function of the topic's
//! similarity, how much of the query the topic contains at all, how much of the
//! query the knowledge base has never seen, its lead over the next topic (in
//! score and in bm25) and the query's length in words.

/// A query token and how many indexed articles contain it.
#[derive(Clone, Copy, Debug)]
pub struct QueryTerm<'a> {
    /// The analyser's token.
    pub text: &'a str,
    /// Articles containing it (`kb_vocab.doc`); 0 when the knowledge base never
    /// uses it.
    pub docs: u32,
}

/// An article's analysed text, as stored with the article (`kb_articles.terms`).
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct ArticleTerms {
    /// The title's distinct tokens.
    pub title: Vec<String>,
    /// Each alternate question's distinct tokens, one list per question.
    pub questions: Vec<Vec<String>>,
    /// The distinct tokens of all keywords.
    pub keywords: Vec<String>,
    /// The body's distinct tokens, sorted (looked up by bisection).
    pub body: Vec<String>,
}

impl ArticleTerms {
    /// Builds the stored form from the analyser's output (repeats allowed).
    pub fn new(
        title: Vec<String>,
        questions: Vec<Vec<String>>,
        keywords: Vec<String>,
        body: Vec<String>,
    ) -> Self {
        ArticleTerms {
            title: distinct(title),
            questions: questions
                .into_iter()
                .map(distinct)
                .filter(|q| !q.is_empty())
                .collect(),
            keywords: distinct(keywords),
            body: distinct(body),
        }
    }

    /// The units a query is compared with one by one: the title and each question.
    fn units(&self) -> impl Iterator<Item = &[String]> {
        std::iter::once(self.title.as_slice()).chain(self.questions.iter().map(Vec::as_slice))
    }

    fn contains(&self, term: &str) -> bool {
        let has = |list: &[String]| list.iter().any(|t| t == term);
        has(&self.title)
            || has(&self.keywords)
            || self.questions.iter().any(|q| has(q))
            || self.body.binary_search_by(|t| t.as_str().cmp(term)).is_ok()
    }
}

fn distinct(mut tokens: Vec<String>) -> Vec<String> {
    tokens.sort_unstable();
    tokens.dedup();
    tokens
}

/// One FTS5 result row.
#[derive(Clone, Copy, Debug)]
pub struct Candidate<'a> {
    /// The article's topic: its `external_id`, or its own id when it has none.
    pub topic: &'a str,
    /// `bm25(kb_index, …)` as FTS5 returns it: negative, lower is better.
    pub bm25: f64,
    /// The article's stored analysed text.
    pub terms: &'a ArticleTerms,
}

/// Why a topic scored as it did (for logs and tuning).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Evidence {
    /// Best harmonic mean of query share and question share over the topic's
    /// title and alternate questions, 0..=1.
    pub similarity: f64,
    /// Share of the query's weight found anywhere in the topic (title,
    /// questions, keywords, body), 0..=1.
    pub coverage: f64,
    /// The topic's best bm25 relative to the best of all candidates, 0..=1.
    pub bm25_share: f64,
    /// The ranking score: `similarity + BM25_WEIGHT * bm25_share`.
    pub score: f64,
    /// Score minus the best other topic's score (negative below the top).
    pub lead: f64,
    /// The best other topic's bm25 relative to this topic's.
    pub rival_bm25: f64,
}

/// A topic that may answer the question.
#[derive(Clone, Debug, PartialEq)]
pub struct Ranked<'a> {
    /// The topic (`Candidate::topic`).
    pub topic: &'a str,
    /// Indexes into the candidates of this topic's articles, best bm25 first;
    /// the product shows the one in the customer's language.
    pub articles: Vec<usize>,
    /// How likely this topic is the right answer, 0..=1.
    pub confidence: f64,
    /// The features behind the rank and the confidence.
    pub evidence: Evidence,
}

/// The ranked topics, best first, and what was found about the query itself.
#[derive(Clone, Debug, Default)]
pub struct Ranking<'a> {
    /// Best first; confidences never rise down the list.
    pub topics: Vec<Ranked<'a>>,
    /// Share of the query's weight that the knowledge base has never seen, 0..=1.
    pub unknown: f64,
    /// The query cites an order, tracking or phone number.
    pub reference: bool,
    /// Words in the query (a Chinese word and the words inside it count once).
    pub words: usize,
}

/// How much FTS5's bm25 adds to the similarity when ranking. bm25 also sees the
/// body and repeated words, which similarity ignores, but it favours long
/// articles; chosen on the tune half: 0.5 ranked best among 0.25, 0.5, 0.75, 1.
pub const BM25_WEIGHT: f64 = 0.5;

/// Logistic-regression weights of the confidence, fitted by `fit.py` on the
/// tune half (even lines of kb-eval.jsonl) to "the top topic is the expected
/// one", a question out of scope counting as wrong, with the demo's data and
/// proposed synonyms. Each multiplies one feature of the top topic: its
/// similarity, coverage, the query's unknown share, the lead over the next
/// topic, the next topic's relative bm25, and ln(words in the query): longer
/// questions that still match carry more evidence.
pub const CONFIDENCE_BIAS: f64 = 0.23;
pub const CONFIDENCE_SIMILARITY: f64 = 0.86;
pub const CONFIDENCE_COVERAGE: f64 = 1.58;
pub const CONFIDENCE_UNKNOWN: f64 = -1.14;
pub const CONFIDENCE_LEAD: f64 = 0.74;
pub const CONFIDENCE_RIVAL_BM25: f64 = -1.39;
pub const CONFIDENCE_LN_WORDS: f64 = 0.73;

/// The bot answers with the top topic from this confidence on. Chosen on the
/// tune half with some room: there 0.8 answers 63% at a precision of 0.963,
/// while 0.77 would reach 0.95 at 68%; the curve is steep (0.75 gives 0.935).
pub const ANSWER_THRESHOLD: f64 = 0.8;
/// Below the answer threshold, topics from this confidence on are offered as
/// suggestions (up to three). Chosen on the tune half among 0.3 to 0.7: 0.4 put
/// the right topic among the suggestions most often (89%).
pub const SUGGEST_THRESHOLD: f64 = 0.4;
/// Topics offered at most when the bot is not sure enough to answer.
pub const MAX_SUGGESTIONS: usize = 3;
/// A question that cites an order, tracking or phone number is about one
/// customer's order, which no article answers: at most suggestions.
pub const REFERENCE_CAP: f64 = ANSWER_THRESHOLD - 0.01;
/// Digits in an unknown token from which it is taken for such a number (order
/// numbers, tracking numbers, phone numbers; a year or a price in the articles
/// is known to the index and does not count).
const REFERENCE_DIGITS: usize = 4;

/// Terms in more than this share of the articles, and in more than
/// [`MATCH_MIN_DOCS`], are left out of the FTS5 query (they still count in the
/// ranking and the confidence): on a large index they match thousands of rows,
/// which bm25 must score one by one, while telling almost nothing. On the
/// synthetic 10,000-article index this takes p99 from 3.8 to 2.7 ms for 2
/// points of hit@1 there (0.863 → 0.841).
pub const MATCH_MAX_DOC_SHARE: f64 = 0.2;
/// Below this many articles a term is always searched: a small index is fast
/// anyway, and there every term still helps the ranking.
pub const MATCH_MIN_DOCS: f64 = 500.0;

/// The query terms worth sending to FTS5: the ones the index holds, but for
/// the very common ones, or the rarest when all are very common.
pub fn match_terms<'q>(terms: &[QueryTerm<'q>], articles: u32) -> Vec<&'q str> {
    let limit = (MATCH_MAX_DOC_SHARE * f64::from(articles)).max(MATCH_MIN_DOCS);
    // Terms the index does not hold cannot match anything.
    let known = || terms.iter().filter(|t| t.docs > 0);
    let kept: Vec<&str> = known()
        .filter(|t| f64::from(t.docs) <= limit)
        .map(|t| t.text)
        .collect();
    if !kept.is_empty() {
        return kept;
    }
    known()
        .min_by_key(|t| t.docs)
        .map(|t| t.text)
        .into_iter()
        .collect()
}

/// BM25's inverse document frequency: how much finding `term` tells.
pub fn idf(docs: u32, articles: u32) -> f64 {
    let n = f64::from(articles.max(docs));
    let d = f64::from(docs);
    (1.0 + (n - d + 0.5) / (d + 0.5)).ln()
}

/// A word of the query with the shorter words jieba's search mode found inside
/// it, which the analyser reports as tokens of their own ("四件套" also gives
/// "四件" and "件套"). The word counts once, by how much of it is matched.
struct Word {
    /// (query term index, byte start, byte end) within the word, by start.
    parts: Vec<(usize, usize, usize)>,
    len: usize,
    weight: f64,
}

/// The query's words and their total weight.
struct QueryWords<'q> {
    terms: &'q [QueryTerm<'q>],
    words: Vec<Word>,
    total: f64,
}

impl<'q> QueryWords<'q> {
    fn new(terms: &'q [QueryTerm<'q>], articles: u32) -> Self {
        let weights: Vec<f64> = terms.iter().map(|t| idf(t.docs, articles)).collect();
        // Only Chinese tokens come in such nests; an English one inside another
        // ("use" in "user") is a different word.
        let inside = |i: usize, j: usize| {
            let (a, b) = (terms[i].text, terms[j].text);
            i != j && !a.is_ascii() && b.len() > a.len() && b.contains(a)
        };
        let words: Vec<Word> = (0..terms.len())
            .filter(|&j| !(0..terms.len()).any(|k| inside(j, k)))
            .map(|j| {
                let word = terms[j].text;
                let mut parts: Vec<(usize, usize, usize)> = (0..terms.len())
                    .filter(|&i| i == j || inside(i, j))
                    .filter_map(|i| word.find(terms[i].text).map(|s| (i, s, s + terms[i].text.len())))
                    .collect();
                parts.sort_unstable_by_key(|&(_, s, _)| s);
                let weight = parts.iter().map(|&(i, _, _)| weights[i]).fold(0.0, f64::max);
                Word {
                    parts,
                    len: word.len(),
                    weight,
                }
            })
            .collect();
        let total = words.iter().map(|w| w.weight).sum();
        QueryWords { terms, words, total }
    }

    /// Share of the query's weight whose tokens satisfy `has`; a word counts
    /// by the share of its characters covered by matching tokens.
    fn share(&self, has: impl Fn(&str) -> bool) -> f64 {
        if self.total <= 0.0 {
            return 0.0;
        }
        let matched: f64 = self
            .words
            .iter()
            .map(|word| {
                let (mut covered, mut reach) = (0, 0);
                for &(i, start, end) in &word.parts {
                    if end > reach && has(self.terms[i].text) {
                        covered += end - start.max(reach);
                        reach = end;
                    }
                }
                word.weight * covered as f64 / word.len.max(1) as f64
            })
            .sum();
        matched / self.total
    }

    fn contains(&self, token: &str) -> bool {
        self.terms.iter().any(|t| t.text == token)
    }
}

/// How well one title or alternate question and the query match: the harmonic
/// mean of the query's weight it contains and the share of its words in the query.
fn unit_similarity(query: &QueryWords, unit: &[String]) -> f64 {
    if unit.is_empty() {
        return 0.0;
    }
    let query_share = query.share(|t| unit.iter().any(|u| u == t));
    let unit_share = unit.iter().filter(|u| query.contains(u)).count() as f64 / unit.len() as f64;
    if query_share + unit_share <= 0.0 {
        return 0.0;
    }
    2.0 * query_share * unit_share / (query_share + unit_share)
}

/// A topic's evidence before it is compared with the other topics.
fn topic_evidence(query: &QueryWords, candidates: &[Candidate], rows: &[usize], top_bm25: f64) -> Evidence {
    let articles = || rows.iter().map(|&i| candidates[i].terms);
    let similarity = articles()
        .flat_map(ArticleTerms::units)
        .map(|unit| unit_similarity(query, unit))
        .fold(0.0, f64::max);
    let coverage = query.share(|t| articles().any(|a| a.contains(t)));
    let bm25 = rows.first().map_or(0.0, |&i| -candidates[i].bm25);
    let bm25_share = if top_bm25 > 0.0 { bm25 / top_bm25 } else { 0.0 };
    Evidence {
        similarity,
        coverage,
        bm25_share,
        score: similarity + BM25_WEIGHT * bm25_share,
        ..Evidence::default()
    }
}

fn logistic(z: f64) -> f64 {
    1.0 / (1.0 + (-z).exp())
}

fn confidence(e: &Evidence, unknown: f64, words: usize) -> f64 {
    logistic(
        CONFIDENCE_BIAS
            + CONFIDENCE_SIMILARITY * e.similarity
            + CONFIDENCE_COVERAGE * e.coverage
            + CONFIDENCE_UNKNOWN * unknown
            + CONFIDENCE_LEAD * e.lead
            + CONFIDENCE_RIVAL_BM25 * e.rival_bm25
            + CONFIDENCE_LN_WORDS * (words.max(1) as f64).ln(),
    )
}

/// The candidates' indexes grouped by topic, each group best bm25 first, the
/// groups in order of their best row.
fn group_by_topic(candidates: &[Candidate]) -> Vec<Vec<usize>> {
    let mut order: Vec<usize> = (0..candidates.len()).collect();
    order.sort_by(|&a, &b| candidates[a].bm25.total_cmp(&candidates[b].bm25));
    let mut groups: Vec<Vec<usize>> = Vec::new();
    for i in order {
        match groups
            .iter_mut()
            .find(|g| candidates[g[0]].topic == candidates[i].topic)
        {
            Some(group) => group.push(i),
            None => groups.push(vec![i]),
        }
    }
    groups
}

/// Sets each topic's lead and rival bm25 against the best other topic: the
/// runner-up for the top, the top for all others (`topics` sorted by score).
fn compare_with_rivals(topics: &mut [Ranked]) {
    let score_and_bm25 = |t: &Ranked| (t.evidence.score, t.evidence.bm25_share);
    let top = topics.first().map(score_and_bm25);
    let runner_up = topics.get(1).map(score_and_bm25);
    for (k, topic) in topics.iter_mut().enumerate() {
        let (rival_score, rival_bm25) = if k == 0 { runner_up } else { top }.unwrap_or((0.0, 0.0));
        let e = &mut topic.evidence;
        e.lead = e.score - rival_score;
        e.rival_bm25 = if e.bm25_share > 0.0 {
            rival_bm25 / e.bm25_share
        } else {
            0.0
        };
    }
}

/// Ranks the candidates' topics for the query and gives each a confidence.
/// `articles` is the number of indexed articles (for the words' weights).
pub fn rank<'a>(terms: &[QueryTerm], articles: u32, candidates: &[Candidate<'a>]) -> Ranking<'a> {
    let query = QueryWords::new(terms, articles);
    let unknown = 1.0 - query.share(|t| terms.iter().any(|q| q.text == t && q.docs > 0));
    let reference = terms
        .iter()
        .any(|t| t.docs == 0 && t.text.chars().filter(char::is_ascii_digit).count() >= REFERENCE_DIGITS);
    if query.total <= 0.0 {
        return Ranking {
            topics: Vec::new(),
            unknown,
            reference,
            words: query.words.len(),
        };
    }
    let top_bm25 = candidates.iter().map(|c| -c.bm25).fold(0.0, f64::max);
    let mut topics: Vec<Ranked<'a>> = group_by_topic(candidates)
        .into_iter()
        .map(|rows| Ranked {
            topic: candidates[rows[0]].topic,
            evidence: topic_evidence(&query, candidates, &rows, top_bm25),
            articles: rows,
            confidence: 0.0,
        })
        .collect();
    topics.sort_by(|a, b| b.evidence.score.total_cmp(&a.evidence.score));
    compare_with_rivals(&mut topics);
    for k in 0..topics.len() {
        let mut c = confidence(&topics[k].evidence, unknown, query.words.len());
        if reference {
            c = c.min(REFERENCE_CAP);
        }
        // The weights were fitted on top topics; below the top they can rate a
        // topic above a better-ranked one, which a list of suggestions must not show.
        if let Some(above) = k.checked_sub(1) {
            c = c.min(topics[above].confidence);
        }
        topics[k].confidence = c;
    }
    Ranking {
        topics,
        unknown,
        reference,
        words: query.words.len(),
    }
}

/// Where the bot answers and where it only suggests.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Thresholds {
    /// Answer with the top topic from this confidence on.
    pub answer: f64,
    /// Below `answer`, offer topics from this confidence on (up to three).
    pub suggest: f64,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            answer: ANSWER_THRESHOLD,
            suggest: SUGGEST_THRESHOLD,
        }
    }
}

/// What the bot does with a ranking.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Decision<'r, 'a> {
    /// Answer with this topic.
    Answer(&'r Ranked<'a>),
    /// Offer these topics (one to three), best first, with a way to a person.
    Suggest(&'r [Ranked<'a>]),
    /// Nothing fits: hand over to a person.
    Nothing,
}

/// Decides between answering, suggesting and handing over.
pub fn decide<'r, 'a>(ranking: &'r Ranking<'a>, thresholds: Thresholds) -> Decision<'r, 'a> {
    let topics = &ranking.topics;
    match topics.first() {
        Some(top) if top.confidence >= thresholds.answer => Decision::Answer(top),
        _ => {
            let offered = topics
                .iter()
                .take(MAX_SUGGESTIONS)
                .take_while(|t| t.confidence >= thresholds.suggest)
                .count();
            if offered == 0 {
                Decision::Nothing
            } else {
                Decision::Suggest(&topics[..offered])
            }
        }
    }
}

#[cfg(test)]
#[path = "rank_tests.rs"]
mod tests;
