#!/bin/sh
# Copies every table of a SQLite report store into a PostgreSQL store of the same schema version, so that both
# stores hold the same articles and the same queries can be timed on each.
#
#   Benchmarks/report/copy-to-postgres.sh SQLITE_STORE POSTGRES_URL SCHEMA
#
# POSTGRES_URL is a plain libpq URL (postgres://USER:PASSWORD@HOST:PORT/DATABASE); the store is the schema SCHEMA,
# created first by `mirsad benchmark report --store 'POSTGRES_URL?schema=SCHEMA' --articles 0` (which migrates an
# empty store and times nothing). Blobs go over as hex, reals with 17 significant digits. Pending stored notices
# are not copied (they belong to the collector that wrote the SQLite store). Run on a store no process has open.
set -eu
sqlite="$1"
url="$2"
schema="$3"
tables="results entities topics articles article_versions article_entities article_topics article_speakers
entity_totals entity_pairs tallies speaker_totals term_postings term_counts stories story_terms result_counts
day_cells entity_days entity_facets speaker_days speaker_facets"
# SQLite numbers articles, story terms, entities, speakers and facet values (schemas v7 to v12) where PostgreSQL keys
# them by text,
# and its article rows leave URL and title to their result rows (v11) and an input id to their key (v14):
# such tables are read through a view with
# PostgreSQL's columns. A band posting's hash keeps only the 42 bits SQLite's key holds.
view_of() {
    case "$1" in
    articles)
        # SQLite's article row takes its URL, and its title unless it keeps one, from its result row (schema v11).
        echo "SELECT x.article_key, CASE WHEN x.input_id = '' THEN substr(x.article_key, 4) ELSE x.input_id END AS input_id, r.url AS url, x.job_id, x.version, x.seen, x.first_seen, x.last_seen,
                x.content_hash, x.source, x.language, x.time_ms, x.day, COALESCE(x.title, r.title) AS title, x.tone,
                x.named_sources, x.anonymous_sources, x.quotes, x.simhash, x.minhash, x.term_weight, x.story_id
            FROM articles x LEFT JOIN results r ON r.job_id = x.job_id" ;;
    article_versions | article_topics)
        echo "SELECT x.*, a.article_key AS article_key FROM $1 x JOIN articles a ON a.article_id = x.article_id" ;;
    article_speakers)
        # SQLite keeps no per-article name of a speaker: PostgreSQL's rows get the name reports show.
        echo "SELECT t.speaker AS speaker, a.article_key AS article_key, t.name AS name, x.quotes AS quotes
            FROM article_speakers x JOIN articles a ON a.article_id = x.article_id JOIN speaker_totals t ON t.speaker_id = x.speaker_id" ;;
    speaker_days)
        echo "SELECT x.*, t.speaker AS speaker FROM $1 x JOIN speaker_totals t ON t.speaker_id = x.speaker_id" ;;
    speaker_facets)
        echo "SELECT x.*, t.speaker AS speaker, v.facet AS facet, v.value AS value FROM speaker_facets x
            JOIN speaker_totals t ON t.speaker_id = x.speaker_id JOIN facets v ON v.facet_id = x.facet_id" ;;
    article_entities)
        # SQLite keeps no per-article name of an entity: PostgreSQL's rows get the name reports show.
        echo "SELECT t.key AS key, t.type AS type, x.time_ms AS time_ms, a.article_key AS article_key, t.name AS name,
                x.mentions AS mentions, x.paired AS paired, a.day AS day, a.source AS source, a.language AS language
            FROM article_entities x JOIN articles a ON a.article_id = x.article_id JOIN entity_totals t ON t.entity_id = x.entity_id" ;;
    story_terms)
        echo "SELECT s.story_id AS story_id, c.term AS term, COALESCE(c.name, c.term) AS name, s.articles AS articles
            FROM story_terms s JOIN term_counts c ON c.term_id = s.term_id" ;;
    entity_pairs)
        echo "SELECT x.key AS a_key, x.type AS a_type, y.key AS b_key, y.type AS b_type, p.articles AS articles
            FROM entity_pairs p JOIN entity_totals x ON x.entity_id = p.a_id JOIN entity_totals y ON y.entity_id = p.b_id" ;;
    entity_days)
        echo "SELECT x.*, t.key AS key, t.type AS type FROM $1 x JOIN entity_totals t ON t.entity_id = x.entity_id" ;;
    entity_facets)
        echo "SELECT x.*, t.key AS key, t.type AS type, v.facet AS facet, v.value AS value FROM entity_facets x
            JOIN entity_totals t ON t.entity_id = x.entity_id JOIN facets v ON v.facet_id = x.facet_id" ;;
    term_postings)
        echo "SELECT c.term AS term, p.time_ms AS time_ms, a.article_key AS article_key FROM term_postings p
                JOIN term_counts c ON c.term_id = p.term JOIN articles a ON a.article_id = p.article_id
            UNION ALL
            SELECT printf('b:%d:%llx', (-1 - p.term) >> 42, ((-1 - p.term) & 4398046511103) << 22), p.time_ms,
                a.article_key FROM term_postings p JOIN articles a ON a.article_id = p.article_id WHERE p.term < 0" ;;
    esac
}
for table in $tables; do
    source="$table"
    prelude=""
    view=$(view_of "$table")
    if [ -n "$view" ] && [ -n "$(sqlite3 "$sqlite" "SELECT 1 FROM pragma_table_info('$table') WHERE name IN ('article_id', 'a_id', 'entity_id', 'term_id', 'speaker_id')")" ]; then
        source="copied"
        prelude="CREATE TEMP VIEW copied AS $view;"
    fi
    # The columns both stores have (SQLite's results keep a JSON column from before v3 that PostgreSQL never had).
    wanted=$(psql -qtA "$url" -c "SELECT string_agg(quote_literal(column_name), ',') FROM information_schema.columns
        WHERE table_schema = '$schema' AND table_name = '$table'")
    columns=$(sqlite3 "$sqlite" "$prelude SELECT group_concat(name, ',') FROM pragma_table_info('$source') WHERE name IN ($wanted)")
    select=$(sqlite3 "$sqlite" "$prelude SELECT group_concat(CASE upper(type)
        WHEN 'BLOB' THEN 'CASE WHEN ' || name || ' IS NULL THEN NULL ELSE ''\\x'' || hex(' || name || ') END'
        WHEN 'REAL' THEN 'CASE WHEN ' || name || ' IS NULL THEN NULL ELSE printf(''%.17g'', ' || name || ') END'
        ELSE name END, ', ') FROM pragma_table_info('$source') WHERE name IN ($wanted)")
    sqlite3 -csv "$sqlite" "$prelude SELECT $select FROM $source" |
        psql -q -v ON_ERROR_STOP=1 "$url" -c "SET search_path TO $schema" -c "\\copy $table ($columns) FROM STDIN WITH (FORMAT csv)"
    echo "$table: $(psql -qtA "$url" -c "SELECT COUNT(*) FROM $schema.$table") rows"
done
psql -q -v ON_ERROR_STOP=1 "$url" -c "SET search_path TO $schema" \
    -c "SELECT setval(pg_get_serial_sequence('stories', 'story_id'), GREATEST((SELECT MAX(story_id) FROM stories), 1))" >/dev/null
for table in $tables; do psql -q "$url" -c "ANALYZE $schema.$table"; done
