"""SMS segments (GSM-7 vs UCS-2) and channel length checks."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import omnirouter as om
from omnirouter.outbound import SmsEncoding, check_message, sms_segments
from omnirouter.outbound.sms import GSM7_BASIC, GSM7_EXTENSION


@pytest.mark.parametrize(
    ("text", "encoding", "units", "segments"),
    [
        ("", SmsEncoding.GSM7, 0, 1),
        ("a" * 160, SmsEncoding.GSM7, 160, 1),
        ("a" * 161, SmsEncoding.GSM7, 161, 2),
        ("a" * 306, SmsEncoding.GSM7, 306, 2),
        ("a" * 307, SmsEncoding.GSM7, 307, 3),
        ("€" * 80, SmsEncoding.GSM7, 160, 1),  # extension characters count double
        ("€" * 81, SmsEncoding.GSM7, 162, 2),
        ("a" * 152 + "[]", SmsEncoding.GSM7, 156, 1),
        ("Grüße aus Köln, Straße 5 – ab 8 Uhr", SmsEncoding.UCS2, 35, 1),  # the dash
        ("ä" * 160, SmsEncoding.GSM7, 160, 1),  # ä is in the GSM alphabet
        ("ł" * 70, SmsEncoding.UCS2, 70, 1),
        ("ł" * 71, SmsEncoding.UCS2, 71, 2),
        ("ł" * 134, SmsEncoding.UCS2, 134, 2),
        ("ł" * 135, SmsEncoding.UCS2, 135, 3),
        ("😀" * 35, SmsEncoding.UCS2, 70, 1),  # outside the BMP: two code units each
        ("😀" * 36, SmsEncoding.UCS2, 72, 2),
    ],
)
def test_known_segment_counts(text: str, encoding: SmsEncoding, units: int, segments: int) -> None:
    counted = sms_segments(text)
    assert (counted.encoding, counted.units, counted.segments) == (encoding, units, segments)
    assert counted.characters == len(text)


def test_an_escape_pair_is_not_split_across_parts() -> None:
    # 152 plain septets then "€": the pair would straddle parts 1 and 2 at 153.
    text = "a" * 152 + "€" + "a" * 10
    counted = sms_segments(text)
    assert counted.units == 164
    assert counted.segments == 2
    # 152 + 2 + 152 (part two fills up) + 1 = needs a third part only past 306 units.
    assert sms_segments("a" * 152 + "€" + "a" * 152).segments == 3  # 152 | 2+151 | 1


def test_a_surrogate_pair_is_not_split_across_parts() -> None:
    assert sms_segments("ł" * 66 + "😀" + "ł" * 67).segments == 3  # 66 | 2+65 | 2
    assert sms_segments("ł" * 65 + "😀" + "ł" * 67).segments == 2  # 67 | 67


def test_describe_names_the_characters_that_force_ucs2() -> None:
    counted = sms_segments("Order shipped ✓ – see you")
    assert counted.non_gsm == ("✓", "–")
    assert counted.describe() == "1 segment (UCS-2 because of '✓', '–'; 25 UTF-16 units)"
    assert sms_segments("a" * 200).describe() == "2 segments (GSM-7; 200 septets)"


GSM_TEXT = st.text(alphabet=sorted(GSM7_BASIC | GSM7_EXTENSION), max_size=600)
ANY_TEXT = st.text(max_size=400)


@settings(max_examples=200, deadline=None)
@given(GSM_TEXT)
def test_gsm_texts_stay_gsm_and_the_parts_hold_the_units(text: str) -> None:
    counted = sms_segments(text)
    assert counted.encoding is SmsEncoding.GSM7
    assert counted.units == len(text) + sum(ch in GSM7_EXTENSION for ch in text)
    if counted.units <= 160:
        assert counted.segments == 1
    else:
        # Every part but the last is full up to one septet (an escape pair never
        # straddles a boundary), and no part holds more than 153.
        assert 152 * (counted.segments - 1) < counted.units <= 153 * counted.segments


@settings(max_examples=200, deadline=None)
@given(ANY_TEXT, st.characters())
def test_appending_never_needs_fewer_parts(text: str, extra: str) -> None:
    assert sms_segments(text + extra).segments >= sms_segments(text).segments


@settings(max_examples=200, deadline=None)
@given(ANY_TEXT)
def test_ucs2_iff_some_character_is_outside_gsm(text: str) -> None:
    counted = sms_segments(text)
    outside = [ch for ch in text if ch not in GSM7_BASIC and ch not in GSM7_EXTENSION]
    assert (counted.encoding is SmsEncoding.UCS2) is bool(outside)
    if outside:
        assert counted.units == len(text.encode("utf-16-le")) // 2
        if counted.units <= 70:
            assert counted.segments == 1
        else:
            assert 66 * (counted.segments - 1) < counted.units <= 67 * counted.segments


def test_check_message_for_sms_uses_segments() -> None:
    short = check_message("sms", "Ihr Paket kommt heute.")
    assert short.fits
    assert short.segments is not None
    assert short.limit == 1
    long = check_message("sms", "x" * 200)
    assert not long.fits
    assert "2 segments" in long.reason
    assert check_message("sms", "x" * 200, max_sms_segments=2).fits


def test_check_message_uses_max_length_for_other_channels() -> None:
    registry = om.ChannelRegistry()
    registry.register(
        om.ChannelTraits(name="pager", synchronous=False, service_level_target=60, max_length=20)
    )
    assert check_message("pager", "x" * 20, channels=registry).fits
    too_long = check_message("pager", "x" * 21, channels=registry)
    assert not too_long.fits
    assert too_long.reason == "message has 21 characters; pager allows 20"
    assert check_message("email", "x" * 100_000).fits  # e-mail has no limit


@pytest.mark.parametrize(
    ("call", "error"),
    [
        (lambda: check_message("pigeon", "hi"), om.UnknownChannelError),
        (lambda: check_message("sms", ""), om.ValidationError),
        (lambda: check_message("sms", "hi", max_sms_segments=0), om.ValidationError),
        (lambda: sms_segments(None), om.ValidationError),  # type: ignore[arg-type]
    ],
)
def test_bad_arguments_are_typed_errors(call: object, error: type[Exception]) -> None:
    with pytest.raises(error):
        call()  # type: ignore[operator]
