"""Pages: the public application form and the applicant's answer through a signed link."""

from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_http_methods

from partners.forms.applications import ApplicationForm, ReplyForm
from partners.selectors.programme import application_review_days
from partners.services.applications import (
    application_for_reply_token,
    application_reply,
    application_submit,
)
from partners.throttles import ApplicationRateThrottle
from portal.client_address import client_ip
from portal.errors import DomainError, NotFound
from portal.tenancy.context import system_context


@require_http_methods(["GET", "POST"])
def apply(request):
    form = ApplicationForm(request.POST or None)
    if request.method == "POST":
        if not ApplicationRateThrottle().allow_request(request, None):
            context = {
                "form": form,
                "throttled": "Too many applications from your network. Try again later.",
            }
            return render(request, "partners/applications/apply.html", context, status=429)
        if form.is_valid():
            data = dict(form.cleaned_data)
            if data.pop("fax"):
                return redirect("partners:apply_thanks")  # a bot: pretend, store nothing
            try:
                with system_context("public:application"):
                    application_submit(data=data, ip=client_ip(request))
            except DomainError as exc:
                form.add_error(exc.field, exc.message)
            else:
                return redirect("partners:apply_thanks")
    return render(request, "partners/applications/apply.html", {"form": form})


def apply_thanks(request):
    return render(
        request,
        "partners/applications/thanks.html",
        {"review_days": application_review_days()},
    )


@require_http_methods(["GET", "POST"])
def reply(request, token):
    with system_context("public:application-reply"):
        try:
            application = application_for_reply_token(token=token)
        except NotFound as exc:
            return render(
                request,
                "partners/applications/link_invalid.html",
                {"message": exc.message},
                status=404,
            )
        form = ReplyForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                application_reply(application=application, reply=form.cleaned_data["reply"])
            except DomainError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                return render(request, "partners/applications/reply_thanks.html")
        return render(
            request,
            "partners/applications/reply.html",
            {"form": form, "application": application},
        )


urlpatterns = [
    path("apply/", apply, name="apply"),
    path("apply/thanks/", apply_thanks, name="apply_thanks"),
    path("apply/reply/<str:token>/", reply, name="application_reply"),
]
