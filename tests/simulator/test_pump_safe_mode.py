"""Safe mode in process: framing, ?COM, the watchdog and auto-alarms."""

from __future__ import annotations

from devices.protocol import ETX, STX
from devices.protocol import encode_basic_reply as basic
from devices.protocol import encode_safe as safe
from tests.simulator.conftest import PumpBench


def test_saf_reply_uses_the_new_mode_both_ways(bench: PumpBench) -> None:
    assert bench.basic("0SAF10") == [safe("00S")]
    assert bench.safe("0SAF") == [safe("00S10")]
    assert bench.safe("0SAF0") == [basic("00S")]
    assert bench.ask("0SAF") == basic("00S0")


def test_bad_packets_are_answered_com_in_the_current_mode(bench: PumpBench) -> None:
    good = safe("0VER")
    bad_crc = good[:-3] + bytes([good[-3] ^ 0xFF]) + good[-2:]
    assert bench.feed(bad_crc) == [basic("00S?COM")]
    missing_etx = good[:-1] + b"X"
    assert bench.feed(missing_etx) == [basic("00S?COM")]
    bench.basic("0SAF10")
    assert bench.feed(bad_crc) == [safe("00S?COM")]
    # Our choice: in Safe mode a Basic-framed command is a bad packet too.
    assert bench.basic("0VER") == [safe("00S?COM")]
    assert bench.safe("0VER") == [safe("00SNE1000V3.928")]


def test_manual_test_vectors_from_the_spec(bench: PumpBench) -> None:
    assert bench.feed(bytes.fromhex("02 0a 30 53 41 46 31 30 63 be 03")) == [
        bytes.fromhex("02 07 30 30 53 aa a6 03")
    ]
    assert bench.feed(bytes.fromhex("02 05 30 36 53 03")) == [
        bytes.fromhex("02 07 30 30 53 aa a6 03")
    ]
    assert bench.feed(bytes.fromhex("02 08 53 41 46 30 55 43 03")) == [basic("00S")]


def test_watchdog_stops_the_pump_latches_t_and_sends_the_alarm_unasked(
    bench: PumpBench,
) -> None:
    bench.ask("0RAT100MH")
    bench.ask("0RUN")
    assert bench.basic("0SAF2") == [safe("00I")]
    for _ in range(5):  # kept alive by a valid packet every 1.5 s
        assert bench.advance(1.5) == []
        assert bench.safe("0") == [safe("00I")]
    assert bench.advance(1.0) == []
    assert bench.advance(1.1) == [safe("00A?T")]
    assert bench.advance(10.0) == []  # not re-armed until the next valid packet
    assert bench.safe("0") == [safe("00A?T")]
    assert bench.safe("0") == [safe("00P")]  # stopped, program kept
    assert bench.safe("0RUN") == [safe("00I")]


def test_bad_packets_do_not_feed_the_watchdog(bench: PumpBench) -> None:
    bench.basic("0SAF2")
    bench.advance(1.5)
    bench.basic("0")  # a Basic command in Safe mode is a bad packet
    assert bench.advance(0.6) == [safe("00A?T")]


def test_watchdog_is_not_armed_after_power_up_until_a_valid_packet(
    bench: PumpBench,
) -> None:
    bench.basic("0SAF2")
    bench.pump.power_cycle()
    assert bench.advance(0.1) == [safe("00A?R")]
    assert bench.advance(60.0) == []
    assert bench.safe("0") == [safe("00A?R")]
    assert bench.advance(2.1) == [safe("00A?T")]


def test_stall_alarm_is_sent_unasked_in_safe_mode_only() -> None:
    for safe_mode, expected in ((False, []), (True, [safe("00A?S")])):
        bench = PumpBench().ready()
        bench.ask("0RAT100MH")
        bench.ask("0RUN")
        if safe_mode:
            bench.basic("0SAF255")
        bench.pump.mechanics.line.faults.occlusion_severity = 1.0
        assert bench.advance(120.0) == expected
        status = bench.safe("0") if safe_mode else bench.basic("0")
        assert status == [safe("00A?S") if safe_mode else basic("00A?S")]


def test_partial_packet_is_dropped_after_half_a_second(bench: PumpBench) -> None:
    assert bench.feed(bytes([STX, 9]) + b"0SA") == []
    bench.clock.advance(0.6)
    assert bench.basic("0VER") == [basic("00SNE1000V3.928")]
    assert bench.feed(b"0VE") == []
    bench.clock.advance(0.6)
    assert bench.basic("0DIA") == [basic("00S26.59")]


def test_stray_etx_is_ignored(bench: PumpBench) -> None:
    assert bench.feed(bytes([ETX, ETX])) == []
    assert bench.ask("0") == basic("00S")


def test_saf_acknowledging_the_power_up_alarm_is_carried_out() -> None:
    """A host opening with Safe-framed `SAF 10` reads the alarm reply in Safe mode."""
    bench = PumpBench()
    assert bench.safe("0SAF10") == [safe("00A?R")]
    assert bench.safe("0SAF10") == [safe("00S")]
    assert bench.safe("0SAF0") == [basic("00S")]
    bench.pump.power_cycle()
    assert bench.ask("0RAT100MH") == basic("00A?R")  # any other command: not carried out
    assert bench.ask("0RAT") == basic("00S0.000MH")


def test_an_alarm_latched_while_a_status_snapshot_advances_the_pump_is_still_sent() -> None:
    """A control-socket status or a fault injection advances the pump between two server
    ticks; the auto-alarm that latches then must wait for the next poll, not vanish."""
    bench = PumpBench().ready()
    bench.ask("0RAT100MH")
    bench.ask("0RUN")
    bench.basic("0SAF255")
    bench.pump.mechanics.line.faults.occlusion_severity = 1.0
    bench.clock.advance(120.0)
    bench.pump.advance()  # what describe() and the injector do
    assert bench.pump.poll() == [safe("00A?S")]
