"""Handing work to a Celery worker without holding up the request that made it.

The work is always kept first (a message in the outbox, an import job, a rendering), so a
hand-off that fails loses nothing: the periodic task picks the work up. What must not happen
is a user's request waiting on the broker. A broker that is down refuses at once; one that is
frozen accepts the connection and never answers, and Celery's connection timeout covers only
connecting. So the hand-off runs in a thread that the request waits on for at most
BROKER_HANDOFF_SECONDS, and the broker's socket timeouts (settings) end that thread soon after.

Tasks are named, not imported: a task module imports the code it runs, so the code that
queues a task must not import the task module back.
"""

import logging
import threading
from importlib import import_module

from celery import current_app
from django.conf import settings

log = logging.getLogger(__name__)
# Hand-offs still waiting on the broker. While it is frozen each would hold a pooled connection
# until its socket times out, so beyond these few the request does not start another.
_waiting = threading.BoundedSemaphore(4)


def hand_off(task: str, *args, waiting: str) -> bool:
    """Queue the task named `task` (e.g. "complaints.tasks.deliver_notifications") with `args`.
    False, with a log line saying that `waiting` waits, if the broker did not take it in time."""
    app = current_app._get_current_object()  # the thread must not depend on thread-locals
    if app.conf.task_always_eager:  # the tests, and a deployment without a worker: run it now
        import_module(task.rpartition(".")[0])
        app.tasks[task].apply(args=args)
        return True
    if not _waiting.acquire(blocking=False):
        log.warning("Broker still not answering earlier hand-offs: %s waits", waiting)
        return False
    outcome: dict = {}

    def send() -> None:
        try:
            app.send_task(task, args=list(args))
            outcome["sent"] = True
        except Exception as error:  # noqa: BLE001 - the work is kept; the reason is logged
            outcome["error"] = error
        finally:
            _waiting.release()

    thread = threading.Thread(target=send, name=f"hand-off {task}", daemon=True)
    thread.start()
    thread.join(settings.BROKER_HANDOFF_SECONDS)
    if outcome.get("sent"):
        return True
    reason = (
        f"did not answer within {settings.BROKER_HANDOFF_SECONDS:g} s"
        if thread.is_alive()
        else f"unavailable ({type(outcome.get('error')).__name__})"
    )
    log.warning("Broker %s: %s waits for the periodic run", reason, waiting)
    return False
