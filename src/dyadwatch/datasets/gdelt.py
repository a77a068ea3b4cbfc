"""GDELT event files -> the event table, in DuckDB, without a Python loop over rows.

Three layouts, tab-separated, no header, no quoting:

* GDELT 1.0 back file (events from 1979 to March 2013): 57 columns, no SOURCEURL;
* GDELT 1.0 daily files (from 1 April 2013): 58 columns, the last one SOURCEURL;
* GDELT 2.0 events and translingual events (from 18 February 2015): 61 columns (each of the
  three geographies gains an ADM2 code) and DATEADDED as YYYYMMDDHHMMSS.

The version is checked from the first row before anything is read: a 1.0 file given as
``gdelt2`` (or the reverse) is an ``[E509]`` error naming the right command. Every code is read
as text, so "043" keeps its zero; the event code is checked against CAMEO and scored by the
ontology (Goldstein 1.1b3 table, ``icews`` quad classes), GDELT's own GoldsteinScale and
QuadClass are kept beside (``dataset_goldstein``, ``dataset_quad_class``). Actor country codes
are CAMEO codes, written as the actor dictionary writes them (ROM -> ROU); location country codes
are FIPS 10-4 and go through the ontology's crosswalk (``RS`` is Russia, ``TI`` Tajikistan).
A known-group code (``TAL``) names a dictionary actor (``taliban``) whose dated role gives the
country and sector on the event's date: a row coded TAL, which has no country code, counts as
AFG, INS until 14 August 2021 and GOV after.

With ``--actors``, each line is first tested for a tab-delimited field equal to one of the
codes (a regular expression over the raw line, in DuckDB's threads), and only the lines that
pass are split and parsed: most of a file is never parsed at all.
"""

from __future__ import annotations

import logging
import queue
import threading
import uuid
from collections.abc import Callable, Generator, Iterator, Sequence
from contextlib import closing, suppress
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from dyadwatch.coding.export import GDELT2_COLUMNS
from dyadwatch.datasets import _lookups as lookups
from dyadwatch.datasets._common import MAX_LISTED, ReadContext, first_day, last_day
from dyadwatch.datasets._files import (
    ends_with_newline,
    find_lines,
    first_line,
    line_count,
    line_numbers,
    prefilter_parts,
)
from dyadwatch.errors import DatasetError, Errors
from dyadwatch.store.parquet import DATASET_COLUMNS
from dyadwatch.store.sql import sql_literal

log = logging.getLogger(__name__)

__all__ = ["GDELT1_COLUMNS", "GDELT2_COLUMNS", "batches", "detect"]


def _gdelt1_geo(prefix: str) -> list[str]:
    return [
        f"{prefix}_Type", f"{prefix}_FullName", f"{prefix}_CountryCode", f"{prefix}_ADM1Code",
        f"{prefix}_Lat", f"{prefix}_Long", f"{prefix}_FeatureID",
    ]


# GDELT 1.0 event table, in file order: 57 columns, and SOURCEURL in the daily files.
GDELT1_COLUMNS: tuple[str, ...] = (
    *GDELT2_COLUMNS[:35],
    *_gdelt1_geo("Actor1Geo"), *_gdelt1_geo("Actor2Geo"), *_gdelt1_geo("ActionGeo"),
    "DATEADDED", "SOURCEURL",
)
assert len(GDELT1_COLUMNS) == 58

# Other GDELT products, told apart by their number of columns, for a helpful error.
_OTHER_PRODUCTS = {16: "GDELT 2.0 mentions", 27: "GDELT 2.0 GKG", 11: "GDELT 1.0 GKG", 15: "GDELT 1.0 GKG counts"}

_BATCH_ROWS = 65_536

# Problems a row can have, found in SQL; the message is made in Python.
# Numbers are typed by the CSV reader itself (cheaper than text and a cast); a value that is no
# number makes DuckDB reject the line, with its number, as a CAST error.
_NUMERIC = {"IsRootEvent": "INTEGER", "QuadClass": "INTEGER", "GoldsteinScale": "DOUBLE", "NumMentions": "INTEGER",
            "NumSources": "INTEGER", "NumArticles": "INTEGER", "AvgTone": "DOUBLE", "ActionGeo_Lat": "DOUBLE",
            "ActionGeo_Long": "DOUBLE"}
_P_FIELDS, _P_ID, _P_DATE, _P_RANGE, _P_CODE, _P_ADDED = 1, 2, 3, 4, 5, 6


def detect(path: Path) -> tuple[str | None, str]:
    """Which GDELT layout a file has, from its first row: (dataset or None, description)."""
    line = first_line(path)
    if not line:
        return None, "empty"
    fields = line.split(b"\t")
    if len(fields) == 61:
        added = fields[59]
        if len(added) == 14 and added.isdigit():
            return "gdelt2", "61 columns, DATEADDED with time of day"
        return None, f"61 columns, but DATEADDED '{added.decode(errors='replace')}' is not a GDELT 2.0 timestamp"
    if len(fields) in (57, 58):
        return "gdelt1", f"{len(fields)} columns"
    if len(fields) in _OTHER_PRODUCTS:
        return None, f"{len(fields)} columns: looks like a {_OTHER_PRODUCTS[len(fields)]} file"
    return None, f"{len(fields)} tab-separated columns"


def check_version(dataset: str, path: Path, location: str) -> None:
    """Raise ``[E509]`` if the file is not of the GDELT version asked for."""
    found, description = detect(path)
    if found == dataset:
        return
    names = {"gdelt1": "GDELT 1.0 event", "gdelt2": "GDELT 2.0 event"}
    if found is None:
        if description == "empty":
            raise DatasetError(Errors.E514, where=location, detail="no first row")
        raise DatasetError(
            Errors.E509, where=location, found="not a GDELT event", detail=description,
            expected=f"a {names[dataset]} file ({'57 or 58' if dataset == 'gdelt1' else '61'} columns)",
            suggest=f"{dataset} with a GDELT events export file",
        )
    raise DatasetError(
        Errors.E509, where=location, found=names[found], detail=description,
        expected=f"{names[dataset]} ({'57 or 58' if dataset == 'gdelt1' else '61'} columns)", suggest=found,
    )


def default_version(dataset: str, path: Path, location: str = "") -> str:
    """GDELT's version of a file. Translingual events have the layout of the others: only
    their file name tells them apart (``YYYYMMDDHHMMSS.translation.export.CSV[.zip]``), as
    unpacked or as the archive was named; ``--dataset-version`` says it for a renamed file.

    >>> default_version("gdelt2", Path("20150218224500.translation.export.CSV"))
    '2.0-translingual'
    >>> default_version("gdelt2", Path("events.csv"), "20150218224500.translation.export.CSV.zip")
    '2.0-translingual'
    >>> default_version("gdelt2", Path("20150218224500.export.CSV")), default_version("gdelt1", Path("2005.csv"))
    ('2.0', '1.0')
    """
    if dataset == "gdelt1":
        return "1.0"
    names = (path.name.lower(), Path(location).name.lower())
    return "2.0-translingual" if any(".translation." in name for name in names) else "2.0"


def batches(path: Path, ctx: ReadContext) -> Iterator[pa.Table | DatasetError]:
    """The rows of a GDELT events file as dataset tables, then its bad rows as errors.

    ``path`` is a plain or gzip file (zips are unpacked by the caller). With ``ctx.actors``
    the file is first cut down to the lines that may be about them (``_files.prefilter_parts``).
    """
    check_version(ctx.dataset, path, ctx.location)
    version = ctx.version or default_version(ctx.dataset, path, ctx.location)
    if ctx.actors is None:
        yield from _convert(path, path, None, ctx, version)
        return
    candidates = ctx.workdir / f"candidates-{uuid.uuid4().hex[:8]}.tsv"
    try:
        # the kept lines of a large file come in pieces: the first are parsed while the
        # prefilter's workers scan the rest
        with closing(prefilter_parts(path, ctx.actors.needles, candidates)) as parts:
            for part, offsets in parts:
                yield from _convert(part, path, offsets, ctx, version)
    finally:
        candidates.unlink(missing_ok=True)


def _convert(read: Path, original: Path, offsets: list[int] | None, ctx: ReadContext,
             version: str) -> Iterator[pa.Table | DatasetError]:
    """Run the query over ``read`` (the file, or the lines the prefilter kept, which started
    at ``offsets`` of ``original``)."""
    columns = GDELT1_COLUMNS if ctx.dataset == "gdelt1" else GDELT2_COLUMNS
    con = duckdb.connect(config={"threads": _threads(), "preserve_insertion_order": False})
    try:
        con.execute("SET enable_progress_bar = false")
        con.execute("SET memory_limit = '1GB'")
        # DuckDB cannot size a CSV file before reading it (it guesses a few dozen rows), so its
        # optimiser would build the lookup joins' hash tables on the file's side and hold every
        # row in memory; in the order the query is written, the file is probed and streams
        con.execute("SET disabled_optimizers = 'join_order,build_side_probe_side'")
        con.execute(f"SET temp_directory = {sql_literal(str(ctx.workdir))}")
        con.register("_codes", lookups.event_codes_arrow())
        con.register("_groups", lookups.group_roles_arrow())
        con.register("_fips", pa.table({
            "fips": pa.array(list(lookups.fips_countries()), pa.string()),
            "iso3": pa.array(list(lookups.fips_countries().values()), pa.string()),
        }))
        sql = _query(read, ctx, columns, version)
        bad_rows: list[tuple[str, int]] = []
        try:
            reader = con.sql(sql).to_arrow_reader(_BATCH_ROWS)
            # closed (the reading thread stopped) before the connection is
            with closing(_prefetch(reader)) as prefetched:
                for batch in prefetched:
                    table = pa.Table.from_batches([batch])
                    problems = table.column("_problem")
                    ctx.rows += table.num_rows
                    if problems.null_count < table.num_rows:
                        flagged = table.filter(pc.is_valid(problems))
                        ctx.bad += flagged.num_rows
                        if len(bad_rows) < 10 * MAX_LISTED:
                            bad_rows.extend(zip(
                                [i or "" for i in flagged.column("origin_id").to_pylist()],
                                flagged.column("_problem").to_pylist(), strict=True,
                            ))
                        table = table.filter(pc.is_null(problems))
                    table = table.select([name for name, _ in DATASET_COLUMNS])
                    if ctx.actors is not None:
                        before = table.num_rows
                        table = table.filter(_keep(table, ctx))
                        ctx.filtered += before - table.num_rows
                    if table.num_rows:
                        yield table
            rejects = con.execute(
                # one line may be rejected once per missing column: one error per line
                "SELECT line, first(column_name ORDER BY column_idx), first(error_type ORDER BY column_idx), "
                "first(csv_line), first(error_message ORDER BY column_idx) FROM reject_errors GROUP BY line ORDER BY line"
            ).fetchall()
        except (duckdb.Error, pa.ArrowException, OSError) as exc:  # the reader reports DuckDB's errors as OSError
            raise _read_error(exc, ctx.location) from exc
    finally:
        con.close()
    ctx.bad += len(rejects)
    ctx.rows += len(rejects)
    if rejects or bad_rows:
        yield from _errors(read, original, offsets, ctx, columns, rejects, bad_rows)


_END = object()


def _prefetch(reader: pa.RecordBatchReader, depth: int = 2) -> Generator[pa.RecordBatch, None, None]:
    """The reader's batches, read ahead in a thread: DuckDB parses the next batches (it lets go
    of the GIL) while the caller writes this one to Parquet (so does Arrow), on two cores."""
    batches: queue.Queue[object] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def run() -> None:
        try:
            for batch in reader:
                while not stop.is_set():
                    try:
                        batches.put(batch, timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            batches.put(_END)
        except BaseException as exc:  # noqa: BLE001 - handed to the consumer, raised there
            batches.put(exc)

    thread = threading.Thread(target=run, name="dyadwatch-gdelt-reader", daemon=True)
    thread.start()
    try:
        while True:
            item = batches.get()
            if item is _END:
                return
            if isinstance(item, BaseException):
                raise item
            assert isinstance(item, pa.RecordBatch)
            yield item
    finally:
        stop.set()
        while thread.is_alive():  # let a blocked put through, so the thread can end
            with suppress(queue.Empty):
                batches.get(timeout=0.1)
        thread.join()


def _threads() -> int:
    import os

    return max(1, min(os.cpu_count() or 1, 8))


def _keep(table: pa.Table, ctx: ReadContext) -> pa.Array:
    actors = ctx.actors
    assert actors is not None
    countries = pa.array(sorted(actors.countries), pa.string())
    ids = pa.array(sorted(actors.actor_ids), pa.string())
    mask = pc.or_(
        pc.or_(pc.is_in(table.column("source_country"), value_set=countries),
               pc.is_in(table.column("target_country"), value_set=countries)),
        pc.or_(pc.is_in(table.column("source_actor"), value_set=ids),
               pc.is_in(table.column("target_actor"), value_set=ids)),
    )
    return pc.fill_null(mask, False)


def _query(path: Path, ctx: ReadContext, columns: Sequence[str], version: str) -> str:
    """The SELECT that reads one file into dataset rows, with ``_problem`` (NULL: a good row)."""
    gdelt1 = ctx.dataset == "gdelt1"
    names = ", ".join(f"{sql_literal(name)}: '{_NUMERIC.get(name, 'VARCHAR')}'" for name in columns)
    common = (
        f"{sql_literal(str(path))}, header = false, quote = '', escape = '', auto_detect = false, "
        "store_rejects = true"
    )
    padding = ", null_padding = true" if gdelt1 else ""
    raw = f"SELECT *, NULL::INTEGER AS _nf FROM read_csv({common}, delim = '\t', columns = {{{names}}}{padding})"
    expected = "(57, 58)" if gdelt1 else "(61,)"
    added_length = 8 if gdelt1 else 14
    lat, lon = "ActionGeo_Lat", "ActionGeo_Long"
    country_changes = _case_map("{col}", lookups.cameo_country_changes())
    sector_changes = _case_map("{col}", lookups.sector_changes())
    non_state = ", ".join(sql_literal(c) for c in lookups.NON_STATE)
    first, last = first_day(ctx.dataset).isoformat(), last_day().isoformat()

    def country(side: str, group: str) -> str:
        code = country_changes.format(col=f"r.{side}CountryCode")
        prefix = f"left(r.{side}Code, 3)"
        return f"coalesce({code}, {group}.country, CASE WHEN {prefix} IN ({non_state}) THEN {prefix} END)"

    def sector(side: str, group: str) -> str:
        return f"coalesce({sector_changes.format(col=f'r.{side}Type1Code')}, {group}.sector)"

    problem = f"""CASE
    WHEN r._nf IS NOT NULL AND r._nf NOT IN {expected} THEN {_P_FIELDS}
    WHEN r.GLOBALEVENTID IS NULL OR TRY_CAST(r.GLOBALEVENTID AS BIGINT) IS NULL THEN {_P_ID}
    WHEN r._date IS NULL THEN {_P_DATE}
    WHEN r._date < DATE '{first}' OR r._date > DATE '{last}' THEN {_P_RANGE}
    WHEN c.code IS NULL THEN {_P_CODE}
    WHEN r.DATEADDED IS NULL OR length(r.DATEADDED) <> {added_length} OR TRY_CAST(r.DATEADDED AS BIGINT) IS NULL THEN {_P_ADDED}
  END"""
    origin = ctx.dataset
    select = f"""
WITH raw AS NOT MATERIALIZED ({raw}),  -- a CTE is materialised by default
r AS NOT MATERIALIZED (SELECT *, CASE WHEN length(SQLDATE) = 8 THEN TRY_STRPTIME(SQLDATE, '%Y%m%d')::DATE END AS _date FROM raw)
SELECT
  md5('{origin}:' || r.GLOBALEVENTID) AS event_id,
  '{origin}' AS origin,
  r.GLOBALEVENTID AS origin_id,
  r._date AS date,
  'dataset' AS date_source,
  {country('Actor1', 'g1')} AS source_country,
  {sector('Actor1', 'g1')} AS source_sector,
  g1.actor_id AS source_actor,
  r.Actor1Name AS source_name,
  {country('Actor2', 'g2')} AS target_country,
  {sector('Actor2', 'g2')} AS target_sector,
  g2.actor_id AS target_actor,
  r.Actor2Name AS target_name,
  c.cameo_code, c.cameo_root, c.plover_type, c.plover_mode, c.goldstein, c.quad_class,
  false AS negated,
  'asserted' AS modality,
  r.ActionGeo_FullName AS location_name,
  fp.iso3 AS location_country,
  CASE WHEN r.ActionGeo_Type <> '0' THEN r.{lat} END AS latitude,
  CASE WHEN r.ActionGeo_Type <> '0' THEN r.{lon} END AS longitude,
  NULL::VARCHAR AS doc_id, NULL::INTEGER AS sentence_idx, NULL::VARCHAR AS sentence, NULL::VARCHAR AS spans,
  NULL::VARCHAR AS coder, c.rule AS rule, NULL::DOUBLE AS confidence, NULL::VARCHAR AS story_group,
  r.SOURCEURL AS url, NULL::VARCHAR AS publisher,
  {sql_literal(version)} AS dataset_version,
  {sql_literal(ctx.run_id) if ctx.run_id else 'NULL::VARCHAR'} AS run_id,
  {sql_literal(ctx.location)} AS source_file,
  r.Actor1Code AS source_code, r.Actor2Code AS target_code,
  NULL::VARCHAR AS dataset_event_type,
  r.GoldsteinScale AS dataset_goldstein,
  TRY_CAST(r.QuadClass AS TINYINT) AS dataset_quad_class,
  r.IsRootEvent = 1 AS is_root_event,
  r.NumMentions AS num_mentions,
  r.NumSources AS num_sources,
  r.NumArticles AS num_articles,
  r.AvgTone AS avg_tone,
  NULL::INTEGER AS fatalities, NULL::INTEGER AS deaths_low, NULL::INTEGER AS deaths_high,
  {problem} AS _problem
FROM r
LEFT JOIN _codes c ON c.code = r.EventCode
LEFT JOIN _fips fp ON fp.fips = r.ActionGeo_CountryCode
LEFT JOIN _groups g1 ON g1.code = r.Actor1KnownGroupCode AND r._date BETWEEN g1.start_date AND g1.end_date
LEFT JOIN _groups g2 ON g2.code = r.Actor2KnownGroupCode AND r._date BETWEEN g2.start_date AND g2.end_date
"""
    return select


def _case_map(template: str, mapping: dict[str, str]) -> str:
    """``CASE col WHEN 'a' THEN 'b' ... ELSE col END`` for a small mapping (no join needed)."""
    if not mapping:
        return template
    whens = " ".join(f"WHEN {sql_literal(k)} THEN {sql_literal(v)}" for k, v in sorted(mapping.items()))
    return f"(CASE {template} {whens} ELSE {template} END)"


def _read_error(exc: Exception, location: str) -> DatasetError:
    text = str(exc).splitlines()[0]
    lowered = text.lower()
    if "gzip" in lowered or "compress" in lowered or "zlib" in lowered or "inflate" in lowered:
        return DatasetError(Errors.E506, where=location, detail=text)
    return DatasetError(Errors.E501, where=location, line="?", detail=text, dataset="GDELT")


def _errors(
    path: Path,
    original: Path,
    offsets: list[int] | None,
    ctx: ReadContext,
    columns: Sequence[str],
    rejects: list[tuple[object, ...]],
    bad_rows: list[tuple[str, int]],
) -> Iterator[DatasetError]:
    """The bad rows as errors with their line numbers, in line order."""
    dataset = "GDELT 1.0" if ctx.dataset == "gdelt1" else "GDELT 2.0"
    expected = "57 or 58" if ctx.dataset == "gdelt1" else "61"
    complete = ends_with_newline(original)
    lines_read: list[int] = [int(str(r[0])) for r in rejects]
    located = find_lines(path, (own_id.encode() for own_id, _ in bad_rows))
    lines_read += [number for number, _ in located.values()]
    if offsets is None:
        original_line = {n: n for n in lines_read}
    else:  # a line of the prefiltered file -> its line in the original
        numbers = line_numbers(original, (offsets[n - 1] for n in lines_read if 0 < n <= len(offsets)))
        original_line = {n: numbers.get(offsets[n - 1], 0) for n in lines_read if 0 < n <= len(offsets)}
    last_line: int | None = None
    errors: list[tuple[int, DatasetError]] = []

    def fields_error(line: int, found: int) -> DatasetError:
        nonlocal last_line
        if not complete:
            if last_line is None:
                last_line = line_count(original)
            if line == last_line:
                return DatasetError(Errors.E508, where=ctx.location, line=line, found=found, expected=expected)
        return DatasetError(Errors.E507, where=f"{ctx.location}:{line}", line=line, found=found,
                            dataset=dataset, expected=expected)

    for line, column, kind, text, message in rejects:
        number = original_line.get(int(str(line)), 0)
        raw = str(text or "")
        if kind in ("MISSING COLUMNS", "TOO MANY COLUMNS"):
            errors.append((number, fields_error(number, raw.count("\t") + 1)))
        elif kind == "CAST":
            fields = raw.split("\t")
            index = columns.index(str(column)) if column in columns else -1
            value = fields[index] if 0 <= index < len(fields) else raw
            errors.append((number, DatasetError(Errors.E512, where=f"{ctx.location}:{number}", line=number,
                                                field=str(column), value=value)))
        elif kind == "INVALID ENCODING" or kind == "INVALID UNICODE":
            errors.append((number, DatasetError(Errors.E515, where=f"{ctx.location}:{number}", line=number, detail=str(message))))
        else:
            errors.append((number, DatasetError(
                Errors.E501, where=f"{ctx.location}:{number}", line=number, dataset=dataset,
                detail=f"{kind.lower() if isinstance(kind, str) else kind} in {column}: {message}",
            )))
    if bad_rows:
        for own_id, code in bad_rows:
            read_line, raw_line = located.get(own_id.encode(), (0, b""))
            number = original_line.get(read_line, 0)
            errors.append((number, _row_error(ctx, dataset, columns, number, code, raw_line, fields_error)))
    errors.sort(key=lambda item: item[0])
    listed = 0
    for _, error in errors:
        if listed < 1000:
            listed += 1
            yield error
    if len(errors) > listed:
        yield DatasetError(Errors.E501, where=ctx.location, line="(more)", dataset=dataset,
                           detail=f"{len(errors) - listed} more bad rows are not listed")


def _row_error(ctx: ReadContext, dataset: str, columns: Sequence[str], line: int, code: int, raw: bytes,
               fields_error: Callable[[int, int], DatasetError]) -> DatasetError:
    """The error of a row the query flagged, its value read back from the line itself."""
    where = f"{ctx.location}:{line}" if line else ctx.location
    shown: object = line or "?"
    fields = raw.decode("utf-8", errors="replace").split("\t") if raw else []
    sizes = (57, 58) if ctx.dataset == "gdelt1" else (61,)

    def value(name: str) -> str:
        index = columns.index(name)
        return fields[index] if index < len(fields) else ""

    if code == _P_FIELDS or (code == _P_ADDED and fields and len(fields) not in sizes):
        return fields_error(line, len(fields))
    if code == _P_ID:
        return DatasetError(Errors.E512, where=where, line=shown, field="GLOBALEVENTID", value=value("GLOBALEVENTID"))
    if code in (_P_DATE, _P_RANGE):
        return DatasetError(Errors.E510, where=where, line=shown, field="SQLDATE", value=value("SQLDATE"),
                            start=first_day(ctx.dataset).isoformat(), end=last_day().isoformat())
    if code == _P_CODE:
        return DatasetError(Errors.E511, where=where, line=shown, field="EventCode", value=value("EventCode"))
    if code == _P_ADDED:
        added = value("DATEADDED")
        if added:
            kind = ("GDELT 2.0 (YYYYMMDDHHMMSS)" if len(added) == 14 else
                    "GDELT 1.0 (YYYYMMDD)" if len(added) == 8 else "no GDELT")
            return DatasetError(Errors.E501, where=where, line=shown, dataset=dataset,
                                detail=f"DATEADDED '{added}' is a {kind} date, in a {dataset} file")
        return DatasetError(Errors.E520, where=where, line=shown, field="DATEADDED", dataset=dataset)
    return DatasetError(Errors.E501, where=where, line=shown, dataset=dataset, detail=f"problem {code}")
