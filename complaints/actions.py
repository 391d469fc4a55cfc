"""Every action a person can take on a case, declared once: who may take it, in which states,
its input (a form), and the call it makes.

complaints.access checks people against this table, the case page offers what it allows, the
generic action page (complaints.views.actions) and the API (complaints.api.actions, one endpoint
per entry) both run `perform` on the same form. A new action is one entry here, and it is then
reachable in the browser and the API alike, or in neither.

An entry without a form (letters other than the response) has pages of its own, which still
ask complaints.access with the entry's slug; an entry with a `page` is offered on that page in
the browser, and through its form in the API.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from complaints import (
    costs,
    documents,
    forms,
    learning,
    letters,
    panel_papers,
    panels,
    services,
    workflow,
)
from complaints.models import Case, Level
from complaints.workflow import Move

State = Case.State


@dataclass(frozen=True)
class Action:
    slug: str
    label: str
    permission: str  # a complaints.* permission (accounts.roles gives it to roles)
    states: frozenset[str]
    levels: frozenset[int] | None = None  # None: any stage, or none
    is_move: bool = False  # a workflow move, shown among the case's main actions
    # A further condition of the workflow's, so a move it would refuse is not offered.
    guard: Callable[[Case], bool] | None = None
    # The input, and what to do with it: (case, user, cleaned_data, form) -> what it made.
    form: type | None = None
    perform: Callable | None = None
    form_kwargs: Callable = field(default=lambda case: {})
    done: str = ""  # what the page says once it is done
    intro: str = ""
    anchor: str = ""  # where on the case page to land afterwards
    # What is saved now, shown beside the typed text when an edit came too late (StaleEdit).
    saved_now: Callable = field(default=lambda case: [])
    # More for the page to show above the form, e.g. the draft a quality check reads.
    context: Callable = field(default=lambda case: {})
    # The URL name of a page of its own, richer than the generic one, where it has one.
    page: str = ""
    # The form is told who fills it in, to offer them only what is theirs.
    form_takes_user: bool = False
    # Fields a link to the page may choose in advance (?appointment=12), e.g. from a table row.
    from_link: tuple[str, ...] = ()

    def form_arguments(self, case: Case, user) -> dict:
        kwargs = self.form_kwargs(case)
        return {**kwargs, "user": user} if self.form_takes_user else kwargs

    def state_allows(self, case: Case) -> bool:
        if case.state not in self.states:
            return False
        if self.guard is not None and not self.guard(case):
            return False
        if self.levels is None:
            return True
        stage = case.current_stage
        return stage is not None and stage.level in self.levels


_ALL = frozenset(State.values)
_OPEN = frozenset({State.RECEIVED, State.IN_PROGRESS, State.PAUSED})
# A draft response is edited while the stage is open and before it goes for its quality check.
DRAFTING_STATES = frozenset({State.IN_PROGRESS, State.PAUSED})
_STAGE_2 = frozenset({Level.INVESTIGATION})
_STAGE_3 = frozenset({Level.REVIEW_PANEL})


def _move(move: Move, permission: str, form, perform, done: str, **more) -> Action:
    """A workflow move: its states and conditions are the workflow's own."""
    return Action(
        slug=move.value.replace("_", "-"),
        label=more.pop("label", None) or move.label,
        permission=permission,
        states=workflow.TRANSITIONS[move].sources,
        is_move=True,
        guard=workflow.MOVE_CONDITIONS.get(move),
        form=form,
        perform=perform,
        done=done,
        **more,
    )


def _date_move(move: Move, permission: str, on_label: str, done: str, **more) -> Action:
    """A move whose only input is the date it happened."""
    return _move(
        move,
        permission,
        forms.OnDateForm,
        lambda c, u, d, f: getattr(workflow, move.value)(c, by=u, on=d["on"]),
        done,
        form_kwargs=lambda case: {"on_label": on_label},
        **more,
    )


def _findings(case, user, d, form):
    services.findings_record(
        stage=case.current_stage,
        findings=[
            (
                ef.element,
                d[f"finding_{ef.element.number}"],
                d.get(f"reasoning_{ef.element.number}", ""),
            )
            for ef in form.rows
            if d.get(f"finding_{ef.element.number}") is not None
        ],
        seen=d.get("seen"),
    )


def _element_findings(case):
    return case.current_stage.element_findings.select_related("element", "finding")


_TABLE = [
    _move(
        Move.ACCEPT,
        "screen_case",
        forms.AcceptForm,
        lambda c, u, d, f: services.case_accept(
            case=c,
            by=u,
            send_acknowledgement=d["send_acknowledgement"],
            procedure=d["procedure"],
            level=d["level"],
            eligibility_ground=d["eligibility_ground"],
            sufficient_interest_tests=d["sufficient_interest_tests"],
            late_acceptance_reason=d["late_acceptance_reason"],
            on=d["on"],
        ),
        "Accepted into the procedure.",
        label="Accept",
        intro="Screening: who may complain, and whether the complaint is in time.",
    ),
    _move(
        Move.REFUSE,
        "screen_case",
        forms.RefuseForm,
        lambda c, u, d, f: workflow.refuse(
            c, by=u, reason=d["reason"], detail=d["detail"], on=d["on"]
        ),
        "Refused. Prepare the refusal letter, which gives the Ombudsman route.",
        label="Refuse",
    ),
    _date_move(
        Move.ACKNOWLEDGE,
        "screen_case",
        "Date acknowledged",
        "Acknowledgement recorded.",
        label="Record acknowledgement",
    ),
    _move(
        Move.ALLOCATE,
        "allocate_case",
        forms.AllocateForm,
        lambda c, u, d, f: workflow.allocate(
            c, by=u, team=d["team"], manager=d["manager"], on=d["on"]
        ),
        "Allocated.",
    ),
    _move(
        Move.APPOINT_INVESTIGATORS,
        "run_investigation",
        forms.AppointInvestigatorsForm,
        lambda c, u, d, f: workflow.appoint_investigators(
            c,
            by=u,
            investigating_officer=d["investigating_officer"],
            independent_person=d["independent_person"],
            adjudicating_officer=d["adjudicating_officer"],
            on=d["on"],
        ),
        "Investigating officer and independent person appointed.",
        levels=_STAGE_2,
        form_kwargs=lambda case: {"case": case},
    ),
    _date_move(
        Move.RECORD_STATEMENT_AGREED,
        "run_investigation",
        "Date the statement of complaint was agreed",
        "Statement of complaint agreed.",
        levels=_STAGE_2,
    ),
    _date_move(
        Move.RECORD_REPORT_RECEIVED,
        "run_investigation",
        "Date the investigation report was received",
        "Investigation report received.",
        levels=_STAGE_2,
    ),
    _move(
        Move.SCHEDULE_PANEL,
        "run_review_panel",
        forms.SchedulePanelForm,
        lambda c, u, d, f: workflow.schedule_panel(
            c,
            by=u,
            panel_date=d["panel_date"],
            members=f.seats(),
            late_reason=d["late_reason"],
            meeting=f.meeting(),
        ),
        "Review panel scheduled; the invitations are on their way.",
        levels=_STAGE_3,
        form_kwargs=lambda case: {"case": case},
        intro="Choose an independent chair and two members from the pool: those proposed have "
        "no conflict with the case's service area, hold the part and valid checks, are "
        "available, and have the fewest cases. Each panel member, and the complainant if they "
        "agreed to e-mail, gets an invitation with a calendar entry. Changing a scheduled "
        "panel sends them an update.",
    ),
    _move(
        Move.RECORD_PANEL_HELD,
        "run_review_panel",
        forms.PanelHeldForm,
        lambda c, u, d, f: workflow.record_panel_held(
            c, by=u, on=d["on"], late_reason=d["late_reason"]
        ),
        "Panel recorded as held.",
        levels=_STAGE_3,
    ),
    _date_move(
        Move.RECORD_PANEL_REPORT,
        "run_review_panel",
        "Date the panel's report was sent",
        "Panel report recorded.",
        levels=_STAGE_3,
    ),
    _move(
        Move.EXTEND,
        "extend_deadline",
        forms.ExtendForm,
        lambda c, u, d, f: workflow.extend(
            c,
            by=u,
            new_due_on=d["new_due_on"],
            reason=d["reason"],
            detail=d["detail"],
            complainant_agreed=d["complainant_agreed"],
            informed_on=d["informed_on"],
        ),
        "Deadline extended. Tell the complainant the new date.",
        label="Extend the deadline",
    ),
    _move(
        Move.PAUSE,
        "pause_case",
        forms.PauseForm,
        lambda c, u, d, f: workflow.pause(c, by=u, reason=d["reason"], on=d["on"]),
        "Paused: no deadline runs until it is resumed.",
    ),
    _date_move(Move.RESUME, "pause_case", "Date resumed", "Resumed; due dates moved on."),
    _move(
        Move.SUBMIT_FOR_QA,
        "draft_response",
        forms.ConfirmForm,
        lambda c, u, d, f: services.response_submit(case=c, by=u),
        "Draft sent to the complaints team for its quality check.",
        intro="The complaints team will check the findings, remedies and letter, then approve "
        "it or send it back with comments. You cannot change the draft meanwhile.",
        form_kwargs=lambda case: {"submit_label": "Submit for quality check"},
        context=lambda case: {"check": letters.quality_check(case)},
    ),
    _move(
        Move.RETURN_DRAFT,
        "quality_assure_response",
        forms.ReasonForm,
        lambda c, u, d, f: workflow.return_draft(c, by=u, reason=d["reason"]),
        "Draft returned to the responding manager with your comments.",
        form_kwargs=lambda case: {
            "reason_label": "What needs changing?",
            "submit_label": "Return the draft",
        },
        context=lambda case: {"check": letters.quality_check(case)},
    ),
    _move(
        Move.APPROVE_DRAFT,
        "quality_assure_response",
        forms.ConfirmForm,
        lambda c, u, d, f: workflow.approve_draft(c, by=u),
        "Draft approved; it can be issued.",
        intro="Read the draft below. Approve it if it answers every element and is ready to "
        "go to the family; otherwise return it with comments.",
        form_kwargs=lambda case: {"submit_label": "Approve draft"},
        context=lambda case: {"check": letters.quality_check(case), "may_return": True},
    ),
    _move(
        Move.ISSUE_RESPONSE,
        "issue_response",
        forms.IssueResponseForm,
        lambda c, u, d, f: services.response_issue(
            case=c, by=u, responded_on=d["responded_on"], outcome=d["outcome"]
        ),
        "Response issued; the letter is on the case.",
    ),
    _move(
        Move.ESCALATE,
        "record_escalation",
        forms.EscalateForm,
        lambda c, u, d, f: workflow.escalate(
            c,
            by=u,
            requested_on=d["requested_on"],
            reason=d["reason"],
            previous_response_method=d["previous_response_method"],
            detail=d["detail"],
            accept_late=d["accept_late"],
        ),
        "Escalated to the next stage.",
        label="Record escalation request",
    ),
    _move(
        Move.WITHDRAW,
        "withdraw_case",
        forms.WithdrawForm,
        lambda c, u, d, f: workflow.withdraw(
            c, by=u, reason=d["reason"], detail=d["detail"], on=d["on"]
        ),
        "Withdrawn.",
    ),
    _move(
        Move.CLOSE,
        "close_case",
        forms.CloseForm,
        lambda c, u, d, f: workflow.close(c, by=u, reason=d["reason"], on=d["on"]),
        "Closed.",
    ),
    _move(
        Move.REOPEN,
        "reopen_case",
        forms.ReopenForm,
        lambda c, u, d, f: workflow.reopen(
            c, by=u, level=d["level"], reason=d["reason"], on=d["on"], procedure=d["procedure"]
        ),
        "Reopened.",
    ),
    _move(
        Move.ARRANGE_CALL_BACK,
        "screen_case",
        forms.ArrangeCallBackForm,
        lambda c, u, d, f: workflow.arrange_call_back(c, by=u, person=d["person"]),
        "Call-back arranged; it will be chased if it is not made in time.",
    ),
    _move(
        Move.RESOLVE_CALL_BACK,
        "screen_case",
        forms.CallBackOutcomeForm,
        lambda c, u, d, f: workflow.resolve_call_back(c, by=u, on=d["on"], note=d["note"]),
        "Recorded as resolved by the call-back. They can still complain later.",
        label="Record the call-back as resolved",
        form_kwargs=lambda case: {"submit_label": "Record as resolved"},
    ),
    _move(
        Move.CONVERT_CALL_BACK,
        "screen_case",
        forms.CallBackOutcomeForm,
        lambda c, u, d, f: workflow.convert_call_back(c, by=u, on=d["on"], note=d["note"]),
        "It is now a complaint, received on the date of the first contact. Screen it next.",
        label="Record that it became a complaint",
        form_kwargs=lambda case: {"submit_label": "Record that it became a complaint"},
    ),
    # Adding an element; changing one is complaints.views.actions.element_edit.
    Action(
        "statement",
        "Edit the statement of complaint",
        "edit_statement",
        _OPEN,
        form=forms.ElementForm,
        perform=lambda c, u, d, f: services.element_add(
            case=c, summary=d["summary"], nature=d["nature"]
        ),
        done="Element added.",
        intro="Add an element of complaint: one matter the complainant wants looked at.",
        anchor="statement",
        form_kwargs=lambda case: {"submit_label": "Add element"},
    ),
    Action(
        "findings",
        "Record findings",
        "draft_response",
        DRAFTING_STATES,
        form=forms.FindingsForm,
        perform=_findings,
        done="Findings saved.",
        form_kwargs=lambda case: {
            "element_findings": _element_findings(case),
            "initial": {"seen": services.findings_fingerprint(case.current_stage)},
        },
        anchor="response",
        saved_now=lambda case: [
            (f"Element {ef.element.number}", f"{ef.finding or 'No finding'}. {ef.reasoning}")
            for ef in _element_findings(case)
        ],
    ),
    Action(
        "remedies",
        "Add a remedy",
        "draft_response",
        DRAFTING_STATES,
        form=forms.RemedyForm,
        perform=lambda c, u, d, f: services.remedy_add(
            stage=c.current_stage, kind=d["kind"], amount=d["amount"], detail=d["detail"]
        ),
        done="Remedy added.",
        anchor="response",
    ),
    Action(
        "draft-response",
        "Draft the response letter",
        "draft_response",
        DRAFTING_STATES,
        form=forms.LetterForm,
        perform=lambda c, u, d, f: letters.letter_update(
            letters.current(letters.response_letter_prepared(c, by=u)),
            subject=d["subject"],
            body=d["body"],
            seen=d.get("seen"),
        ),
        done="Draft saved.",
        anchor="letters",
        page="response-letter",
    ),
    # Drafting one from a template; editing and sending it are on its own page (letter_edit),
    # and in the API under /api/v1/cases/{reference}/letters/{id}/.
    Action(
        "letter",
        "Prepare a letter",
        "prepare_letter",
        _ALL,
        form=forms.LetterStartForm,
        perform=lambda c, u, d, f: letters.letter_draft(case=c, template=d["template"], by=u),
        form_kwargs=lambda case: {"templates": letters.other_templates_for(case)},
        page="letter-start",
    ),
    Action(
        "contact",
        "Record contact",
        "record_contact",
        _ALL,
        form=forms.ContactForm,
        perform=lambda c, u, d, f: services.contact_record(
            case=c,
            by=u,
            kind=d["kind"],
            happened_on=d["happened_on"],
            note=d["note"],
            with_whom=d["with_whom"],
        ),
        done="Note saved.",
        anchor="timeline",
    ),
    Action(
        "document",
        "Attach a document",
        "upload_document",
        _ALL,
        form=forms.DocumentForm,
        perform=lambda c, u, d, f: documents.document_add(
            case=c, by=u, kind=d["kind"], title=d["title"], upload=d["file"]
        ),
        done="Document attached.",
        anchor="documents",
    ),
    Action(
        "officer",
        "Change case officer",
        "allocate_case",
        _ALL,
        form=forms.OfficerForm,
        perform=lambda c, u, d, f: services.officer_change(case=c, officer=d["officer"], by=u),
        done="Case officer changed.",
    ),
    Action(
        "advocacy",
        "Record advocacy",
        "screen_case",
        _ALL,
        form=forms.AdvocacyForm,
        perform=lambda c, u, d, f: services.advocacy_record(
            case=c,
            by=u,
            offered_on=d["offered_on"],
            accepted=d["accepted"],
            referred_on=d["referred_on"],
            provider=d["provider"],
            advocate_name=d["advocate_name"],
        ),
        done="Advocacy saved.",
        form_kwargs=lambda case: {"case": case},
        intro="A child or young person who complains, or continues a complaint, is entitled to "
        "an independent advocate. Record the offer, whether it was taken up, and the referral.",
    ),
    Action(
        "lessons-learnt",
        "Complete the lessons-learnt form",
        "draft_response",
        _ALL,
        guard=lambda case: learning.owed_now(case) is not None,
        form=forms.LessonsLearntForm,
        perform=lambda c, u, d, f: learning.lessons_submit(
            learning.owed_now(c),
            by=u,
            what_went_wrong=d["what_went_wrong"],
            learning=d["learning"],
            applies_beyond_case=d["applies_beyond_case"],
            wider_learning=d["wider_learning"],
            actions=f.actions(),
            on=d["on"],
        ),
        done="Lessons-learnt form submitted. Thank you.",
        intro="What went wrong, what the service has learnt, and the actions it will take. "
        "Each action is chased until its owner records it as done.",
        anchor="learning",
    ),
    Action(
        "agreed-action",
        "Record an agreed action",
        "manage_actions",
        _ALL,
        form=forms.AgreedActionForm,
        perform=lambda c, u, d, f: learning.action_add(
            case=c,
            source=d["source"],
            description=d["description"],
            owner=d["owner"],
            due_on=d["due_on"],
            by=u,
            published_summary=d["published_summary"],
        ),
        done="Action recorded; it will be chased until it is done.",
        anchor="learning",
    ),
]

# What an appointment from the pool costs (complaints.costs): record-keeping on a Stage 2 or 3
# case, at any state, since invoices arrive after the stage ends. The case page offers them
# beside each appointment.
_STAGES_2_AND_3 = _STAGE_2 | _STAGE_3
_TABLE += [
    Action(
        "time",
        "Record time and expenses",
        "record_time",
        _ALL,
        levels=_STAGES_2_AND_3,
        guard=costs.has_appointments,
        form=forms.TimeEntryForm,
        perform=lambda c, u, d, f: costs.time_record(
            appointment=d["appointment"],
            by=u,
            worked_on=d["worked_on"],
            quantity=d["quantity"],
            expenses=d["expenses"],
            note=d["note"],
        ),
        form_kwargs=lambda case: {"case": case},
        done="Time and expenses recorded.",
        anchor="costs",
        from_link=("appointment",),
        form_takes_user=True,
    ),
    Action(
        "invoice",
        "Record an invoice",
        "record_invoice",
        _ALL,
        levels=_STAGES_2_AND_3,
        guard=costs.has_appointments,
        form=forms.InvoiceForm,
        perform=lambda c, u, d, f: costs.invoice_record(
            appointment=d["appointment"],
            by=u,
            number=d["number"],
            received_on=d["received_on"],
            amount=d["amount"],
        ),
        form_kwargs=lambda case: {"case": case},
        done="Invoice recorded. It counts as spent once a complaints manager approves it.",
        anchor="costs",
        from_link=("appointment",),
    ),
    Action(
        "invoice-approve",
        "Approve an invoice",
        "approve_invoice",
        _ALL,
        levels=_STAGES_2_AND_3,
        guard=costs.has_appointments,
        form=forms.InvoiceApproveForm,
        perform=lambda c, u, d, f: costs.invoice_approve(invoice=d["invoice"], by=u, on=d["on"]),
        form_kwargs=lambda case: {"case": case},
        done="Invoice approved: the appointment's cost is now its approved invoices.",
        intro="Once an appointment has an approved invoice, its cost is the total of its "
        "approved invoices, in place of the time and expenses recorded.",
        anchor="costs",
        from_link=("invoice",),
    ),
]

# The review panel's meeting and papers (complaints.panels, complaints.panel_papers).
_TABLE += [
    Action(
        "cancel-panel-meeting",
        "Cancel the panel meeting",
        "run_review_panel",
        frozenset({State.IN_PROGRESS}),
        levels=_STAGE_3,
        # Read from the case's own row: no query on every case page. Cancelling clears the
        # date; the service refuses a panel whose date came without a meeting (history).
        guard=lambda case: (
            case.current_stage is not None and case.current_stage.panel_scheduled_for is not None
        ),
        form=forms.CancelPanelMeetingForm,
        perform=lambda c, u, d, f: panels.cancel(c, by=u, reason=d["reason"]),
        done="Meeting cancelled; the panel and the complainant are being told.",
        intro="The panel members, and the complainant if they agreed to e-mail, get a "
        "cancellation that removes the meeting from their calendars. Schedule the panel again "
        "to arrange a new date.",
        anchor="timeline",
    ),
    Action(
        "panel-papers",
        "Make the panel's papers",
        "run_review_panel",
        frozenset({State.IN_PROGRESS}),
        levels=_STAGE_3,
        form=forms.PanelPapersForm,
        perform=lambda c, u, d, f: panel_papers.bundle_make(case=c, by=u),
        done="The panel's papers are on the case, for the panel and the complaints team only.",
        intro="One PDF with a contents page and bookmarks: the complaint, the Stage 2 reports, "
        "the adjudication and the complainant's submission. Uploaded PDFs are included; other "
        "files are listed as not included. Only the complaints team and this panel's members "
        "may open it.",
        anchor="documents",
    ),
]

# By slug: the slug is the action's address, /cases/<reference>/<slug>/ and the API's alike.
ACTIONS: dict[str, Action] = {a.slug: a for a in _TABLE}
