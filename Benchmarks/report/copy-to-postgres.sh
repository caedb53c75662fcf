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
for table in $tables; do
    # The columns both stores have (SQLite's results keep a JSON column from before v3 that PostgreSQL never had).
    wanted=$(psql -qtA "$url" -c "SELECT string_agg(quote_literal(column_name), ',') FROM information_schema.columns
        WHERE table_schema = '$schema' AND table_name = '$table'")
    columns=$(sqlite3 "$sqlite" "SELECT group_concat(name, ',') FROM pragma_table_info('$table') WHERE name IN ($wanted)")
    select=$(sqlite3 "$sqlite" "SELECT group_concat(CASE upper(type)
        WHEN 'BLOB' THEN 'CASE WHEN ' || name || ' IS NULL THEN NULL ELSE ''\\x'' || hex(' || name || ') END'
        WHEN 'REAL' THEN 'CASE WHEN ' || name || ' IS NULL THEN NULL ELSE printf(''%.17g'', ' || name || ') END'
        ELSE name END, ', ') FROM pragma_table_info('$table') WHERE name IN ($wanted)")
    sqlite3 -csv "$sqlite" "SELECT $select FROM $table" |
        psql -q -v ON_ERROR_STOP=1 "$url" -c "SET search_path TO $schema" -c "\\copy $table ($columns) FROM STDIN WITH (FORMAT csv)"
    echo "$table: $(psql -qtA "$url" -c "SELECT COUNT(*) FROM $schema.$table") rows"
done
psql -q -v ON_ERROR_STOP=1 "$url" -c "SET search_path TO $schema" \
    -c "SELECT setval(pg_get_serial_sequence('stories', 'story_id'), GREATEST((SELECT MAX(story_id) FROM stories), 1))" >/dev/null
for table in $tables; do psql -q "$url" -c "ANALYZE $schema.$table"; done
