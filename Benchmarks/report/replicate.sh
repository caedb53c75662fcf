#!/bin/sh
# Multiplies a report store filled by `mirsad benchmark report` COPIES times, in SQL: every article, its job rows,
# versions, entity, topic and speaker rows and its story are copied under new keys (suffix ~N) and numbers, and every
# aggregate and summary row is multiplied by COPIES, which is exact because each copy has the same day, outlet,
# language, topics, entities and speakers as its original.
#
#   Benchmarks/report/replicate.sh STORE COPIES
#
# For timing queries at a size the write path cannot reach in the time at hand: the copies have the distribution
# of the original (the same entity pool, days and outlets, COPIES times the articles per day), and the store is
# consistent for reading. Story clustering's term index is not copied, so the result is not a store to keep
# writing to. Run on a store no process has open.
set -eu
store="$1"
copies="$2"
[ "$copies" -ge 2 ] || { echo "COPIES must be at least 2" >&2; exit 64; }
sqlite3 "$store" <<SQL
PRAGMA journal_mode = WAL;
PRAGMA synchronous = OFF;
PRAGMA cache_size = -1048576;
BEGIN;
CREATE TEMP TABLE copies (c INTEGER PRIMARY KEY);
WITH RECURSIVE n(c) AS (SELECT 1 UNION ALL SELECT c + 1 FROM n WHERE c < $copies - 1) INSERT INTO copies SELECT c FROM n;
CREATE TEMP TABLE story_offset AS SELECT COALESCE(MAX(story_id), 0) AS m FROM stories;
CREATE TEMP TABLE article_offset AS SELECT COALESCE(MAX(article_id), 0) AS m FROM articles;
INSERT INTO results (job_id, batch_id, article_id, url, source, category, title, published, author, language,
        language_confidence, status, error, worker_id, submitted_at, analysed_at, stored_at, token_count, tone, simhash,
        analysis, analysis_pb, analysis_zlib_bytes)
    SELECT r.job_id || '~' || c, r.batch_id, r.article_id || '~' || c, r.url, r.source, r.category, r.title, r.published,
        r.author, r.language, r.language_confidence, r.status, r.error, r.worker_id, r.submitted_at, r.analysed_at,
        r.stored_at, r.token_count, r.tone, r.simhash, r.analysis, r.analysis_pb, r.analysis_zlib_bytes
    FROM results r, copies;
INSERT INTO articles (article_id, article_key, input_id, job_id, version, seen, first_seen, last_seen, content_hash, source,
        language, time_ms, day, title, tone, named_sources, anonymous_sources, quotes, simhash, minhash, term_weight,
        story_id)
    SELECT a.article_id + c * (SELECT m FROM article_offset), a.article_key || '~' || c, CASE WHEN a.input_id = '' THEN '' ELSE a.input_id || '~' || c END, a.job_id || '~' || c, a.version, a.seen,
        a.first_seen, a.last_seen, a.content_hash, a.source, a.language, a.time_ms, a.day, a.title, a.tone,
        a.named_sources, a.anonymous_sources, a.quotes, a.simhash, a.minhash, a.term_weight,
        a.story_id + c * (SELECT m FROM story_offset)
    FROM articles a, copies;
INSERT INTO article_versions (article_id, version, job_id, content_hash, stored_at)
    SELECT v.article_id + c * (SELECT m FROM article_offset), v.version, v.job_id || '~' || c, v.content_hash, v.stored_at
    FROM article_versions v, copies;
INSERT INTO article_entities (entity_id, time_ms, article_id, mentions, paired)
    SELECT e.entity_id, e.time_ms, e.article_id + c * (SELECT m FROM article_offset), e.mentions, e.paired
    FROM article_entities e, copies;
INSERT INTO article_topics (topic, article_id)
    SELECT t.topic, t.article_id + c * (SELECT m FROM article_offset) FROM article_topics t, copies;
INSERT INTO article_speakers (speaker_id, article_id, quotes)
    SELECT s.speaker_id, s.article_id + c * (SELECT m FROM article_offset), s.quotes FROM article_speakers s, copies;
INSERT INTO stories (story_id, label, articles, first_ms, last_ms)
    SELECT s.story_id + c * (SELECT m FROM story_offset), s.label, s.articles, s.first_ms, s.last_ms FROM stories s, copies;
INSERT INTO story_terms (story_id, term_id, articles)
    SELECT s.story_id + c * (SELECT m FROM story_offset), s.term_id, s.articles FROM story_terms s, copies;
UPDATE result_counts SET results = results * $copies;
UPDATE batch_counts SET results = results * $copies;
UPDATE entity_totals SET articles = articles * $copies, mentions = mentions * $copies;
UPDATE entity_pairs SET articles = articles * $copies;
UPDATE tallies SET articles = articles * $copies, tone_sum = tone_sum * $copies, named_sources = named_sources * $copies,
    anonymous_sources = anonymous_sources * $copies, quotes = quotes * $copies;
UPDATE speaker_totals SET quotes = quotes * $copies, articles = articles * $copies;
UPDATE day_cells SET articles = articles * $copies, results = results * $copies, versions = versions * $copies,
    revised = revised * $copies, tone_sum = tone_sum * $copies, named_sources = named_sources * $copies,
    anonymous_sources = anonymous_sources * $copies, quotes = quotes * $copies;
UPDATE entity_days SET articles = articles * $copies, mentions = mentions * $copies;
UPDATE entity_facets SET articles = articles * $copies, mentions = mentions * $copies, tone_sum = tone_sum * $copies,
    named_sources = named_sources * $copies, anonymous_sources = anonymous_sources * $copies, quotes = quotes * $copies;
UPDATE speaker_days SET quotes = quotes * $copies, articles = articles * $copies;
UPDATE speaker_facets SET quotes = quotes * $copies, articles = articles * $copies;
COMMIT;
PRAGMA wal_checkpoint(TRUNCATE);
SQL
