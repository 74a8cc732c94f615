"""Pages: training. Partner admins follow their people's sales training and technical
certifications, and how they compare with the tier's requirements."""

from django.shortcuts import render
from django.urls import path
from django.utils import timezone

from partners import roles
from partners.selectors.training import (
    EXPIRY_WARNING_DAYS,
    certification_list,
    sales_training_list,
    training_summary,
)
from portal.pagination import page_of
from portal.tenancy.access import member_required


@member_required(roles=roles.VIEW_TRAINING)
def training(request):
    organisation = request.caller.organisation
    today = timezone.localdate()
    return render(
        request,
        "partners/training/overview.html",
        {
            "summary": training_summary(organisation=organisation, on=today),
            "sales_trainings": page_of(
                request, sales_training_list(organisation=organisation), param="sales_page"
            ),
            "certifications": page_of(
                request,
                certification_list(organisation=organisation, on=today),
                param="certifications_page",
            ),
            "expiry_warning_days": EXPIRY_WARNING_DAYS,
        },
    )


urlpatterns = [path("training/", training, name="training")]
