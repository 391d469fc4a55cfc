class DomainError(Exception):
    """A rule of the complaints procedure refuses this. The message is written for the user,
    and `field`, when set, names the form field it belongs to."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


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
