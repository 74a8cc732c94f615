"""API routes: the caller's own profile, and the public partner directory (SPEC §3.8)."""

from django.urls import path
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from partners import roles
from partners.selectors.directory import (
    DIRECTORY_PAGE_SIZE,
    DirectoryFilterSet,
    directory_entries,
    directory_entry,
    directory_logo_url,
    profile_for_organisation,
    profile_is_listed,
    profile_listing_problems,
)
from partners.services.profile import EDITABLE_FIELDS, profile_update, word_count
from portal.api.fields import InputSerializerMixin
from portal.api.pagination import PageNumberPagination
from portal.api.parsers import JSONParser
from portal.api.permissions import IsPartnerMember
from portal.api.schema import ERROR_RESPONSES

# --- Serializers: the public shape is spelled out field by field, never "__all__". ----


class _PublicPartnerTypeSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class _PublicTierSerializer(serializers.Serializer):
    level = serializers.IntegerField(help_text="1 is the entry tier; higher is better.")
    name = serializers.CharField()
    label = serializers.CharField(help_text='As shown to people: "Tier 1 · Registered".')


def _absolute(request, url: str | None) -> str | None:
    return request.build_absolute_uri(url) if url and request is not None else url


class DirectoryEntrySerializer(serializers.Serializer):
    """What the public may know of a listed partner, and nothing else."""

    id = serializers.UUIDField(source="organisation_id")
    display_name = serializers.CharField()
    description = serializers.CharField()
    city = serializers.CharField()
    region = serializers.CharField()
    country = serializers.CharField(source="country.code")
    country_name = serializers.CharField(source="country.name")
    website = serializers.CharField()
    logo_url = serializers.SerializerMethodField()
    partner_type = _PublicPartnerTypeSerializer(source="organisation.partner_type")
    tier = _PublicTierSerializer(source="organisation.tier", allow_null=True)
    territory = serializers.CharField()

    def get_logo_url(self, profile) -> str | None:
        return _absolute(self.context.get("request"), directory_logo_url(profile=profile))


class _OwnOrganisationSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField()


class ProfileSerializer(serializers.Serializer):
    """The caller's own profile, as they edit it."""

    organisation = _OwnOrganisationSerializer()
    listed = serializers.SerializerMethodField(
        help_text="Whether the public locator shows this profile."
    )
    listing_problems = serializers.SerializerMethodField(
        help_text="Why the locator does not show it (empty when it does)."
    )
    display_name = serializers.CharField()
    description = serializers.CharField()
    description_words = serializers.SerializerMethodField()
    city = serializers.CharField()
    region = serializers.CharField()
    country = serializers.CharField(source="country.code")
    country_name = serializers.CharField(source="country.name")
    website = serializers.CharField()
    territory = serializers.CharField()
    logo_url = serializers.SerializerMethodField(
        help_text="The logo as the locator serves it; null without a logo or when unlisted."
    )
    logo_width = serializers.IntegerField(allow_null=True)
    logo_height = serializers.IntegerField(allow_null=True)
    updated_at = serializers.DateTimeField(allow_null=True)

    def get_listed(self, profile) -> bool:
        if not hasattr(profile, "_listed"):  # asked twice (logo_url): one query
            profile._listed = not profile._state.adding and profile_is_listed(
                organisation=profile.organisation
            )
        return profile._listed

    def get_listing_problems(self, profile) -> list[str]:
        return [] if self.get_listed(profile) else profile_listing_problems(profile=profile)

    def get_description_words(self, profile) -> int:
        return word_count(profile.description)

    def get_logo_url(self, profile) -> str | None:
        if not self.get_listed(profile):
            return None
        return _absolute(self.context.get("request"), directory_logo_url(profile=profile))


class ProfileUpdateSerializer(InputSerializerMixin, serializers.Serializer):
    """Parses the request only; every rule is the service's (partners.services.profile)."""

    display_name = serializers.CharField(required=False, allow_blank=True, allow_null=True)
    description = serializers.CharField(required=False, allow_blank=True, allow_null=True)
    city = serializers.CharField(required=False, allow_blank=True, allow_null=True)
    region = serializers.CharField(required=False, allow_blank=True, allow_null=True)
    country = serializers.CharField(
        required=False, allow_blank=True, allow_null=True, help_text="ISO 3166 code, e.g. DE."
    )
    website = serializers.CharField(required=False, allow_blank=True, allow_null=True)
    territory = serializers.CharField(required=False, allow_blank=True, allow_null=True)
    logo = serializers.FileField(
        required=False,
        help_text=(
            "PNG or JPEG, at least 200 px wide, at most 10,000 px wide and high and 2 MB "
            "(multipart)."
        ),
    )

    def to_internal_value(self, data):
        unknown = sorted(set(data) - {*EDITABLE_FIELDS, "logo"}) if hasattr(data, "keys") else []
        if unknown:
            raise serializers.ValidationError(
                {name: ["Unknown field; it cannot be changed here."] for name in unknown}
            )
        return super().to_internal_value(data)

    def validate(self, attrs):
        # An empty PATCH (no field, no file) is a client's mistake, not a no-op to confirm.
        if not attrs:
            raise serializers.ValidationError("Send at least one field to change.")
        return attrs


# --- The caller's own profile --------------------------------------------------------


class ProfileView(APIView):
    """The caller's organisation's locator profile. Every member may read it; admins
    change it with PATCH (JSON, or multipart with a ``logo`` file)."""

    permission_classes = [IsPartnerMember]
    roles_by_action = {"patch": roles.EDIT_PROFILE, "*": roles.ALL}
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @extend_schema(
        summary="The organisation's locator profile",
        responses={200: ProfileSerializer, **ERROR_RESPONSES(401, 403)},
    )
    def get(self, request):
        organisation = request._request.caller.organisation
        profile = profile_for_organisation(organisation=organisation)
        return Response(ProfileSerializer(profile, context={"request": request}).data)

    @extend_schema(
        summary="Change the locator profile (administrators)",
        request={
            "application/json": ProfileUpdateSerializer,
            "multipart/form-data": ProfileUpdateSerializer,
        },
        responses={200: ProfileSerializer, **ERROR_RESPONSES(400, 401, 403)},
    )
    def patch(self, request):
        organisation = request._request.caller.organisation
        serializer = ProfileUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        logo = data.pop("logo", None)
        profile = profile_update(
            organisation=organisation, actor=request.user, data=data, logo=logo
        )
        return Response(ProfileSerializer(profile, context={"request": request}).data)


# --- The public directory ------------------------------------------------------------


class DirectoryPagination(PageNumberPagination):
    page_size = DIRECTORY_PAGE_SIZE


class _PublicDirectoryView:
    """No login, no tenant: the reads cross tenants inside a named system context and are
    evaluated (serialized) before it ends."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    serializer_class = DirectoryEntrySerializer

    def get_queryset(self):
        return directory_entries()


class DirectoryListView(_PublicDirectoryView, generics.ListAPIView):
    """Listed partners: search by name, filter by country, partner type and tier."""

    pagination_class = DirectoryPagination
    filter_backends = [DjangoFilterBackend]
    filterset_class = DirectoryFilterSet

    @extend_schema(
        summary="Search listed partners",
        auth=[],
        responses={200: DirectoryEntrySerializer, **ERROR_RESPONSES(400, 404)},
    )
    def get(self, request, *args, **kwargs):
        return self.list(request, *args, **kwargs)


class DirectoryDetailView(_PublicDirectoryView, APIView):
    """One listed partner; pending, suspended and unlisted partners are not found."""

    @extend_schema(
        summary="One listed partner",
        auth=[],
        responses={200: DirectoryEntrySerializer, **ERROR_RESPONSES(404)},
    )
    def get(self, request, id):
        profile = directory_entry(organisation_id=id)
        data = DirectoryEntrySerializer(profile, context={"request": request}).data
        return Response(data)


urlpatterns = [
    path("profile", ProfileView.as_view(), name="profile"),
    path("directory", DirectoryListView.as_view(), name="directory-list"),
    path("directory/<uuid:id>", DirectoryDetailView.as_view(), name="directory-detail"),
]
