"""Command normalising and splitting, units, and the extension's data formats."""

from __future__ import annotations

import pytest

from devices.protocol import (
    Command,
    ExtendedConditions,
    Identity,
    IdentityKind,
    RateUnit,
    VolumeUnit,
    format_dispensed,
    format_pressure,
    format_rate,
    normalise,
    parse_command,
    parse_conditions,
    parse_dispensed,
    parse_identity,
    parse_pressure,
    parse_rate,
    parse_volume,
)


def test_normalise_strips_spaces_and_control_characters_and_upper_cases() -> None:
    assert normalise("0 rat 100 mh") == "0RAT100MH"
    assert normalise(b"0\trat\x00100mh\x7f") == "0RAT100MH"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0 rat 100 mh", Command("RAT", "100MH", 0)),
        ("0RAT100MH", Command("RAT", "100MH", 0)),
        ("RAT", Command("RAT", "", 0)),
        ("12VOLUL", Command("VOL", "UL", 12)),
        ("0", Command("", "", 0)),
        ("", Command("", "", 0)),
        ("0DIRINF", Command("DIR", "INF", 0)),
        ("*ADR", Command("ADR", "", None, system=True)),
        ("*RESET", Command("RESET", "", None, system=True)),
        ("0XPR", Command("XPR", "", 0)),
        ("0FOOBAR", Command("FOO", "BAR", 0)),
    ],
)
def test_parse_command(text: str, expected: Command) -> None:
    assert parse_command(text) == expected


def test_command_to_text_round_trips() -> None:
    for text in ["0RAT100MH", "3VOL", "*RESET", "0"]:
        assert parse_command(text).to_text() == text


def test_rates_and_units() -> None:
    assert parse_rate("500.0UM") == (500.0, RateUnit.UL_MIN)
    assert parse_rate("100") == (100.0, None)
    assert format_rate(500, RateUnit.UL_MIN) == "500.0UM"
    assert 500 * RateUnit.UL_MIN.to_ml_per_h == pytest.approx(30.0)
    assert RateUnit.ML_MIN.to_ml_per_h == 60.0
    with pytest.raises(ValueError):
        parse_rate("100XX")


def test_volumes_and_dispensed() -> None:
    assert parse_volume("1.000ML") == (1.0, VolumeUnit.ML)
    assert parse_dispensed("I0.250W0.000ML") == (0.25, 0.0, VolumeUnit.ML)
    assert parse_dispensed("I1000.W0.000UL") == (1000.0, 0.0, VolumeUnit.UL)
    assert format_dispensed(0.25, 0, VolumeUnit.ML) == "I0.250W0.000ML"
    with pytest.raises(ValueError):
        parse_dispensed("I0.25ML")


def test_extension_formats() -> None:
    assert format_pressure(12.5) == "12.50MMHG"
    assert format_pressure(-3.0) == "-3.000MMHG"
    assert parse_pressure("12.50MMHG") == 12.5
    assert parse_pressure("-3.000MMHG") == -3.0
    with pytest.raises(ValueError):
        parse_pressure("--3.0MMHG")
    identity = Identity(IdentityKind.SIMULATOR, "SN0001")
    assert parse_identity(identity.to_data()) == identity
    conditions = ExtendedConditions(air_in_line=True, battery_percent=87)
    assert conditions.to_data() == "AIR1,BAT87"
    assert parse_conditions("AIR1,BAT87") == conditions
    for bad in ["AIR2,BAT1", "AIR0,BAT101", "AIR0"]:
        with pytest.raises(ValueError):
            parse_conditions(bad)
    with pytest.raises(ValueError):
        parse_identity("XYZ,1")
