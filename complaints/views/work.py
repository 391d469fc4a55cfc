from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone

from complaints import selectors


@login_required
def my_work(request):
    today = timezone.localdate()
    return render(
        request,
        "complaints/my_work.html",
        {"sections": selectors.my_work(request.user, today=today), "today": today},
    )
