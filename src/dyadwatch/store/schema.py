"""The store's schema, as an ordered list of migrations.

Migration N takes a store from schema version N-1 to N. A new store runs them all; an
older store runs the ones it lacks, each in its own transaction together with the
version bump, so a crash during an upgrade leaves the store at the version before.
Never edit a released migration: add a new one.
"""

from __future__ import annotations

SCHEMA_VERSION = 3
APP_ID = "dyadwatch"

# The event columns, in the order of DESIGN.md; shared by own coding and dataset imports.
EVENT_COLUMNS: tuple[tuple[str, str], ...] = (
    ("event_id", "VARCHAR PRIMARY KEY"),
    ("origin", "VARCHAR NOT NULL"),
    ("origin_id", "VARCHAR"),
    ("date", "DATE"),
    ("date_source", "VARCHAR"),
    ("source_country", "VARCHAR"),
    ("source_sector", "VARCHAR"),
    ("source_actor", "VARCHAR"),
    ("source_name", "VARCHAR"),
    ("target_country", "VARCHAR"),
    ("target_sector", "VARCHAR"),
    ("target_actor", "VARCHAR"),
    ("target_name", "VARCHAR"),
    ("cameo_code", "VARCHAR"),
    ("cameo_root", "VARCHAR"),
    ("plover_type", "VARCHAR"),
    ("plover_mode", "VARCHAR"),
    ("goldstein", "DOUBLE"),
    ("quad_class", "TINYINT"),
    ("negated", "BOOLEAN DEFAULT FALSE"),
    ("modality", "VARCHAR"),
    ("location_name", "VARCHAR"),
    ("location_country", "VARCHAR"),
    ("latitude", "DOUBLE"),
    ("longitude", "DOUBLE"),
    ("doc_id", "VARCHAR"),
    ("sentence_idx", "INTEGER"),
    ("sentence", "VARCHAR"),
    ("spans", "JSON"),
    ("coder", "VARCHAR"),
    ("rule", "VARCHAR"),
    ("confidence", "DOUBLE"),
    ("story_group", "VARCHAR"),
    ("url", "VARCHAR"),
    ("publisher", "VARCHAR"),
    ("dataset_version", "VARCHAR"),
    ("run_id", "VARCHAR"),
)

# What event datasets carry beyond the event record (GDELT mentions and tone, ACLED and UCDP
# deaths, each dataset's own code and score), kept beside the event, keyed by its id.
EXTRA_COLUMNS: tuple[tuple[str, str], ...] = (
    ("source_file", "VARCHAR"),  # the file the row was imported from (absolute path)
    ("source_code", "VARCHAR"),  # the dataset's own actor code, as written (GDELT AFGGOVMIL)
    ("target_code", "VARCHAR"),
    ("dataset_event_type", "VARCHAR"),  # the dataset's own event category (ACLED, UCDP, PLOVER)
    ("dataset_goldstein", "DOUBLE"),  # the dataset's own score (GDELT GoldsteinScale, ICEWS Intensity)
    ("dataset_quad_class", "TINYINT"),  # the dataset's own quad class (GDELT QuadClass)
    ("is_root_event", "BOOLEAN"),
    ("num_mentions", "INTEGER"),  # GDELT: mentions, sources, articles and tone of the event
    ("num_sources", "INTEGER"),
    ("num_articles", "INTEGER"),
    ("avg_tone", "DOUBLE"),
    ("fatalities", "INTEGER"),  # ACLED fatalities; UCDP best estimate
    ("deaths_low", "INTEGER"),  # UCDP low and high estimates
    ("deaths_high", "INTEGER"),
)

# The table that holds the extras of events imported into the ``events`` table (migration 3);
# events imported into Parquet partitions keep them as columns of the part files.
EXTRAS_DDL = (
    "CREATE TABLE dataset_extras (\n  event_id VARCHAR PRIMARY KEY,\n  "
    + ",\n  ".join(f"{name} {kind}" for name, kind in EXTRA_COLUMNS)
    + "\n)"
)



_EVENTS_DDL = "CREATE TABLE events (\n  " + ",\n  ".join(f"{n} {t}" for n, t in EVENT_COLUMNS) + "\n)"

MIGRATIONS: tuple[tuple[str, ...], ...] = (
    # 1: the library, the event table and what later stages need
    (
        "CREATE TABLE dyadwatch_meta (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL)",
        "CREATE SEQUENCE sentence_seq START 1",
        """CREATE TABLE documents (
            doc_id VARCHAR PRIMARY KEY,
            title VARCHAR,
            text VARCHAR NOT NULL,
            url VARCHAR,
            publisher VARCHAR,
            author VARCHAR,
            published DATE,
            date_source VARCHAR NOT NULL,
            language VARCHAR,
            source_kind VARCHAR NOT NULL,
            source VARCHAR,
            user_id VARCHAR,
            meta JSON,
            collected_at TIMESTAMP NOT NULL,
            dup_group VARCHAR NOT NULL,
            minhash BLOB,
            run_id VARCHAR
        )""",
        """CREATE TABLE sentences (
            doc_id VARCHAR NOT NULL,
            idx INTEGER NOT NULL,
            start_char INTEGER NOT NULL,
            end_char INTEGER NOT NULL,
            paragraph INTEGER NOT NULL,
            text VARCHAR NOT NULL,
            seq BIGINT NOT NULL DEFAULT nextval('sentence_seq'),
            PRIMARY KEY (doc_id, idx)
        )""",
        """CREATE TABLE sources (
            fingerprint VARCHAR PRIMARY KEY,
            location VARCHAR NOT NULL,
            kind VARCHAR NOT NULL,
            documents INTEGER NOT NULL,
            ingested_at TIMESTAMP NOT NULL,
            run_id VARCHAR
        )""",
        """CREATE TABLE runs (
            run_id VARCHAR PRIMARY KEY,
            command VARCHAR NOT NULL,
            started_at TIMESTAMP NOT NULL,
            finished_at TIMESTAMP,
            version VARCHAR NOT NULL,
            args JSON,
            counts JSON
        )""",
        """CREATE TABLE actors (
            actor_id VARCHAR PRIMARY KEY,
            name VARCHAR NOT NULL,
            kind VARCHAR NOT NULL,
            country VARCHAR,
            sector VARCHAR,
            source VARCHAR,
            dictionary_version VARCHAR
        )""",
        _EVENTS_DDL,
        """CREATE TABLE corrections (
            correction_id VARCHAR PRIMARY KEY,
            event_id VARCHAR NOT NULL,
            action VARCHAR NOT NULL,
            changes JSON,
            reviewer VARCHAR NOT NULL,
            note VARCHAR,
            created_at TIMESTAMP NOT NULL
        )""",
    ),
    # 2: coding progress, so that `dyadwatch code` is incremental and resumable
    (
        """CREATE TABLE coded_documents (
            doc_id VARCHAR NOT NULL,
            coder VARCHAR NOT NULL,
            coder_version VARCHAR NOT NULL,
            events INTEGER NOT NULL,
            coded_at TIMESTAMP NOT NULL,
            run_id VARCHAR,
            PRIMARY KEY (doc_id, coder)
        )""",
    ),
    # 3: the extras of imported dataset events (GDELT mentions, ACLED and UCDP deaths, ...)
    (EXTRAS_DDL,),
)

assert len(MIGRATIONS) == SCHEMA_VERSION
