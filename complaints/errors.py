class DomainError(Exception):
    """A rule of the complaints procedure refuses this. The message is written for the user,
    `field`, when set, names the form field it belongs to, and `details` are further lines for
    the error summary, one per thing to put right."""

    def __init__(
        self, message: str, *, field: str | None = None, details: list[str] | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.details = list(details or [])


class InvalidTransition(DomainError):
    """The move is not allowed from the case's current state."""

    def __init__(self, case, move) -> None:
        self.state = case.state
        self.case_state_label = case.get_state_display().lower()
        self.move = move
        super().__init__(
            f"{case.reference} is {case.get_state_display().lower()} "
            f"({case.state}), so it cannot be moved by “{move.label.lower()}” ({move.value})."
        )


class CaseMoved(DomainError):
    """The case's state no longer allows an action its page offered: someone moved it."""

    def __init__(self, case) -> None:
        self.case_state_label = case.get_state_display().lower()
        super().__init__(f"{case.reference} is now {self.case_state_label}.")


class StaleEdit(DomainError):
    """A form edits text that someone else saved a change to after the form was opened.

    `current` is the fingerprint of what is saved now: a second submit of the same form,
    made after reading what changed, saves knowingly (see complaints.concurrency)."""

    def __init__(self, what: str, current: str) -> None:
        self.current = current
        super().__init__(
            f"Someone else saved a change to {what} while you had this page open, so nothing "
            "was saved. What is saved now is shown below your text. To keep your version, "
            "check it and save again."
        )
