"""The pieces that let the finder work in parts: text block keys and agreement shares
from value counts. Each must agree with the one-process step."""

from __future__ import annotations

import random
from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from omnirouter.history._dedupe_blocking import (
    blocking_keys,
    blocking_passes,
    phonetic_codes,
)
from omnirouter.history._dedupe_fields import read_columns
from omnirouter.history._dedupe_shares import (
    agreement_shares,
    shares_from_sharing,
    sharing_columns,
    sharing_pairs,
)
from omnirouter.history._synthetic import synthetic_contacts

FIELDS = ("given_name", "family_name", "birth_date", "email", "phone", "address")


def _columns(
    size: int, seed: int
) -> tuple[dict[str, list[str | None]], list[str | None], list[str | None]]:
    columns = read_columns(
        synthetic_contacts(size, random.Random(seed)).records,
        id_field="id",
        fields=None,
        default_region="DE",
    )
    values = columns.values
    return values, phonetic_codes(values["given_name"]), phonetic_codes(values["family_name"])


@settings(max_examples=15, deadline=None)
@given(size=st.integers(2, 300), seed=st.integers(0, 10_000))
def test_text_keys_make_the_same_blocks_as_number_keys(size: int, seed: int) -> None:
    values, given_code, family_code = _columns(size, seed)
    passes, _ = blocking_passes(values, given_code, family_code)
    texts = blocking_keys(values, given_code, family_code)
    assert len(texts) == len(passes)
    for numbers, text in zip(passes, texts, strict=True):
        # Two records share a text key exactly when they share the number key.
        assert [key is None for key in text] == [key == -1 for key in numbers.keys]
        pairing = {(n, t) for n, t in zip(numbers.keys, text, strict=True) if t is not None}
        assert len({n for n, _ in pairing}) == len(pairing) == len({t for _, t in pairing})


@settings(max_examples=10, deadline=None)
@given(size=st.integers(2, 300), seed=st.integers(0, 10_000), parts=st.integers(1, 4))
def test_shares_counted_in_parts_add_up_to_the_whole_files(
    size: int, seed: int, parts: int
) -> None:
    values, _, _ = _columns(size, seed)
    common = {"family_name": frozenset(v for v in values["family_name"][:3] if v)}
    whole = agreement_shares(values, FIELDS, common)
    columns = sharing_columns(values, FIELDS, towns_from_postcode=False)
    sharing: dict[str, dict[int, int]] = {}
    for name, column in columns.items():
        counts = Counter(value for value in column if value is not None)
        items = sorted(counts.items())
        for part in range(parts):  # each value counted in exactly one part, as Dask does
            for level, pairs in sharing_pairs(name, items[part::parts], common).items():
                sharing.setdefault(name, {}).setdefault(level, 0)
                sharing[name][level] += pairs
    assert shares_from_sharing(sharing, FIELDS, size) == whole
