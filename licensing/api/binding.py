"""API routes: binding a licence to its end customer (SPEC §3.7).

``POST /licences/{id}/bind`` binds (or rebinds, before redemption) the licence to the
customer's email and emails them a redemption link; ``POST /licences/{id}/resend`` emails
a new link (the earlier one stops working). The owning partner's members who manage
licences only: a distributor reads a reseller's licences but gets 404 here. The rules are
in licensing/services/binding.py, shared with the binding page.
"""

from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from licensing.models import Licence
from licensing.services.binding import licence_bind, licence_link_resend
from partners import roles
from portal.api.fields import InputSerializerMixin
from portal.api.schema import ERROR_RESPONSES
from portal.api.viewsets import TenantViewSet


class LicenceBindSerializer(InputSerializerMixin, serializers.Serializer):
    email = serializers.EmailField(
        max_length=254, help_text="The end customer's address: the redemption link goes there."
    )


class LicenceBindingSerializer(serializers.ModelSerializer):
    link_expires_at = serializers.SerializerMethodField(
        help_text="When the redemption link just sent stops working."
    )

    class Meta:
        model = Licence
        fields = ["id", "status", "customer_email", "bound_at", "link_expires_at"]
        read_only_fields = fields

    def get_link_expires_at(self, licence) -> str:
        return serializers.DateTimeField().to_representation(self.context["link"].expires_at)


class LicenceBindingViewSet(TenantViewSet):
    tenant_queryset = Licence.objects.all()
    serializer_class = LicenceBindingSerializer
    roles_by_action = {"bind": roles.MANAGE_LICENCES, "resend": roles.MANAGE_LICENCES}

    @extend_schema(
        summary="Bind a licence to its end customer and email them a redemption link",
        description="Only an unbound licence, or one bound but not yet redeemed (rebinding "
        "to another address: the earlier link stops working at once).",
        request=LicenceBindSerializer,
        responses={200: LicenceBindingSerializer, **ERROR_RESPONSES(400, 403, 404, 409)},
    )
    def bind(self, request, id=None):
        licence = self.get_object()
        serializer = LicenceBindSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        link = licence_bind(
            actor=request.user, licence=licence, email=serializer.validated_data["email"]
        )
        return self._answer(link)

    @extend_schema(
        summary="Email the bound customer a new redemption link",
        description="The earlier link stops working; the new one is valid for the "
        "programme's full period again.",
        request=None,
        responses={200: LicenceBindingSerializer, **ERROR_RESPONSES(403, 404, 409)},
    )
    def resend(self, request, id=None):
        link = licence_link_resend(actor=request.user, licence=self.get_object())
        return self._answer(link)

    def _answer(self, link):
        return Response(LicenceBindingSerializer(link.licence, context={"link": link}).data)


urlpatterns = [
    path(
        "licences/<uuid:id>/bind",
        LicenceBindingViewSet.as_view({"post": "bind"}),
        name="licences-bind",
    ),
    path(
        "licences/<uuid:id>/resend",
        LicenceBindingViewSet.as_view({"post": "resend"}),
        name="licences-resend",
    ),
]
