from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from complaints.selectors import case_list


@login_required
def home(request):
    cases = case_list(user=request.user).order_by("next_due_on")[:50]
    return render(request, "complaints/home.html", {"cases": cases})
