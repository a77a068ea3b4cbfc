"""GDELT readers: the real samples, and hand-made rows for each trap (versions, codes as text,
FIPS against ISO, the Taliban's TAL, legacy codes, the --actors prefilter)."""

from __future__ import annotations

import datetime as dt
import gzip
from pathlib import Path

import pytest

from dyadwatch.datasets import read_rows
from dyadwatch.datasets._common import ActorFilter
from dyadwatch.datasets._files import prefilter
from dyadwatch.datasets.gdelt import detect
from dyadwatch.errors import DatasetError
from dyadwatch.records import Event
from tests.datasets.rows import gdelt1_row, gdelt2_row, write_lines


def events(dataset: str, path: Path, **options: object) -> list[Event]:
    return [e for e in read_rows(dataset, path, **options) if isinstance(e, Event)]  # type: ignore[arg-type]


def one(dataset: str, tmp_path: Path, line: str, name: str = "20211020120000.export.CSV") -> Event:
    found = events(dataset, write_lines(tmp_path / name, [line]))
    assert len(found) == 1
    return found[0]


# -- the real samples ---------------------------------------------------------------------------


def test_real_gdelt2_events_keep_codes_as_text(shared_data: Path) -> None:
    found = events("gdelt2", shared_data / "gdelt-samples" / "events.csv")
    assert len(found) == 100
    first = min(found, key=lambda e: int(e.origin_id or 0))  # the fast path keeps no row order
    assert (first.origin, first.origin_id, first.date) == ("gdelt2", "410412347", dt.date(2014, 2, 18))
    assert (first.cameo_code, first.cameo_root, first.plover_type) == ("043", "04", "CONSULT")
    assert first.url is not None and first.url.startswith("http://www.dailymaverick.co.za/")
    assert first.location_country == "ZAF"  # FIPS SF
    assert first.dataset_version == "2.0"
    assert all(e.cameo_code and len(e.cameo_code) >= 3 for e in found)
    assert sum(1 for e in found if e.cameo_code and e.cameo_code.startswith("0")) > 30


def test_real_translingual_sample(shared_data: Path, tmp_path: Path) -> None:
    # the translingual file of a 15-minute batch is named *.translation.export.CSV
    named = tmp_path / "20150218224500.translation.export.CSV"
    named.write_bytes((shared_data / "gdelt-samples" / "eventsT.csv").read_bytes())
    found = events("gdelt2", named)
    assert len(found) == 100
    assert {e.dataset_version for e in found} == {"2.0-translingual"}
    usa_rus = [e for e in found if (e.source_country, e.target_country) == ("USA", "RUS")]
    assert usa_rus and usa_rus[0].cameo_code == "014"


def test_real_gdelt1_mixes_57_and_58_columns(shared_data: Path) -> None:
    found = events("gdelt1", shared_data / "gdelt-samples" / "events1.csv")
    assert len(found) == 100
    back_file = [e for e in found if e.url is None]  # the 57-column back-file rows
    daily = [e for e in found if e.url is not None]
    assert len(back_file) == 40 and len(daily) == 60
    assert {e.dataset_version for e in found} == {"1.0"}
    assert min(found, key=lambda e: int(e.origin_id or 0)).date == dt.date(1979, 1, 1)


def rows_of(dataset: str, path: Path, workdir: Path) -> list[dict[str, object]]:
    """The dataset rows of a file, extras included."""
    from dyadwatch.datasets import read_batches
    from dyadwatch.datasets._common import ReadContext

    items = read_batches(dataset, path, ReadContext(dataset, str(path), workdir))
    return [r for t in items if not isinstance(t, DatasetError) for r in t.to_pylist()]


def test_real_rows_keep_gdelt_counts(shared_data: Path, tmp_path: Path) -> None:
    rows = rows_of("gdelt2", shared_data / "gdelt-samples" / "events.csv", tmp_path)
    assert all(r["num_mentions"] is not None and r["num_sources"] is not None for r in rows)
    first = next(r for r in rows if r["origin_id"] == "410412347")
    assert first["num_mentions"] == 5 and first["avg_tone"] == pytest.approx(-4.4776119402985)
    assert all(r["source_file"] == str(shared_data / "gdelt-samples" / "events.csv") for r in rows)


def test_gdelt_scores_are_kept_beside_the_ontologys(tmp_path: Path) -> None:
    # GDELT's QuadClass puts protest (14) in verbal conflict; the ontology's default does not
    path = write_lines(tmp_path / "x.export.CSV", [gdelt2_row(1, EventCode="141", QuadClass="3", GoldsteinScale="-6.5")])
    row = rows_of("gdelt2", path, tmp_path)[0]
    assert (row["quad_class"], row["dataset_quad_class"]) == (4, 3)
    assert row["dataset_goldstein"] == -6.5


# -- versions -------------------------------------------------------------------------------------


def test_version_is_told_by_columns(tmp_path: Path) -> None:
    assert detect(write_lines(tmp_path / "a.CSV", [gdelt2_row(1)]))[0] == "gdelt2"
    assert detect(write_lines(tmp_path / "b.CSV", [gdelt1_row(1)]))[0] == "gdelt1"
    assert detect(write_lines(tmp_path / "c.CSV", [gdelt1_row(1, url=False)]))[0] == "gdelt1"
    mentions = write_lines(tmp_path / "d.CSV", ["\t".join(["x"] * 16)])
    assert "mentions" in detect(mentions)[1]


@pytest.mark.parametrize(("asked", "line", "suggest"), [
    ("gdelt2", gdelt1_row(1), "gdelt1"),
    ("gdelt1", gdelt2_row(1), "gdelt2"),
])
def test_wrong_version_is_a_clear_error(tmp_path: Path, asked: str, line: str, suggest: str) -> None:
    path = write_lines(tmp_path / "events.CSV", [line])
    with pytest.raises(DatasetError) as caught:
        events(asked, path)
    assert caught.value.code == "E509"
    assert f"dyadwatch import {suggest} FILE" in str(caught.value)
    assert str(path) in str(caught.value)


# -- codes ----------------------------------------------------------------------------------------


def test_leading_zeros_survive(tmp_path: Path) -> None:
    event = one("gdelt2", tmp_path, gdelt2_row(7, EventCode="0231", EventBaseCode="023", EventRootCode="02"))
    assert (event.cameo_code, event.cameo_root) == ("0231", "02")


def test_code_that_is_not_cameo_is_an_error_with_line(tmp_path: Path) -> None:
    path = write_lines(tmp_path / "x.export.CSV", [gdelt2_row(1), gdelt2_row(2, EventCode="999")])
    with pytest.raises(DatasetError) as caught:
        events("gdelt2", path)
    assert caught.value.code == "E511"
    assert f"{path}:2" in str(caught.value) and "'999'" in str(caught.value)


def test_legacy_cameo_codes_are_read_as_their_new_numbers(tmp_path: Path) -> None:
    event = one("gdelt2", tmp_path, gdelt2_row(3, EventCode="1641", EventBaseCode="164", EventRootCode="16"))
    assert event.cameo_code == "1661"
    assert event.rule is not None and "1641" in event.rule


def test_goldstein_and_quad_come_from_the_ontology(tmp_path: Path) -> None:
    # GDELT scores 164 (halt negotiations) -7.0, the score of 166 in the old numbering
    event = one("gdelt2", tmp_path, gdelt2_row(4, EventCode="164", GoldsteinScale="-7.0", QuadClass="4"))
    assert event.goldstein == -6.5


# -- countries --------------------------------------------------------------------------------


def test_location_codes_are_fips_actor_codes_are_cameo(tmp_path: Path) -> None:
    # RS is Russia in FIPS (GDELT's location fields) though Serbia in ISO alpha-2
    event = one("gdelt2", tmp_path, gdelt2_row(5, Actor1Code="SRB", Actor1CountryCode="SRB", ActionGeo_CountryCode="RS"))
    assert (event.source_country, event.location_country) == ("SRB", "RUS")
    tajik = one("gdelt2", tmp_path, gdelt2_row(6, ActionGeo_CountryCode="TI", ActionGeo_FullName="Dushanbe, Tajikistan"), "b.CSV")
    assert tajik.location_country == "TJK"
    serbia = one("gdelt2", tmp_path, gdelt2_row(7, ActionGeo_CountryCode="RI"), "c.CSV")
    assert serbia.location_country == "SRB"


def test_actor_codes_written_as_the_dictionary_writes_them(tmp_path: Path) -> None:
    event = one("gdelt2", tmp_path, gdelt2_row(8, Actor1Code="ROMMED", Actor1CountryCode="ROM", Actor1Type1Code="MED"))
    assert (event.source_country, event.source_sector) == ("ROU", "JRN")  # CAMEO MED is the media


def test_taliban_code_tal_counts_as_afghan_with_its_dated_role(tmp_path: Path) -> None:
    before = one("gdelt2", tmp_path, gdelt2_row(9, SQLDATE="20210801", Actor2Code="TAL", Actor2Name="TALIBAN",
                                                 Actor2CountryCode="", Actor2KnownGroupCode="TAL"))
    assert (before.target_country, before.target_sector, before.target_actor) == ("AFG", "INS", "taliban")
    after = one("gdelt2", tmp_path, gdelt2_row(10, SQLDATE="20211020", Actor2Code="TAL", Actor2Name="TALIBAN",
                                               Actor2CountryCode="", Actor2KnownGroupCode="TAL"), "b.CSV")
    assert (after.target_country, after.target_sector, after.target_actor) == ("AFG", "GOV", "taliban")


def test_igo_codes(tmp_path: Path) -> None:
    event = one("gdelt2", tmp_path, gdelt2_row(11, Actor1Code="IGOUNO", Actor1Name="UNITED NATIONS",
                                                Actor1CountryCode="", Actor1KnownGroupCode="UNO", Actor1Type1Code="IGO"))
    assert (event.source_country, event.source_actor) == ("IGO", "un")


# -- actor filter ----------------------------------------------------------------------------


def test_actor_filter_keeps_rows_about_the_actors(tmp_path: Path) -> None:
    lines = [
        gdelt2_row(1),  # RUS -> AFG
        gdelt2_row(2, Actor1Code="USA", Actor1Name="UNITED STATES", Actor1CountryCode="USA",
                   Actor2Code="CHN", Actor2Name="CHINA", Actor2CountryCode="CHN"),
        gdelt2_row(3, Actor1Code="USA", Actor1CountryCode="USA", Actor1Name="RUS",  # a name, not a code
                   Actor2Code="CHN", Actor2CountryCode="CHN"),
        gdelt2_row(4, Actor1Code="USA", Actor1CountryCode="USA", Actor2Code="TAL", Actor2CountryCode="",
                   Actor2KnownGroupCode="TAL"),
    ]
    path = write_lines(tmp_path / "x.export.CSV", lines)
    found = events("gdelt2", path, actors="RUS,AFG")
    assert sorted(e.origin_id for e in found if e.origin_id) == ["1", "4"]  # TAL counts as AFG


def test_prefilter_keeps_lines_with_a_field_equal_to_a_code(tmp_path: Path) -> None:
    source = write_lines(tmp_path / "in.tsv", ["a\tRUS\tb", "a\tRUSSIA\tb", "x\tAFG\ty", "nothing here"])
    target = tmp_path / "out.tsv"
    offsets = prefilter(source, ["RUS", "AFG"], target)
    assert target.read_text().splitlines() == ["a\tRUS\tb", "x\tAFG\ty"]
    assert offsets == [0, len("a\tRUS\tb\na\tRUSSIA\tb\n")]


def test_prefilter_reads_gzip(tmp_path: Path) -> None:
    source = tmp_path / "in.tsv.gz"
    with gzip.open(source, "wt") as handle:
        handle.write("a\tRUS\tb\nno\n")
    target = tmp_path / "out.tsv"
    assert prefilter(source, ["RUS"], target) == [0]


def test_errors_under_the_filter_name_lines_of_the_original_file(tmp_path: Path) -> None:
    lines = [gdelt2_row(i, Actor1CountryCode="USA", Actor2CountryCode="CHN", Actor1Code="USA", Actor2Code="CHN") for i in range(1, 6)]
    lines.append(gdelt2_row(6, SQLDATE="20991301"))  # about RUS and AFG, and a bad date
    path = write_lines(tmp_path / "x.export.CSV", lines)
    with pytest.raises(DatasetError) as caught:
        events("gdelt2", path, actors="RUS")
    assert caught.value.code == "E510" and f"{path}:6" in str(caught.value)


def test_actor_filter_parses_codes_and_ids() -> None:
    parsed = ActorFilter.parse("ROM,taliban,rus")
    assert parsed is not None
    assert parsed.countries == {"ROU", "RUS"}  # rus is the dictionary's id of Russia
    assert parsed.actor_ids == {"taliban"}
    assert {"ROM", "ROU", "TAL", "RUS"} <= parsed.needles


def test_a_count_that_is_no_number(tmp_path: Path) -> None:
    path = write_lines(tmp_path / "x.export.CSV", [gdelt2_row(1), gdelt2_row(2, NumMentions="many")])
    with pytest.raises(DatasetError) as caught:
        events("gdelt2", path)
    assert caught.value.code == "E512" and f"{path}:2" in str(caught.value) and "'many'" in str(caught.value)


def test_text_that_is_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "x.export.CSV"
    path.write_bytes((gdelt2_row(1) + "\n").encode() + gdelt2_row(2, Actor1Name="CAF\xc9").encode("latin-1") + b"\n")
    found = list(read_rows("gdelt2", path, on_error="skip"))
    errors = [e for e in found if isinstance(e, DatasetError)]
    assert [e.code for e in errors] == ["E515"] and f"{path}:2" in str(errors[0])
    assert sum(isinstance(e, Event) for e in found) == 1


def test_parallel_prefilter_gives_the_same_lines(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from dyadwatch.datasets import _files

    lines = [f"{i}\t{'RUS' if i % 7 == 0 else 'USA'}\tx" for i in range(1, 3001)]
    source = write_lines(tmp_path / "in.tsv", lines)
    single = prefilter(source, ["RUS"], tmp_path / "one.tsv", workers=1)
    monkeypatch.setattr(_files, "PARALLEL_BYTES", 0)
    several = prefilter(source, ["RUS"], tmp_path / "three.tsv", workers=3)
    assert single == several and len(single) == 3000 // 7
    assert (tmp_path / "one.tsv").read_bytes() == (tmp_path / "three.tsv").read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.tsv", "one.tsv", "three.tsv"]


def test_parallel_prefilter_hands_pieces_over_in_order_and_tidies_when_left_early(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The pieces of a parallel scan come in file order, each with the offsets of its lines in
    the original; a reader that stops after the first (an error under --on-error stop) leaves
    no worker running and no piece behind."""
    from contextlib import closing

    from dyadwatch.datasets import _files

    lines = [f"{i}\t{'AFG' if i % 5 == 0 else 'USA'}\tx" for i in range(1, 4001)]
    source = write_lines(tmp_path / "in.tsv", lines)
    data = source.read_bytes()
    monkeypatch.setattr(_files, "PARALLEL_BYTES", 0)
    pieces = []
    with closing(_files.prefilter_parts(source, ["AFG"], tmp_path / "kept.tsv", workers=2)) as parts:
        for part, offsets in parts:
            kept = part.read_bytes().splitlines(keepends=True)
            assert [data[o:o + len(line)] for o, line in zip(offsets, kept, strict=True)] == kept
            pieces.append(offsets)
    assert len(pieces) == 4 and sum(pieces, []) == sorted(sum(pieces, []))  # 2 workers x 2 pieces, in order
    assert len(sum(pieces, [])) == 4000 // 5
    with closing(_files.prefilter_parts(source, ["AFG"], tmp_path / "early.tsv", workers=2)) as parts:
        first, _ = next(parts)
        assert first.is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.tsv"]


def test_read_rows_from_a_stream_and_a_zip(tmp_path: Path) -> None:
    import io
    import zipfile

    data = (gdelt2_row(1) + "\n" + gdelt2_row(2) + "\n").encode()
    from_stream = events("gdelt2", io.BytesIO(data), name="20211020120000.translation.export.CSV")  # type: ignore[arg-type]
    assert [e.dataset_version for e in from_stream] == ["2.0-translingual"] * 2
    archive = tmp_path / "20211020120000.export.CSV.zip"
    with zipfile.ZipFile(archive, "w") as handle:
        handle.writestr("20211020120000.export.CSV", data)
    assert len(events("gdelt2", archive)) == 2
    with archive.open("rb") as stream:
        assert len(events("gdelt2", stream, name=archive.name)) == 2  # type: ignore[arg-type]
