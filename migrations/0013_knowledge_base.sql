-- The knowledge base: categories and articles (one row per language), the many
-- ways customers ask for an article, the shop's own search words and synonyms,
-- and the full-text index the bot, the help center and agents search.

CREATE TABLE kb_categories (
    id         INTEGER PRIMARY KEY,
    locale     TEXT NOT NULL CHECK (locale IN ('zh-CN', 'en')),
    name       TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 80),
    -- Order on the help center's front page.
    position   INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    UNIQUE (locale, name)
) STRICT;

CREATE TABLE kb_articles (
    id          INTEGER PRIMARY KEY,
    category_id INTEGER REFERENCES kb_categories (id) ON DELETE SET NULL,
    locale      TEXT NOT NULL CHECK (locale IN ('zh-CN', 'en')),
    -- The shop's own key; translations of one article share it.
    external_id TEXT CHECK (external_id IS NULL OR length(external_id) BETWEEN 1 AND 100),
    title       TEXT NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    -- Markdown, as written; rendered and sanitised when shown.
    body        TEXT NOT NULL,
    -- JSON array of words that should find this article.
    keywords    TEXT NOT NULL DEFAULT '[]',
    status      TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'published')),
    -- 1: every inbox's bot may use it; 0: only the inboxes in kb_article_inboxes.
    all_inboxes INTEGER NOT NULL DEFAULT 1 CHECK (all_inboxes IN (0, 1)),
    -- The analysed words of title, questions, keywords and body (JSON), kept for
    -- the answer's confidence; derived, rewritten whenever the index is.
    terms       TEXT NOT NULL DEFAULT '{}',
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    updated_by  INTEGER REFERENCES agents (id) ON DELETE SET NULL
) STRICT;

CREATE UNIQUE INDEX kb_articles_external ON kb_articles (external_id, locale)
    WHERE external_id IS NOT NULL;
CREATE INDEX kb_articles_category ON kb_articles (category_id);

-- Alternate questions: how customers really ask for the article.
CREATE TABLE kb_questions (
    id         INTEGER PRIMARY KEY,
    article_id INTEGER NOT NULL REFERENCES kb_articles (id) ON DELETE CASCADE,
    text       TEXT NOT NULL CHECK (length(text) BETWEEN 1 AND 300),
    position   INTEGER NOT NULL DEFAULT 0
) STRICT;

CREATE INDEX kb_questions_article ON kb_questions (article_id, position);

CREATE TABLE kb_article_inboxes (
    article_id INTEGER NOT NULL REFERENCES kb_articles (id) ON DELETE CASCADE,
    inbox_id   INTEGER NOT NULL REFERENCES inboxes (id) ON DELETE CASCADE,
    PRIMARY KEY (article_id, inbox_id)
) STRICT, WITHOUT ROWID;

-- The shop's own words for Chinese segmentation (brands, products, slang).
CREATE TABLE kb_words (
    word TEXT PRIMARY KEY CHECK (length(word) BETWEEN 1 AND 40)
) STRICT, WITHOUT ROWID;

-- Groups of words that mean the same; the first is the one searched for.
CREATE TABLE kb_synonyms (
    id    INTEGER PRIMARY KEY,
    -- JSON array of two or more words.
    words TEXT NOT NULL
) STRICT;

-- Published articles only, as analysed words joined by spaces (the analyser,
-- not FTS5, segments Chinese). Contentless: the text lives in kb_articles.
CREATE VIRTUAL TABLE kb_index USING fts5 (
    title, questions, body,
    content = '', contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 0'
);

-- How many articles hold each word: the rarer a word, the more it tells.
CREATE VIRTUAL TABLE kb_vocab USING fts5vocab (kb_index, 'row');
