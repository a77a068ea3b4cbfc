"""The store: DuckDB, embedded, the default. Everything stages share lives here."""

from dyadwatch.store.duckdb_store import DEFAULT_STORE, MEMORY, Store, default_store_path
from dyadwatch.store.schema import EVENT_COLUMNS, SCHEMA_VERSION

__all__ = ["DEFAULT_STORE", "EVENT_COLUMNS", "MEMORY", "SCHEMA_VERSION", "Store", "default_store_path"]
