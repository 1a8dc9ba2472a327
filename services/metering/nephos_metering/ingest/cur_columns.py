"""CUR 2.0 line items mapped a whole column at a time: the fast path of ``cur.to_focus``.

``to_focus`` stays the reference mapping: it maps one line item, and its errors
name the column at fault. Through it a million line items cost about 25 µs
each in Python; here a record batch of CSV text is mapped with Arrow's compute
kernels instead, and the values that repeat (line item types, hour stamps,
products, tags, currencies, product codes) are mapped once per distinct value
by the very functions ``to_focus`` uses. The result is a table of
``COST_COLUMNS`` ready to be written as CSV for COPY; money stays the exact
decimal text of the file, which PostgreSQL parses into NUMERIC.

Whatever this path cannot vouch for (a value that does not parse, an unknown
line item type, a missing mandatory value) raises ``Unmapped``: the caller then
maps that batch through ``to_focus``, which names the row and column at fault,
or accepts what only it knows how to read, so both paths store the same rows.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from decimal import Decimal
from operator import itemgetter
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from nephos_metering.ingest import cur
from nephos_metering.ingest.values import ValueProblem, map_json, timestamp_of

STRING = pa.string()
DECIMAL_TEXT = r"^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$"
"""A plain decimal number, as PostgreSQL's NUMERIC reads it; ``Decimal`` accepts more."""
_JSON_TEXT = r'"(?:[^"\\\x00-\x1f]|\\["\\/bfnrt]|\\u[0-9a-fA-F]{4})*"'
_WS = r"[ \t\n\r]*"  # JSON's own whitespace: not every character RE2's \s takes
_JSON_PAIR = rf"{_JSON_TEXT}{_WS}:{_WS}{_JSON_TEXT}"
FLAT_JSON_OBJECT = rf"^{_WS}\{{{_WS}(?:{_JSON_PAIR}{_WS}(?:,{_WS}{_JSON_PAIR}{_WS})*)?\}}{_WS}$"
"""A JSON object whose values are all strings, as CUR writes ``resource_tags``."""
EXACT_SUM = pa.decimal128(38, 18)
"""Wide enough for a batch's total of CUR amounts (at most 10 decimals) without rounding:
a value that does not fit makes the cast fail, never round."""
PASSED_THROUGH = {
    "SavingsPlanCoveredUsage": "savings_plan_savings_plan_effective_cost",
    "DiscountedUsage": "reservation_effective_cost",
}
"""Line item types whose effective cost is another column's amount as it stands."""
NOTHING_EFFECTIVE = ["SavingsPlanNegation", "SavingsPlanUpfrontFee"]
COMPUTED = ["SavingsPlanRecurringFee", "RIFee"]
"""Rare types whose effective cost is a sum or difference: left to ``cur.effective_cost``."""


class Unmapped(Exception):
    """Something in the batch needs ``to_focus`` to be read or to be refused by name."""


class _Batch:
    """One record batch of text columns, with the mapping's column-wise helpers."""

    def __init__(self, batch: pa.RecordBatch) -> None:
        self.batch = batch
        self.rows = batch.num_rows

    def raw(self, name: str) -> pa.Array:
        index = self.batch.schema.get_field_index(name)
        if index < 0:
            return pa.nulls(self.rows, STRING)
        return self.batch.column(index)

    def text(self, name: str) -> pa.Array:
        """``values.text_of`` for a whole column: trimmed, blank is null."""
        trimmed = pc.utf8_trim_whitespace(self.raw(name))
        return pc.if_else(pc.equal(trimmed, ""), pa.scalar(None, STRING), trimmed)

    def required_text(self, name: str) -> pa.Array:
        found = self.text(name)
        _vouch(found.null_count == 0)
        return found

    def decimal(self, name: str, required: pa.Array | bool = False) -> pa.Array:
        """Exact decimal text, null where blank; ``required`` (everywhere, or where a
        mask holds) refuses blanks there."""
        found = self.text(name)
        valid = pc.match_substring_regex(found, DECIMAL_TEXT)
        _vouch(not pc.any(pc.invert(valid)).as_py())  # nulls are blanks, checked below
        if required is True:
            _vouch(found.null_count == 0)
        elif required is not False:
            _vouch(not pc.any(pc.and_kleene(required, pc.is_null(found))).as_py())
        return found

    def per_value(self, name: str, mapping: Callable[[Any], Any], kind: pa.DataType) -> pa.Array:
        """``mapping`` applied once per distinct value of the column (blank included)."""
        return _per_value(self.raw(name), mapping, kind)


def as_text(batch: pa.RecordBatch) -> pa.RecordBatch:
    """A Parquet batch as the text a CSV of it would hold, for ``focus_table``.

    Doubles become their shortest round-trip text, the decimal ``values.decimal_of``
    reads from a double too; timestamps and numbers their ISO or decimal text; a
    map of strings (``product``, ``resource_tags``) a JSON object. Anything else
    is left to ``to_focus``.
    """
    return pa.RecordBatch.from_arrays(
        [_text_of_column(column) for column in batch.columns], names=batch.schema.names
    )


def _text_of_column(column: pa.Array) -> pa.Array:
    kind = column.type
    if pa.types.is_string(kind):
        return column
    if pa.types.is_large_string(kind) or pa.types.is_dictionary(kind):
        return pc.cast(column, STRING)
    if pa.types.is_map(kind):
        return _map_as_json(column)
    if pa.types.is_floating(kind) or pa.types.is_integer(kind) or pa.types.is_decimal(kind):
        return pc.cast(column, STRING)
    if pa.types.is_timestamp(kind) or pa.types.is_date(kind):
        return pc.cast(column, STRING)
    if pa.types.is_null(kind):
        return pa.nulls(len(column), STRING)
    raise Unmapped


def _map_as_json(column: pa.MapArray) -> pa.Array:
    """A map of strings as a flat JSON object per row (null stays null); a null value,
    a control character or a sliced array is left to ``to_focus``."""
    keys, values = column.keys, column.items
    _vouch(column.offset == 0 and pa.types.is_string(keys.type))
    _vouch(pa.types.is_string(values.type) and values.null_count == 0)
    pairs = pc.binary_join_element_wise(
        '"', _json_string_insides(keys), '":"', _json_string_insides(values), '"', ""
    )
    rows = pa.ListArray.from_arrays(column.offsets, pairs, mask=column.is_null())
    return pc.binary_join_element_wise("{", pc.binary_join(rows, ","), "}", "")


def _json_string_insides(texts: pa.Array) -> pa.Array:
    """The texts as the insides of JSON strings; one with a control character is left to
    ``to_focus``. A map's keys and values repeat (a few tag keys, their values per
    resource): each distinct text is vetted and escaped once, not once per line item."""
    encoded = pc.dictionary_encode(texts)
    distinct = encoded.dictionary
    _vouch(not pc.any(pc.match_substring_regex(distinct, r"[\x00-\x1f]")).as_py())
    if not pc.any(pc.match_substring_regex(distinct, r'["\\]')).as_py():
        return texts
    escaped = pc.replace_substring(pc.replace_substring(distinct, "\\", "\\\\"), '"', '\\"')
    return escaped.take(encoded.indices)


def focus_table(batch: pa.RecordBatch, stamp: cur.Stamp) -> tuple[pa.Table, Decimal]:
    """The batch as ``costs`` rows (``COST_COLUMNS`` order) and its exact BilledCost total."""
    b = _Batch(batch)
    kinds = b.required_text("line_item_line_item_type")
    categories = _per_value(kinds, cur.charge_category, STRING)
    usage = pc.equal(categories, "Usage")
    billed = b.decimal("line_item_unblended_cost", required=True)
    names, regions, skus = _products(b)
    product_code = b.text("line_item_product_code")
    quantity = b.decimal("line_item_usage_amount")
    unit = b.text("pricing_unit")
    commitment_id, commitment_type = _commitments(b, kinds)
    resource_id = b.text("line_item_resource_id")
    usage_start = _timestamps(b, "line_item_usage_start_date")
    usage_end = _timestamps(b, "line_item_usage_end_date")
    _vouch(not pc.any(pc.less(usage_end, usage_start)).as_py())
    columns = {
        "tenant": _same(stamp.tenant, b.rows),
        "account_id": _same(str(stamp.account_id), b.rows),
        "delivery_id": _same(str(stamp.delivery_id), b.rows),
        "billing_account_id": b.required_text("bill_payer_account_id"),
        "sub_account_id": b.text("line_item_usage_account_id"),
        "billing_period_start": _timestamps(b, "bill_billing_period_start_date"),
        "billing_period_end": _timestamps(b, "bill_billing_period_end_date"),
        "charge_period_start": usage_start,
        "charge_period_end": usage_end,
        "billed_cost": billed,
        "effective_cost": _effective(b, kinds, billed),
        "list_cost": b.decimal("pricing_public_on_demand_cost"),
        "contracted_cost": pc.coalesce(b.decimal("line_item_net_unblended_cost"), billed),
        "billing_currency": b.per_value("line_item_currency_code", _currency, STRING),
        "charge_category": categories,
        "charge_class": pa.nulls(b.rows, STRING),
        "charge_description": b.text("line_item_line_item_description"),
        "service_name": pc.coalesce(names, product_code),
        "service_category": _per_value(product_code, _service_category, STRING),
        "region_id": pc.coalesce(b.text("product_region_code"), regions),
        "resource_id": resource_id,
        "resource_type": _where(pc.is_valid(resource_id), b.text("product_product_family")),
        "sku_id": pc.coalesce(b.text("product_sku"), skus),
        "pricing_quantity": quantity,
        "pricing_unit": unit,
        "consumed_quantity": _where(usage, quantity),
        "consumed_unit": _where(usage, unit),
        "commitment_discount_id": commitment_id,
        "commitment_discount_type": commitment_type,
        "tags": _tags(b),
        "x_line_item_type": kinds,
        "x_product_code": product_code,
        "x_usage_type": b.text("line_item_usage_type"),
        "x_operation": b.text("line_item_operation"),
        "invoice_id": b.text("bill_invoice_id"),
    }
    table = pa.table([columns[name] for name in cur.COST_COLUMNS], names=list(cur.COST_COLUMNS))
    return table, _exact_total(billed)


def _vouch(holds: bool) -> None:
    if not holds:
        raise Unmapped


def _per_value(values: pa.Array, mapping: Callable[[Any], Any], kind: pa.DataType) -> pa.Array:
    """``mapping`` once per distinct value (nulls as ``None``), spread back by index."""
    encoded = pc.dictionary_encode(values, null_encoding="encode")
    try:
        mapped = [mapping(value) for value in encoded.dictionary.to_pylist()]
    except ValueProblem:
        raise Unmapped from None
    return pa.array(mapped, type=kind).take(encoded.indices)


def _timestamps(b: _Batch, name: str) -> pa.Array:
    """``values.timestamp_of`` (a file repeats a few hundred hour stamps, not a million)
    as fixed-width ISO text in UTC: it sorts as the moments do, and Arrow writes text
    several times faster than it formats timestamps."""
    return b.per_value(name, lambda value: _iso(timestamp_of(name, value)), STRING)


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="microseconds")


def _currency(value: Any) -> str:
    return cur.currency({"line_item_currency_code": value})


def _service_category(product_code: str | None) -> str:
    return cur.SERVICE_CATEGORY.get(product_code or "", "Other")


def _tags(b: _Batch) -> pa.Array:
    """``values.map_json``: a flat object of strings is kept as it is written (as
    ``map_json`` keeps it), found by one pattern over the column; only the others (a
    blank, a number, a null) go through ``map_json``, once per distinct value."""
    raw = b.raw("resource_tags")
    other = pc.invert(pc.fill_null(pc.match_substring_regex(raw, FLAT_JSON_OBJECT), False))
    if not pc.any(other).as_py():
        return raw
    mapped = _per_value(raw.filter(other), lambda value: map_json("resource_tags", value), STRING)
    return pc.replace_with_mask(raw, other, mapped)


def _products(b: _Batch) -> tuple[pa.Array, pa.Array, pa.Array]:
    """Name, region and sku of the ``product`` map, parsed once per distinct map."""
    facts = b.per_value(
        "product", lambda value: list(cur.product_facts(value)), pa.list_(STRING, 3)
    )
    flat = pc.list_flatten(facts)
    return flat[0::3], flat[1::3], flat[2::3]


def _product_facts(value: Any) -> list[str | None]:
    return list(cur.product_facts(value))


def _commitments(b: _Batch, kinds: pa.Array) -> tuple[pa.Array, pa.Array]:
    """CommitmentDiscountId and Type: the savings plan or reservation, by line item type."""
    plan = pc.is_in(kinds, pa.array(sorted(cur.SAVINGS_PLAN_TYPES)))
    reserved = pc.is_in(kinds, pa.array(sorted(cur.RESERVATION_TYPES)))
    none = pa.scalar(None, STRING)
    reservation = pc.if_else(reserved, b.text("reservation_reservation_a_r_n"), none)
    ids = pc.if_else(plan, b.text("savings_plan_savings_plan_a_r_n"), reservation)
    types = pc.if_else(plan, "Savings Plan", pc.if_else(reserved, "Reservation", none))
    return ids, types


def _effective(b: _Batch, kinds: pa.Array, billed: pa.Array) -> pa.Array:
    """``cur.effective_cost`` for the whole batch (see the module doc of ``cur``)."""
    effective = billed
    for kind, source in PASSED_THROUGH.items():
        these = pc.equal(kinds, kind)
        if pc.any(these).as_py():
            effective = pc.if_else(these, b.decimal(source, required=these), effective)
    reserved_fee = pc.and_(
        pc.equal(kinds, "Fee"), pc.is_valid(b.text("reservation_reservation_a_r_n"))
    )
    nothing = pc.or_(pc.is_in(kinds, pa.array(NOTHING_EFFECTIVE)), reserved_fee)
    effective = pc.if_else(nothing, "0", effective)
    computed = pc.is_in(kinds, pa.array(COMPUTED))
    if pc.any(computed).as_py():
        rows = b.batch.filter(computed).to_pylist()
        try:
            amounts = [str(cur.effective_cost(row, row["line_item_line_item_type"], Decimal(0)))
                       for row in rows]  # fmt: skip
        except ValueProblem:
            raise Unmapped from None
        effective = pc.replace_with_mask(effective, computed, pa.array(amounts, STRING))
    return effective


def _exact_total(billed: pa.Array) -> Decimal:
    try:
        total = pc.sum(pc.cast(billed, EXACT_SUM)).as_py()
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return sum((Decimal(value) for value in billed.to_pylist()), Decimal(0))
    return Decimal(0) if total is None else total


def _where(condition: pa.Array, values: pa.Array) -> pa.Array:
    return pc.if_else(condition, values, pa.scalar(None, values.type))


def _same(value: str, rows: int) -> pa.Array:
    return pa.DictionaryArray.from_arrays(pa.array([0] * rows, pa.int32()), pa.array([value]))


def table_csv(table: pa.Table) -> bytes:
    """The table's ``CSV_COLUMNS`` as CSV for COPY (the shared ones are the load's defaults):
    every text quoted, a null an unquoted empty field."""
    out = io.BytesIO()
    options = pacsv.WriteOptions(include_header=False, quoting_style="needed")
    pacsv.write_csv(table.select(list(cur.CSV_COLUMNS)), out, options)
    return out.getvalue()


_CSV_VALUES = itemgetter(*(cur.COST_COLUMNS.index(column) for column in cur.CSV_COLUMNS))


def rows_csv(rows: Iterable[Sequence[Any]]) -> bytes:
    """``to_focus`` rows as the same CSV: values as ``str`` gives them, None unquoted empty
    (``to_focus`` never yields an empty text: blank is None)."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(map(_CSV_VALUES, rows))
    return out.getvalue().encode()


def billing_periods(table: pa.Table) -> set[tuple[datetime, datetime]]:
    """The (start, end) billing periods the table's rows name, each once."""
    names = ["billing_period_start", "billing_period_end"]
    pairs = table.select(names).group_by(names).aggregate([])
    return {
        (datetime.fromisoformat(start), datetime.fromisoformat(end))
        for start, end in zip(*(pairs.column(n).to_pylist() for n in names), strict=True)
    }
