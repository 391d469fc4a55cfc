"""When the audit trail (django-simple-history) records a save.

It records every save, except inside `importing()`: a history import replays each case move by
move, and a record of every step, dated the day of the import, would only bury what the events
already say. Inside, each saved row is noted instead, and the import records each once as it
stands at its end (`record_imported`). Per context, so other requests and threads keep
recording as usual.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

# The rows saved so far by the import under way in this context, as (model, primary key).
_noting: ContextVar[set | None] = ContextVar("importing_history", default=None)


class RecordEverySave:
    """The value of SIMPLE_HISTORY_ENABLED, which simple-history reads on every save."""

    def __bool__(self) -> bool:
        return _noting.get() is None


@contextmanager
def importing(saved: set) -> Iterator[None]:
    """Note each tracked row saved inside into `saved`, rather than recording it."""
    token = _noting.set(saved)
    try:
        yield
    finally:
        _noting.reset(token)


def note_save(sender, instance, **kwargs) -> None:
    """post_save, for every model: note a tracked row saved during an import."""
    saved = _noting.get()
    if saved is not None and hasattr(sender, "history"):
        saved.add((sender, instance.pk))


def record_imported(saved: set, *, by, reason: str = "Imported") -> None:
    """One audit-trail record of each noted row that still exists, as it stands now."""
    by_model: dict = {}
    for model, pk in saved:
        by_model.setdefault(model, []).append(pk)
    for model, pks in by_model.items():
        for start in range(0, len(pks), 2000):
            rows = list(model.objects.filter(pk__in=pks[start : start + 2000]))
            model.history.bulk_history_create(
                rows, batch_size=1000, default_user=by, default_change_reason=reason
            )
