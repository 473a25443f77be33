"""The outbox sent over MLLP to a local listener on 127.0.0.1: in order, each after the
previous ACK, resent until acknowledged, across a restart of the sending process."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from station.interop.mllp_sender import MllpSender, OutboxWorker
from station.interop.outbox import Outbox
from station.interop.pcd01 import pcd01_messages
from station.interop.pcd04 import pcd04_messages
from station.interop.pcd10 import pcd10_messages
from station.records import VisitRecord
from tests.interop.listener import Listener
from tests.services.conftest import BOTH_BACKENDS
from tests.services.world import World

REPO_ROOT = Path(__file__).resolve().parents[2]


def _queued(world: World, record: VisitRecord) -> tuple[Outbox, list[str]]:
    outbox = Outbox(world.sessions, world.clock)
    messages = pcd10_messages(record) + pcd04_messages(record)
    assert outbox.enqueue(messages, infusion_id=record.infusion.infusion_id) == 14
    return outbox, [cid for cid, _ in messages]


@BOTH_BACKENDS
def test_every_message_is_sent_in_order_and_acknowledged(world: World,
                                                         record: VisitRecord) -> None:
    outbox, ids = _queued(world, record)
    with Listener() as listener:
        report = MllpSender(outbox, "127.0.0.1", listener.port).send_pending()
    assert (report.acknowledged, report.error) == (14, "")
    assert listener.control_ids() == ids
    assert all(m.acked_at == world.clock.now and m.attempts == 1 for m in outbox.all())
    assert outbox.enqueue(pcd10_messages(record)) == 0  # queued once, whatever the export


def test_a_refused_message_stops_the_run_and_is_resent_first(world: World,
                                                             record: VisitRecord) -> None:
    outbox, ids = _queued(world, record)
    with Listener(answer=lambda n: "AE" if n == 3 else "AA") as listener:
        sender = MllpSender(outbox, "127.0.0.1", listener.port)
        first = sender.send_pending()
        assert (first.acknowledged, first.error) == (2, "receiver answered AE")
        assert listener.control_ids() == ids[:3]  # nothing overtook the refused one
        stuck = outbox.pending()[0]
        assert (stuck.control_id, stuck.attempts, stuck.last_error) == (
            ids[2], 1, "receiver answered AE")
        second = sender.send_pending()
    assert (second.acknowledged, second.error) == (12, "")
    assert listener.control_ids() == ids[:3] + ids[2:]
    assert not outbox.pending()


def test_no_receiver_leaves_everything_queued(world: World, record: VisitRecord) -> None:
    outbox, _ = _queued(world, record)
    with Listener() as listener:
        port = listener.port
    report = MllpSender(outbox, "127.0.0.1", port, timeout_s=5).send_pending()
    assert report.acknowledged == 0 and "cannot connect to 127.0.0.1" in report.error
    assert len(outbox.pending()) == 14


def test_a_dropped_connection_is_not_an_ack(world: World, record: VisitRecord) -> None:
    outbox, ids = _queued(world, record)
    with Listener(drop=2) as listener:
        report = MllpSender(outbox, "127.0.0.1", listener.port).send_pending()
    assert report.acknowledged == 1 and "closed the connection before the ACK" in report.error
    assert outbox.pending()[0].control_id == ids[1]


def test_messages_survive_a_restart_of_the_sender_mid_queue(
        world: World, record: VisitRecord, db_url: str) -> None:
    outbox, ids = _queued(world, record)
    command = [sys.executable, "-m", "tests.interop.sender_process", db_url]
    with Listener(hold=5) as listener:
        with subprocess.Popen([*command, str(listener.port)], cwd=REPO_ROOT,
                              stdout=subprocess.PIPE, text=True) as station:
            assert listener.holding.wait(60), "the sender never reached message 5"
            station.kill()  # while it waits for the ACK of message 5
            station.wait(30)
        assert outbox.pending()[0].control_id == ids[4]
        listener.release()
        listener.hold = 0
        restarted = subprocess.run([*command, str(listener.port)], cwd=REPO_ROOT,
                                   capture_output=True, text=True, timeout=60, check=True)
    assert restarted.stdout.split() == ["10"]
    assert listener.control_ids() == ids[:5] + ids[4:]  # message 5 again, then the rest
    assert not outbox.pending()


def test_the_worker_sends_on_its_thread_until_stopped(world: World,
                                                      record: VisitRecord) -> None:
    outbox, ids = _queued(world, record)
    with Listener() as listener:
        worker = OutboxWorker(MllpSender(outbox, "127.0.0.1", listener.port),
                              interval_s=3600)
        worker.start()  # sends at once, then every interval or on wake()
        assert listener.wait_for(14)
        extra = pcd01_messages(record, interval_s=3600)[:1]
        assert outbox.enqueue(extra) == 1
        worker.wake()
        assert listener.wait_for(15)
        worker.stop()
    assert (worker.acknowledged, worker.last_error) == (15, "")
    assert listener.control_ids() == [*ids, extra[0][0]]


def test_port_zero_is_a_connect_error(world: World, record: VisitRecord) -> None:
    outbox, _ = _queued(world, record)
    report = MllpSender(outbox, "127.0.0.1", 0, timeout_s=2).send_pending()
    assert report.acknowledged == 0 and report.error.startswith("cannot connect")
