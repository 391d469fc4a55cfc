"""The public e-forms' pages, open to anyone without signing in.

Answers wait in the visitor's own session between pages (plain form posts, no JavaScript
needed) and are cleared once sent; the confirmation is read from that session alone, so no
one sees what someone else sent. Every post counts towards PUBLIC_FORM_RATE per address; a
post whose honeypot is filled is thanked and thrown away.
"""

import datetime as dt
import ipaddress
import logging
from dataclasses import asdict
from functools import wraps

from django.conf import settings
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.datastructures import MultiValueDict
from django.views.decorators.http import require_http_methods
from django_ratelimit.core import is_ratelimited

from accounts.network import client_address
from complaints.errors import DomainError
from complaints.escalation_link import LinkProblem
from public import services
from public.flows import FLOWS, Flow, Step
from public.forms import HONEYPOT, EscalationForm, PublicForm

ESCALATED = "public:escalation:done"
logger = logging.getLogger(__name__)


def _address(group, request) -> str:
    """The visitor's address; for IPv6 its /64, which one household or phone holds whole."""
    address = client_address(request) or ""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if ip.version == 6:
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return address


def _rate(group, request) -> str:
    return settings.PUBLIC_FORM_RATE  # read per request, so a changed setting applies at once


def limit_posts(view):
    """Refuse posts beyond PUBLIC_FORM_RATE from one address, before anything is read."""

    @wraps(view)
    def limited(request, *args, **kwargs):
        if request.method == "POST" and is_ratelimited(
            request, group="public-forms", key=_address, rate=_rate, method="POST", increment=True
        ):
            return render(request, "public/too_many_requests.html", status=429)
        return view(request, *args, **kwargs)

    return limited


def _url(flow: Flow, page: str, **kwargs) -> str:
    return reverse(f"public-{flow.name}-{page}", kwargs=kwargs or None)


def _step_url(flow: Flow, step: Step) -> str:
    return _url(flow, "step", step=step.slug)


def _stored(request, flow: Flow) -> dict:
    return request.session.get(f"public:{flow.name}", {"pages": {}, "bot": False})


def _store(request, flow: Flow, stored: dict) -> None:
    request.session[f"public:{flow.name}"] = stored


def _posted(request, form: PublicForm) -> dict:
    """What the visitor answered on the page: the form's own fields (a date's day, month and
    year too), nothing else a post carries."""
    fields = [name for name in form.fields if name != HONEYPOT]
    return {
        key: request.POST.getlist(key)
        for key in request.POST
        if any(key == name or key.startswith(f"{name}_") for name in fields)
    }


def _answered(flow: Flow, stored: dict, *, until: Step | None = None):
    """The pages asked so far, bound to their stored answers, and the typed answers; stops at
    `until`, or at the first page asked but not (validly) answered, which it returns."""
    answers: dict = {}
    forms: list[tuple[Step, PublicForm]] = []
    for step in flow.steps:
        if step == until:
            return forms, answers, None
        if not step.asked(answers):
            continue
        data = stored["pages"].get(step.slug)
        form = step.form(MultiValueDict(data or {}), answers=answers)
        if data is None or not form.is_valid():
            return forms, answers, step
        answers.update(form.typed_answers())
        forms.append((step, form))
    return forms, answers, None


def start(request, flow: str):
    flow = FLOWS[flow]
    return render(
        request,
        f"public/start_{flow.name.replace('-', '_')}.html",
        {
            "flow": flow,
            "start_url": _step_url(flow, flow.steps[0]),
            "call_back_days": settings.CALL_BACK_WORKING_DAYS,
        },
    )


@limit_posts
@require_http_methods(["GET", "POST"])
def question(request, flow: str, step: str):
    flow = FLOWS[flow]
    page = next((s for s in flow.steps if s.slug == step), None)
    if page is None:
        raise Http404
    stored = _stored(request, flow)
    _, answers, missing = _answered(flow, stored, until=page)
    if missing is not None:  # an earlier page still needs its answer
        return redirect(_step_url(flow, missing))
    if not page.asked(answers):
        return redirect(_url(flow, "check"))
    changing = "change" in request.GET
    if request.method == "POST":
        form = page.form(request.POST, answers=answers)
        if form.is_bot:  # carry on as if nothing were wrong; sending it discards it all
            stored["bot"] = True
            _store(request, flow, stored)
            return redirect(_url(flow, "check"))
        if form.is_valid():
            stored["pages"][page.slug] = _posted(request, form)
            _store(request, flow, stored)
            return redirect(_next(flow, page, stored, changing))
    elif page.slug in stored["pages"]:
        form = page.form(MultiValueDict(stored["pages"][page.slug]), answers=answers)
        form.is_valid()  # shows what they answered before, as they typed it
    else:
        form = page.form(answers=answers)
    index = flow.steps.index(page)
    earlier = [s for s in flow.steps[:index] if s.asked(answers)]
    back = _step_url(flow, earlier[-1]) if earlier else _url(flow, "start")
    return render(
        request,
        "public/question.html",
        {
            "flow": flow,
            "form": form,
            "title": page.title,
            "heading": page.form.question is None,
            "back_url": _url(flow, "check") if changing else back,
        },
    )


def _next(flow: Flow, page: Step, stored: dict, changing: bool) -> str:
    if changing:
        return _url(flow, "check")  # which sends them on to any page the change now needs
    _, _, missing = _answered(flow, stored)
    return _step_url(flow, missing) if missing else _url(flow, "check")


@limit_posts
@require_http_methods(["GET", "POST"])
def check(request, flow: str):
    flow = FLOWS[flow]
    stored = _stored(request, flow)
    if request.method == "POST" and (stored["bot"] or request.POST.get(HONEYPOT)):
        # Logged, with nothing that was typed, so a team can tell if people's forms are lost.
        logger.warning("A %s form with its honeypot filled in was discarded.", flow.name)
        request.session.pop(f"public:{flow.name}", None)
        return render(request, "public/received.html", {"flow": flow})
    forms, answers, missing = _answered(flow, stored)
    if missing is not None:
        return redirect(_step_url(flow, missing))
    error = None
    if request.method == "POST":
        try:
            done = flow.submit(answers)
        except DomainError as problem:
            error = problem.message
        else:
            request.session.pop(f"public:{flow.name}", None)
            request.session[f"public:{flow.name}:done"] = asdict(done)
            return redirect(_url(flow, "done"))
    return render(
        request,
        "public/check.html",
        {
            "flow": flow,
            "rows": [
                (_step_url(flow, step), question, answer)
                for step, form in forms
                for question, answer in form.answer_rows()
            ],
            "error": error,
            "back_url": _step_url(flow, forms[-1][0]),
        },
    )


def done(request, flow: str):
    flow = FLOWS[flow]
    # Shown once: on a shared computer, the next person does not learn a complaint was made.
    sent = request.session.pop(f"public:{flow.name}:done", None)
    if sent is None:
        return redirect(_url(flow, "start"))
    dates = {key: dt.date.fromisoformat(v) if v else None for key, v in sent["dates"].items()}
    return render(
        request,
        f"public/done_{flow.name.replace('-', '_')}.html",
        {"flow": flow, "reference": sent["reference"], "dates": dates},
    )


# --- asking for the next stage through a response letter's link ----------------------------


def _link_problem(request, problem: LinkProblem):
    status = 404 if problem.reason == LinkProblem.INVALID else 410
    return render(
        request,
        "public/link_problem.html",
        {"reason": problem.reason, "contact": settings.COMPLAINTS_CONTACT},
        status=status,
    )


@limit_posts
@require_http_methods(["GET", "POST"])
def escalation(request, token: str):
    try:
        case = services.escalation_case(token)
    except LinkProblem as problem:
        return _link_problem(request, problem)
    form = EscalationForm(request.POST or None)
    if request.method == "POST":
        if form.is_bot:
            logger.warning("An escalation form with its honeypot filled in was discarded.")
            return render(request, "public/received.html", {})
        if form.is_valid():
            try:
                case = services.escalation_request(
                    token=token,
                    reason=form.cleaned_data["reason"],
                    previous_response_method=form.cleaned_data["previous_response_method"],
                    detail=form.cleaned_data["detail"],
                )
            except LinkProblem as problem:
                return _link_problem(request, problem)
            dates = services.stage_due_dates(case.current_stage)
            request.session[ESCALATED] = {
                "reference": case.reference,
                "stage": case.current_stage.get_level_display(),
                "acknowledge_by": dates.acknowledge_by.isoformat() if dates.acknowledge_by else "",
            }
            return redirect("public-escalation-done")
    return render(
        request,
        "public/escalation.html",
        {"form": form, "reference": case.reference, "next_stage": services.next_stage(case)},
    )


def escalation_done(request):
    sent = request.session.pop(ESCALATED, None)
    if sent is None:
        return render(request, "public/link_problem.html", {"reason": "none"}, status=404)
    acknowledge_by = sent["acknowledge_by"]
    return render(
        request,
        "public/escalation_done.html",
        {
            **sent,
            "acknowledge_by": dt.date.fromisoformat(acknowledge_by) if acknowledge_by else None,
        },
    )
