"""The pump state machine in process: every command, every error reply."""

from __future__ import annotations

import pytest

from devices.protocol import encode_basic_reply as basic
from devices.protocol import parse_dispensed
from devices.simulator.mechanics import PumpSettings
from tests.simulator.conftest import PumpBench


def test_power_up_alarm_is_the_first_reply_and_the_command_is_not_carried_out() -> None:
    bench = PumpBench()
    assert bench.ask("0RAT100MH") == basic("00A?R")
    assert bench.ask("0RAT") == basic("00S0.000MH")


def test_spec_host_session_byte_for_byte() -> None:
    bench = PumpBench()
    # Safe-framed SAF0 in Basic mode: accepted, answered in Basic.
    assert bench.safe("0SAF0") == [basic("00A?R")]
    assert bench.safe("0SAF0") == [basic("00S")]
    assert bench.ask("0VER") == basic("00SNE1000V3.928")
    for command in ("0DIA26.59", "0DIRINF", "0VOLUL", "0VOL1000", "0RAT500UM"):
        assert bench.ask(command) == basic("00S"), command
    assert bench.ask("0RAT") == basic("00S500.0UM")
    assert bench.ask("0RUN") == basic("00I")
    replies = []
    for _ in range(3000):  # 30 mL/h for 1 mL: 120 s, polled every 50 ms
        bench.advance(0.05)
        replies.append(bench.ask("0"))
        if replies[-1] != basic("00I"):
            break
    assert replies[-1] == basic("00S")
    assert 2390 <= len(replies) <= 2410
    assert bench.ask("0DIS") == basic("00SI1000.W0.000UL")


# (command, reply) for a pump just past its power-up alarm, at factory settings.
COMMAND_REPLIES = [
    ("0 rat 100 mh", "00S"),
    ("0dia 14.57", "00S"),
    ("0DIA", "00S26.59"),
    ("0VOL", "00S0.000ML"),
    ("0VOL2.5", "00S"),
    ("0VOLUL", "00S"),
    ("0DIR", "00SINF"),
    ("0DIRWDR", "00S"),
    ("0DIRREV", "00S"),
    ("0DIS", "00SI0.000W0.000ML"),
    ("0CLDINF", "00S"),
    ("0CLDWDR", "00S"),
    ("0SAF", "00S0"),
    ("0VER", "00SNE1000V3.928"),
    ("0STP", "00S"),
    ("0XID", "00SSIM,SN0001"),
    ("0XCN", "00SAIR0,BAT100"),
    ("RAT", "00S0.000MH"),  # no address: pump 0
    ("*ADR", "00S0B19200"),
    ("ADR", "00S0B19200"),
    ("0RAT 10.000 MM", "00S"),  # hosts printing %0.3f: the zeros carry nothing
    ("0DIA 26.590", "00S"),
    ("0VOL 1500.000", "00S"),
    # accessories: kept and answered, no effect on the infusion
    ("0AL", "00S0"),
    ("0AL 1", "00S"),
    ("0AL 2", "00S?"),
    ("0BUZ 1 5", "00S"),
    ("0TRG LE", "00S"),
    ("0TRG", "00SFT"),
    ("0TRG XX", "00S?"),
    ("0IN 2", "00S0"),
    ("0IN 9", "00S?OOR"),
    ("0OUT 5 1", "00S"),
    ("0OUT 5", "00S0"),
    ("0OUT 7", "00S?OOR"),
    ("0PHN", "00S01"),
    ("0PHN 1", "00S"),
    ("0PHN 2", "00S?OOR"),
    ("0FUN", "00SRAT"),
    ("0FUN RAT", "00S"),
    ("0FUN INC", "00S?NA"),
    ("0FUN ZZZ", "00S?"),
    # unknown commands, documented ones not implemented, bad arguments: bare ?
    ("0FOO", "00S?"),
    ("0LN", "00S?"),
    ("0ROM", "00S?"),
    ("0RATE", "00S?"),
    ("0RATabc", "00S?"),
    ("0RAT12345", "00S?"),
    ("0DIRUP", "00S?"),
    ("0CLD", "00S?"),
    ("0VER2", "00S?"),
    ("0SAFX", "00S?"),
    # outside the pump's limits
    ("0RAT9999MM", "00S?OOR"),
    ("0RAT0", "00S?OOR"),
    ("0DIA60", "00S?OOR"),
    ("0DIA0.05", "00S?OOR"),
    ("0SAF256", "00S?OOR"),
    ("*ADR100", "00S?OOR"),
    ("*ADR1B1234", "00S?OOR"),
    # not allowed now: RUN without a rate
    ("0RUN", "00S?NA"),
    ]


@pytest.mark.parametrize(("command", "reply"), COMMAND_REPLIES)
def test_command_replies(bench: PumpBench, command: str, reply: str) -> None:
    assert bench.ask(command) == basic(reply)


def test_pressure_query_reports_the_line(bench: PumpBench) -> None:
    reply = bench.ask("0XPR")
    assert reply.startswith(b"\x0200S") and reply.endswith(b"MMHG\x03")
    assert 5.0 < float(reply[4:-5]) < 13.0


def test_program_changes_are_refused_while_pumping(bench: PumpBench) -> None:
    assert bench.ask("0RAT100MH") == basic("00S")
    assert bench.ask("0RUN") == basic("00I")
    for command in ("0DIA10", "0RAT100UM", "0VOL5", "0VOLUL", "0DIRWDR", "0CLDINF", "0PUR"):
        assert bench.ask(command) == basic("00I?NA"), command
    assert bench.ask("0RAT200") == basic("00I")  # same units: allowed
    assert bench.ask("0RAT") == basic("00I200.0MH")


def test_stp_pauses_then_stops_and_run_resumes_the_program(bench: PumpBench) -> None:
    for command in ("0RAT360MH", "0VOL1", "0RUN"):
        bench.ask(command)
    bench.advance(5.0)  # 0.5 mL of 1 mL
    assert bench.ask("0STP") == basic("00P")
    assert bench.ask("0RUN") == basic("00I")
    bench.advance(5.0)
    assert bench.ask("0") == basic("00S")  # target reached after 10 s of pumping
    assert bench.ask("0DIS") == basic("00SI1.000W0.000ML")
    bench.ask("0RUN")
    bench.advance(2.0)
    assert bench.ask("0STP") == basic("00P")
    assert bench.ask("0STP") == basic("00S")
    assert bench.ask("0STP") == basic("00S")
    bench.ask("0RUN")
    bench.advance(10.0)  # the program restarted: a full 1 mL more
    assert bench.ask("0DIS") == basic("00SI2.200W0.000ML")


def test_withdraw_and_purge(bench: PumpBench) -> None:
    for command in ("0RAT60MH", "0DIRWDR"):
        bench.ask(command)
    assert bench.ask("0RUN") == basic("00W")
    bench.advance(60.0)
    assert bench.ask("0STP") == basic("00P")
    assert bench.ask("0STP") == basic("00S")
    assert bench.ask("0DIS") == basic("00SI0.000W1.000ML")
    assert bench.ask("0PUR") == basic("00X")
    assert bench.ask("0RUN") == basic("00X?NA")
    bench.advance(6.0)  # 600 mL/h
    assert bench.ask("0STP") == basic("00S")
    assert bench.ask("0DIS") == basic("00SI1.000W1.000ML")


def test_keep_vein_open_rate_after_the_volume() -> None:
    bench = PumpBench(PumpSettings(kvo_rate_ml_h=36.0)).ready()
    for command in ("0RAT360MH", "0VOL1", "0RUN"):
        bench.ask(command)
    bench.advance(20.0)  # 10 s to the target, then 10 s at 36 mL/h = 0.1 mL
    assert bench.ask("0") == basic("00I")
    infused, _, _ = parse_dispensed(bench.ask("0DIS")[4:-1].decode())
    assert infused == pytest.approx(1.1, abs=0.002)


def test_volume_counter_beyond_the_float_reads_9999(bench: PumpBench) -> None:
    bench.pump.mechanics.infused_ml = 12.0
    assert bench.ask("0VOLUL") == basic("00S")
    assert bench.ask("0DIS") == basic("00SI9999.W0.000UL")


def test_latched_alarm_is_acknowledged_by_the_next_valid_command_only(
    bench: PumpBench,
) -> None:
    bench.pump.power_cycle()
    assert bench.ask("0XYZ") == basic("00A?R?")  # unknown: not an acknowledgement
    assert bench.ask("0RAT100MH") == basic("00A?R")  # acknowledges, not carried out
    assert bench.ask("0RAT") == basic("00S0.000MH")


def test_address_filter_and_system_commands(bench: PumpBench) -> None:
    assert bench.basic("1RAT") == []  # for pump 1: silence
    assert bench.ask("*ADR7") == basic("07S")
    assert bench.basic("0VER") == []
    assert bench.ask("7VER") == basic("07SNE1000V3.928")
    assert bench.ask("*ADR7B9600") == basic("07S")
    assert bench.ask("*ADR") == basic("07S7B9600")
    assert bench.ask("7RAT5MH") == basic("07S")
    assert bench.ask("*RESET") == basic("00S")
    assert bench.ask("0RAT") == basic("00S0.000MH")


def test_power_cycle_keeps_program_and_safe_mode_but_stops(bench: PumpBench) -> None:
    from devices.protocol import encode_safe

    bench.ask("0RAT100MH")
    bench.ask("0RUN")
    assert bench.basic("0SAF30") == [encode_safe("00I")]
    bench.pump.power_cycle()
    # Safe mode survived: the power-up alarm is sent unasked, Safe-framed.
    assert bench.advance(0.1) == [encode_safe("00A?R")]
    assert bench.safe("0") == [encode_safe("00A?R")]
    assert bench.safe("0RAT") == [encode_safe("00S100.0MH")]


def test_first_command_quirk_ignores_one_command_after_each_power_up() -> None:
    bench = PumpBench()
    bench.pump.enable_first_command_quirk()
    assert bench.basic("0") == []
    assert bench.ask("0") == basic("00A?R")
    assert bench.ask("0") == basic("00S")
    bench.pump.power_cycle()
    assert bench.basic("0VER") == []
    assert bench.ask("0VER") == basic("00A?R")
