"""When the audit trail (django-simple-history) records a save.

It records every save, except inside `importing()`: a history import replays each case move by
move, and a record of every step, dated the day of the import, would only bury what the events
already say. The import records each row it brought in once instead, as it stands at the end
(complaints.history_import). Per context, so other requests and threads keep recording.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_importing: ContextVar[bool] = ContextVar("importing_history", default=False)


class RecordEverySave:
    """The value of SIMPLE_HISTORY_ENABLED, which simple-history reads on every save."""

    def __bool__(self) -> bool:
        return not _importing.get()


@contextmanager
def importing() -> Iterator[None]:
    token = _importing.set(True)
    try:
        yield
    finally:
        _importing.reset(token)
