"""API routes: activation (SPEC §3.7), for appliances, and the partner's release of a
machine.

The appliance has no account: the licence key is its credential, sent in the body to
activate and in the ``X-Licence-Key`` header to deactivate (a DELETE body is dropped by
some clients and proxies). These routes are public, rate-limited per client IP, and say
nothing about a key that opens nothing beyond "not valid".
"""

from django.urls import path
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import SimpleRateThrottle
from rest_framework.views import APIView

from licensing.models import Activation
from licensing.selectors.activation import published_signing_keys
from licensing.services.activation import (
    CONTEXT,
    activation_activate,
    activation_deactivate,
    activation_release,
)
from licensing.services.signing import signing_key_current
from licensing.signing import ALGORITHM, FILE_FORMAT, public_key_pem
from partners import roles
from portal.api.fields import InputSerializerMixin
from portal.api.schema import ERROR_RESPONSES
from portal.api.viewsets import TenantViewSet
from portal.errors import DomainError
from portal.tenancy.context import system_context

KEY_HEADER = "X-Licence-Key"
FINGERPRINT_PATTERN = r"^[A-Za-z0-9._:+/=-]{8,128}$"
HOSTNAME_PATTERN = r"^[^\x00-\x1f\x7f]{0,253}$"


class ActivationRateThrottle(SimpleRateThrottle):
    """Activations and deactivations per client IP, logged in or not
    (REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["activations"])."""

    scope = "activations"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class PublicKeyRateThrottle(ActivationRateThrottle):
    scope = "licensing_public_key"


# --- Serializers ----------------------------------------------------------------------


class ActivateSerializer(InputSerializerMixin, serializers.Serializer):
    key = serializers.CharField(max_length=64, help_text="The licence key, e.g. ABCDE-FGHJK-...")
    fingerprint = serializers.RegexField(
        FINGERPRINT_PATTERN,
        max_length=128,
        help_text="A stable id of the machine: 8 to 128 letters, digits or . _ : + / = -",
    )
    hostname = serializers.RegexField(
        HOSTNAME_PATTERN,
        max_length=253,
        required=False,
        allow_blank=True,
        default="",
        help_text="The machine's name, shown to the partner.",
    )


class _LicenseeSerializer(serializers.Serializer):
    name = serializers.CharField()
    email = serializers.CharField()
    country = serializers.CharField(help_text="ISO 3166 code, or empty.")


class _ProductSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class _TermSerializer(serializers.Serializer):
    starts_on = serializers.DateField()
    ends_on = serializers.DateField(help_text="The term's last day.")


class LicencePayloadSerializer(serializers.Serializer):
    licence_id = serializers.UUIDField()
    activation_id = serializers.UUIDField(help_text="Deactivate with this id.")
    kind = serializers.CharField(help_text="customer, trial, nfr or evaluation.")
    licensee = _LicenseeSerializer()
    installation = serializers.CharField()
    product = _ProductSerializer()
    billing_period = serializers.CharField(help_text="monthly, yearly, or empty (no plan).")
    quantity = serializers.IntegerField()
    unit = serializers.CharField(help_text="flat, per_host or per_user.")
    term = _TermSerializer()
    entitlements = serializers.DictField(help_text="Support and features the plan carries.")
    machine_limit = serializers.IntegerField()
    fingerprint = serializers.CharField()
    hostname = serializers.CharField()
    issued_at = serializers.DateTimeField()
    kid = serializers.CharField(help_text="The id of the key that signed the file.")


class LicenceFileSerializer(serializers.Serializer):
    """The signed licence file: save the body as it is."""

    format = serializers.CharField(help_text=f'"{FILE_FORMAT}".')
    algorithm = serializers.CharField(help_text=f'"{ALGORITHM}".')
    kid = serializers.CharField()
    payload = LicencePayloadSerializer()
    signature = serializers.CharField(
        help_text="Base64 Ed25519 signature of the payload's canonical bytes: "
        'json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False) '
        "as UTF-8."
    )


class PublicKeySerializer(serializers.Serializer):
    kid = serializers.CharField()
    algorithm = serializers.CharField()
    public_key = serializers.CharField(help_text="The raw 32-byte key, base64.")
    pem = serializers.SerializerMethodField(help_text="The key as SubjectPublicKeyInfo PEM.")
    created_at = serializers.DateTimeField()
    current = serializers.BooleanField(source="is_current", help_text="Signs new files.")
    retired_at = serializers.DateTimeField(allow_null=True)

    def get_pem(self, key) -> str:
        return public_key_pem(key.public_key)


class PublicKeySetSerializer(serializers.Serializer):
    current_kid = serializers.CharField()
    keys = PublicKeySerializer(many=True)


class ActivationSerializer(serializers.ModelSerializer):
    kid = serializers.CharField(source="signing_key.kid")
    licence = serializers.UUIDField(source="licence_id")

    class Meta:
        model = Activation
        fields = [
            "id",
            "licence",
            "fingerprint",
            "hostname",
            "activated_at",
            "last_issued_at",
            "kid",
            "deactivated_at",
            "deactivated_by",
        ]
        read_only_fields = fields


# --- Views ----------------------------------------------------------------------------


class PublicKeyView(APIView):
    """The keys that verify licence files. No login."""

    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = [PublicKeyRateThrottle]

    @extend_schema(
        summary="The public keys that verify licence files",
        description="Every key that ever signed a licence file, the current one first; a "
        "file names the key that signed it in `kid`.",
        responses={200: PublicKeySetSerializer, **ERROR_RESPONSES(429)},
        auth=[],
    )
    def get(self, request):
        with system_context(CONTEXT):  # the first key is made on first use
            current = signing_key_current()
            keys = list(published_signing_keys())
        body = {"current_kid": current.kid, "keys": keys}
        response = Response(PublicKeySetSerializer(body).data)
        # The same bytes for everyone; short, so that a rotation is seen within minutes.
        response["Cache-Control"] = "public, max-age=300"
        return response


class ActivationsView(APIView):
    """Activate a licence key on a machine. No login: the key is the credential."""

    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = [ActivationRateThrottle]

    @extend_schema(
        summary="Activate a licence key on a machine and get the signed licence file",
        description="201 for a new activation; 200 when this machine (fingerprint) was "
        "already activated: the same activation, with a freshly signed file. 400 with "
        "`fields.key` for a key that opens no licence; 409 for a licence that is not "
        "active (`licence_expired`, `licence_cancelled`, `licence_not_redeemed`, "
        "`licence_not_started`) or already on as many machines as it allows "
        "(`machine_limit`).",
        request=ActivateSerializer,
        responses={
            201: LicenceFileSerializer,
            200: OpenApiResponse(LicenceFileSerializer, description="Issued again."),
            **ERROR_RESPONSES(400, 409, 429),
        },
        auth=[],
    )
    def post(self, request):
        serializer = ActivateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        issued = activation_activate(**serializer.validated_data)
        return never_cache_response(
            Response(issued.licence_file, status=201 if issued.created else 200)
        )


class ActivationDetailView(APIView):
    """Deactivate: the appliance frees its machine, with the licence key in a header."""

    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = [ActivationRateThrottle]

    @extend_schema(
        summary="Deactivate a machine (the appliance, with its licence key)",
        description=f"Send the licence key in the `{KEY_HEADER}` header. An activation that "
        "does not exist and one of another key are the same 404. Deactivating again "
        "answers 204 too.",
        parameters=[
            OpenApiParameter(
                KEY_HEADER,
                str,
                OpenApiParameter.HEADER,
                required=True,
                description="The licence key the machine was activated with.",
            )
        ],
        responses={204: None, **ERROR_RESPONSES(400, 404, 429)},
        auth=[],
    )
    def delete(self, request, activation_id):
        key = request.headers.get(KEY_HEADER, "").strip()
        if not key:
            raise DomainError(
                f"Send the licence key in the {KEY_HEADER} header.",
                field=KEY_HEADER,
                code="key_required",
            )
        activation_deactivate(activation_id=activation_id, key=key[:64])
        return Response(status=204)


class ActivationReleaseViewSet(TenantViewSet):
    """The owning partner frees a machine (one that cannot deactivate itself)."""

    tenant_queryset = Activation.objects.all()
    serializer_class = ActivationSerializer
    roles_by_action = {"*": roles.MANAGE_LICENCES}

    def refine_queryset(self, queryset):
        return queryset.select_related("signing_key")

    @extend_schema(
        summary="Release a machine from one of your licences",
        description="For a machine that can no longer deactivate itself: its place is "
        "free for another activation. A distributor cannot release its resellers' machines.",
        request=None,
        responses={200: ActivationSerializer, **ERROR_RESPONSES(403, 404, 409)},
    )
    def release(self, request, id):
        activation = activation_release(actor=request.user, activation=self.get_object())
        return Response(ActivationSerializer(activation).data)


def never_cache_response(response):
    """The file names the licensee: no shared or browser cache keeps it."""
    response["Cache-Control"] = "no-store, private"
    return response


urlpatterns = [
    path("licensing/public-key", PublicKeyView.as_view(), name="licensing-public-key"),
    path("activations", ActivationsView.as_view(), name="activations"),
    path(
        "activations/<uuid:activation_id>",
        ActivationDetailView.as_view(),
        name="activation-detail",
    ),
    path(
        "activations/<uuid:id>/release",
        ActivationReleaseViewSet.as_view({"post": "release"}),
        name="activation-release",
    ),
]
