#!/bin/sh
# replicate.sh for a PostgreSQL store: multiplies it COPIES times in SQL, every article, its job rows, versions,
# entity, topic and speaker rows and its story copied under new keys (suffix ~N), every aggregate and summary row
# multiplied by COPIES (exact: each copy has the original's day, outlet, language, topics, entities and speakers).
#
#   Benchmarks/report/replicate-postgres.sh POSTGRES_URL SCHEMA COPIES
#
# POSTGRES_URL is a plain libpq URL; the store is the schema SCHEMA. As with replicate.sh the story clustering's term
# index is not copied: a store for timing reads, not one to keep writing to.
set -eu
url="$1"
schema="$2"
copies="$3"
[ "$copies" -ge 2 ] || { echo "COPIES must be at least 2" >&2; exit 64; }
psql -q -v ON_ERROR_STOP=1 "$url" <<SQL
SET search_path TO $schema;
SET synchronous_commit = off;
BEGIN;
CREATE TEMP TABLE copies AS SELECT generate_series(1, $copies - 1) AS c;
CREATE TEMP TABLE story_offset AS SELECT COALESCE(MAX(story_id), 0) AS m FROM stories;
INSERT INTO results (job_id, batch_id, article_id, url, source, category, title, published, author, language,
        language_confidence, status, error, worker_id, submitted_at, analysed_at, stored_at, token_count, tone, simhash,
        analysis_pb, analysis_zlib_bytes)
    SELECT r.job_id || '~' || c::text, r.batch_id, r.article_id || '~' || c::text, r.url, r.source, r.category, r.title, r.published,
        r.author, r.language, r.language_confidence, r.status, r.error, r.worker_id, r.submitted_at, r.analysed_at,
        r.stored_at, r.token_count, r.tone, r.simhash, r.analysis_pb, r.analysis_zlib_bytes
    FROM results r, copies;
INSERT INTO articles (article_key, input_id, url, job_id, version, seen, first_seen, last_seen, content_hash, source,
        language, time_ms, day, title, tone, named_sources, anonymous_sources, quotes, simhash, minhash, term_weight,
        story_id)
    SELECT a.article_key || '~' || c::text, a.input_id || '~' || c::text, a.url, a.job_id || '~' || c::text, a.version, a.seen,
        a.first_seen, a.last_seen, a.content_hash, a.source, a.language, a.time_ms, a.day, a.title, a.tone,
        a.named_sources, a.anonymous_sources, a.quotes, a.simhash, a.minhash, a.term_weight,
        a.story_id + c * (SELECT m FROM story_offset)
    FROM articles a, copies;
INSERT INTO article_versions (article_key, version, job_id, content_hash, stored_at)
    SELECT v.article_key || '~' || c::text, v.version, v.job_id || '~' || c::text, v.content_hash, v.stored_at
    FROM article_versions v, copies;
INSERT INTO article_entities (key, type, time_ms, article_key, name, mentions, paired, day, source, language)
    SELECT e.key, e.type, e.time_ms, e.article_key || '~' || c::text, e.name, e.mentions, e.paired, e.day, e.source, e.language
    FROM article_entities e, copies;
INSERT INTO article_topics (topic, article_key) SELECT t.topic, t.article_key || '~' || c::text FROM article_topics t, copies;
INSERT INTO article_speakers (speaker, article_key, name, quotes)
    SELECT s.speaker, s.article_key || '~' || c::text, s.name, s.quotes FROM article_speakers s, copies;
INSERT INTO stories (story_id, label, articles, first_ms, last_ms)
    SELECT s.story_id + c * (SELECT m FROM story_offset), s.label, s.articles, s.first_ms, s.last_ms FROM stories s, copies;
INSERT INTO story_terms (story_id, term, name, articles)
    SELECT s.story_id + c * (SELECT m FROM story_offset), s.term, s.name, s.articles FROM story_terms s, copies;
UPDATE result_counts SET results = results * $copies;
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
SELECT setval(pg_get_serial_sequence('stories', 'story_id'), (SELECT MAX(story_id) FROM stories));
SQL
# VACUUM sets the visibility map, so counts over an index are read from the index alone.
for table in $(psql -qtA "$url" -c "SELECT tablename FROM pg_tables WHERE schemaname = '$schema'"); do
    psql -q "$url" -c "VACUUM ANALYZE $schema.$table"
done
