"""Streaming readers: records cut correctly whatever the chunking, errors placed on their row."""

from __future__ import annotations

import gzip
from collections.abc import AsyncIterator
from decimal import Decimal
from pathlib import Path

import pytest

from nephos_metering.ingest import legacy
from nephos_metering.ingest.readers import FileProblem, csv_gzip_batches, csv_gzip_record_batches
from nephos_metering.ingest.values import ValueProblem, decimal_of

TEXT = 'a,b,c\n1,"two\nlines, and ""quotes""",3\n4,5,6\r\n7,"",9\n'


async def chunked(data: bytes, size: int) -> AsyncIterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start : start + size]


async def read_all(data: bytes, size: int, batch: int = 2) -> list[dict[str, str]]:
    rows: list[dict[str, str]] = []
    async for found in csv_gzip_batches(chunked(data, size), frozenset({"a"}), batch):
        assert len(found) <= batch
        rows.extend(found)
    return rows


@pytest.mark.parametrize("size", [1, 3, 7, 1000])
async def test_quoted_newlines_survive_any_chunking(size: int) -> None:
    rows = await read_all(gzip.compress(TEXT.encode()), size)

    assert rows == [
        {"a": "1", "b": 'two\nlines, and "quotes"', "c": "3"},
        {"a": "4", "b": "5", "c": "6"},
        {"a": "7", "b": "", "c": "9"},
    ]


async def test_a_ragged_row_is_named() -> None:
    data = gzip.compress(b"a,b\n1,2\n3,4\n5\n")

    with pytest.raises(FileProblem) as problem:
        await read_all(data, 4)

    assert problem.value.row == 3


def test_decimals_are_exact_from_text_and_doubles() -> None:
    assert decimal_of("x", "0.1234567891") == Decimal("0.1234567891")
    assert decimal_of("x", 0.1) + decimal_of("x", 0.2) == Decimal("0.3")
    for bad in ("NaN", "1e", float("inf"), ""):
        with pytest.raises(ValueProblem):
            decimal_of("x", bad)


def test_legacy_headers_take_cur2_names() -> None:
    assert legacy.column_name("lineItem/UnblendedCost") == "line_item_unblended_cost"
    assert legacy.column_name("savingsPlan/SavingsPlanARN") == "savings_plan_savings_plan_a_r_n"
    assert legacy.column_name("resourceTags/user:team") == "tag/user:team"
    folded = legacy.fold({"tag/user:team": "a", "product_product_name": "Amazon S3"})
    assert folded["resource_tags"] == {"user:team": "a"}
    assert folded["product"] == {"product_name": "Amazon S3"}


async def read_arrow(data: bytes, tmp_path: Path, block: int = 16) -> list[dict[str, str]]:
    """Rows read through the Arrow path, checking each batch's place in the file."""
    path = tmp_path / "part.csv.gz"
    path.write_bytes(data)
    rows: list[dict[str, str]] = []
    async for done, batch in csv_gzip_record_batches(str(path), frozenset({"a"}), block):
        assert done == len(rows)
        rows.extend(batch.to_pylist())
    return rows


async def test_arrow_reads_what_the_reference_reader_reads(tmp_path: Path) -> None:
    text = "\ufeff" + TEXT.replace("4,5,6\r\n", "4,5,6\r\n\n")  # a BOM and a blank line
    halves = len(text) // 2
    data = gzip.compress(text[:halves].encode()) + gzip.compress(text[halves:].encode())

    expected = await read_all(data, 5)
    assert len(expected) == 3
    assert await read_arrow(data, tmp_path, block=1 << 20) == expected
    # A record longer than Arrow's block: the reference reader reads on from there.
    assert await read_arrow(data, tmp_path, block=16) == expected


async def test_arrow_hands_a_broken_file_to_the_reference_reader_to_name_the_row(
    tmp_path: Path,
) -> None:
    data = gzip.compress(b"a,b\n1,2\n3,4\n5\n")
    with pytest.raises(FileProblem) as ragged:
        await read_arrow(data, tmp_path)
    assert ragged.value.row == 3

    whole = gzip.compress(("a,b\n" + "".join(f"{i},{i}\n" for i in range(2000))).encode())
    with pytest.raises(FileProblem) as truncated:
        await read_arrow(whole[: len(whole) // 2], tmp_path, block=1 << 20)
    assert 1 < truncated.value.row <= 2000
    assert "truncated" in str(truncated.value)
