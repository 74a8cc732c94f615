"""The channel team's review routes, in two shapes shared by the apps' staff APIs.

``StaffReviewQueue``: a queue (list) of items to review, oldest first, paginated with
``LinkHeaderPagination`` (the body stays a bare array), with a ``?status=`` filter checked
against a choices class. A subclass sets ``permission_classes``, ``serializer_class``,
``status_choices`` and ``queue(status)``; ``queue_schema(...)`` documents it.

``StaffDecisionView``: one decision (POST) on one item. It finds the item through
``items()`` (404 with ``not_found``), validates ``serializer_class`` (the body; None: no
body), calls ``service(actor=..., <item_keyword>=item, **validated data)`` and answers the
item with ``answer_serializer``: read again through ``items()`` (``refetch``), or as the
service returned it. The service checks the permission again and raises the domain errors.
"""

from django.core.exceptions import ObjectDoesNotExist
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import generics, serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.api.fields import InputSerializerMixin
from portal.api.pagination import LINK_HEADER_PARAMETERS, LinkHeaderPagination
from portal.api.schema import ERROR_RESPONSES
from portal.errors import NotFound

#: A reviewer's reason or note is emailed and kept with the decision (a text column).
REASON_MAX_LENGTH = 4000


class ReasonSerializer(InputSerializerMixin, serializers.Serializer):
    """A decision's required reason (a rejection), emailed to the partner or applicant."""

    reason = serializers.CharField(max_length=REASON_MAX_LENGTH)


class NoteSerializer(InputSerializerMixin, serializers.Serializer):
    """A decision's optional note (an approval)."""

    reason = serializers.CharField(
        max_length=REASON_MAX_LENGTH,
        required=False,
        allow_blank=True,
        default="",
        help_text="Optional note.",
    )


class StaffReviewQueue(generics.ListAPIView):
    pagination_class = LinkHeaderPagination
    status_choices = None  # a TextChoices class: the values ``?status=`` accepts

    def get(self, request, *args, **kwargs):
        return self.list(request, *args, **kwargs)

    def queue(self, status):
        """The items, oldest first; ``status`` is one of ``status_choices`` or None (all)."""
        raise NotImplementedError

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # drf-spectacular schema generation
            return self.get_serializer_class().Meta.model.objects.none()
        wanted = self.request.query_params.get("status")
        values = self.status_choices.values
        if wanted and wanted not in values:
            raise ValidationError({"status": [f"Not one of {values}."]})
        return self.queue(wanted or None)


def queue_schema(*, summary: str, serializer, status_choices):
    """The documentation of a ``StaffReviewQueue`` subclass (a class decorator)."""
    return extend_schema_view(
        get=extend_schema(
            summary=summary,
            parameters=[
                OpenApiParameter("status", str, enum=status_choices.values, required=False),
                *LINK_HEADER_PARAMETERS,
            ],
            responses={200: serializer(many=True), **ERROR_RESPONSES(400, 403)},
        )
    )


def decision_responses(serializer, code: int = status.HTTP_200_OK) -> dict:
    """The responses of a decision: the item, or the usual errors."""
    return {code: serializer, **ERROR_RESPONSES(400, 403, 404, 409)}


def review_item(items, pk, not_found: str = ""):
    """The item ``pk`` of the queryset ``items``, or NotFound (404) with ``not_found``, by
    default "No such <the model's verbose name>."."""
    try:
        return items.get(pk=pk)
    except ObjectDoesNotExist as exc:
        raise NotFound(not_found or f"No such {items.model._meta.verbose_name}.") from exc


class StaffDecisionView(APIView):
    serializer_class: type | None = None  # the body; None: the decision takes none
    answer_serializer: type
    answer_status = status.HTTP_200_OK
    service = None  # called with actor=, <item_keyword>=the item and the validated body
    item_keyword = ""
    not_found = ""  # by default "No such <the model's verbose name>."
    refetch = True  # answer the item read again through items(), not the service's return

    def items(self):
        """Where the item is looked up (a queryset)."""
        raise NotImplementedError

    def item(self, pk):
        return review_item(self.items(), pk, self.not_found)

    def validated(self, request) -> dict:
        if self.serializer_class is None:
            return {}
        serializer = self.serializer_class(data=request.data)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    def post(self, request, **kwargs):
        (pk,) = kwargs.values()
        item = self.item(pk)
        data = self.validated(request)
        decided = type(self).service(actor=request.user, **{self.item_keyword: item}, **data)
        answer = self.item(item.pk) if self.refetch else decided
        return Response(self.answer_serializer(answer).data, status=self.answer_status)
