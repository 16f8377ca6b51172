"""The follow-up list (issue 12): front desk and clinicians see who has answered their follow-up questionnaires.

Names, dates and status only; a clinician's row links to the patient page, which needs the clinical permission.
"""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from accounts.permissions import staff_permission_required
from audit import services as audit
from dashboard import follow_ups
from dashboard.scores import follow_up_points, time_point_label

MSG_NOT_A_CHOICE = "Choose one from the list."


class FollowUpFilterForm(forms.Form):
    status = forms.ChoiceField(required=False, label="Status", error_messages={"invalid_choice": MSG_NOT_A_CHOICE})
    time_point = forms.ChoiceField(
        required=False, label="Time point", error_messages={"invalid_choice": MSG_NOT_A_CHOICE}
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # `fields` is typed as plain Field; both are the ChoiceFields declared above.
        status = cast(forms.ChoiceField, self.fields["status"])
        time_point = cast(forms.ChoiceField, self.fields["time_point"])
        status.choices = [("", "Due, sent, overdue or answered"), *follow_ups.STATUSES]
        time_point.choices = [("", "Any time point"), *((p, time_point_label(p)) for p in follow_up_points())]

    def filters(self) -> follow_ups.FollowUpFilters:
        """The valid filters only: a bad one is reported next to itself and the others still apply."""
        self.is_valid()  # cleans the fields: cleaned_data keeps the valid ones
        data = self.cleaned_data
        return follow_ups.FollowUpFilters(status=data.get("status", ""), time_point=data.get("time_point", ""))


@never_cache
@require_GET
@staff_permission_required("intake.view_follow_ups")
def follow_up_list(request: HttpRequest) -> HttpResponse:
    form = FollowUpFilterForm(request.GET)
    filters, now = form.filters(), timezone.now()
    page = Paginator(follow_ups.listed(filters, now=now), follow_ups.PAGE_SIZE).get_page(request.GET.get("page"))
    rows = follow_ups.rows(page.object_list)  # type: ignore[arg-type]
    audit.record(
        "viewed_follow_ups",
        request=request,
        intakes=[row.visit_id for row in rows],  # the visits whose patients the page names
        detail=f"follow-up list: {page.paginator.count} rows, page {page.number}; {filters.describe()}",
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "dashboard/follow_ups.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "rates": follow_ups.response_rates(now=now),
            "clinical": request.user.has_perm("intake.view_intake"),
            "filter_query": query.urlencode(),
            "overdue_days": follow_ups.overdue_after().days,
        },
    )
