"""complaints.handoff: work goes to a worker, or waits where it is kept, and a request never
waits on the broker for longer than BROKER_HANDOFF_SECONDS."""

import threading
import time

from complaints.handoff import hand_off


def test_in_eager_mode_the_task_runs_at_once():
    assert hand_off("complaints.tasks.deliver_notifications", [], waiting="nothing") is True


def test_a_refused_hand_off_is_logged_and_returns_false(broker_down, caplog):
    handed = hand_off("complaints.tasks.deliver_notifications", [1, 2], waiting="2 messages")
    assert handed is False
    assert "Broker unavailable (ConnectionRefusedError): 2 messages waits" in caplog.text


def test_a_broker_that_never_answers_holds_the_caller_for_the_hand_off_time_only(
    through_the_broker, monkeypatch, settings, caplog
):
    settings.BROKER_HANDOFF_SECONDS = 0.2
    released = threading.Event()
    monkeypatch.setattr(through_the_broker, "send_task", lambda *a, **k: released.wait(30))

    started = time.monotonic()
    try:
        assert hand_off("reporting.tasks.render_edition", 7, waiting="report PDF 7") is False
        waited = time.monotonic() - started
    finally:
        released.set()
    assert waited < 5  # without the bound it would wait the full 30 s
    assert "did not answer within 0.2 s: report PDF 7 waits" in caplog.text


def test_while_earlier_hand_offs_wait_on_the_broker_no_more_are_started(
    through_the_broker, monkeypatch, settings, caplog
):
    settings.BROKER_HANDOFF_SECONDS = 0.05
    released = threading.Event()
    monkeypatch.setattr(through_the_broker, "send_task", lambda *a, **k: released.wait(30))
    try:
        for n in range(4):
            assert hand_off("reporting.tasks.render_edition", n, waiting=f"PDF {n}") is False
        started = time.monotonic()
        assert hand_off("reporting.tasks.render_edition", 9, waiting="PDF 9") is False
        assert time.monotonic() - started < 0.05  # not even the hand-off's own wait
    finally:
        released.set()
    assert "Broker still not answering earlier hand-offs: PDF 9 waits" in caplog.text
    time.sleep(0.2)  # the four threads finish and give their places back
    assert hand_off("complaints.tasks.deliver_notifications", [], waiting="x") is True
