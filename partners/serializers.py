from rest_framework import serializers

from partners.models import Agreement, Organisation, PartnerApplication, PartnerType, Tier
from portal.api.fields import CountryCodeField, InputSerializerMixin


class PartnerTypeSerializer(serializers.ModelSerializer):
    class Meta:
        model = PartnerType
        fields = ["code", "name"]


class TierSerializer(serializers.ModelSerializer):
    class Meta:
        model = Tier
        fields = ["level", "name"]


class OrganisationSummarySerializer(serializers.ModelSerializer):
    country = serializers.CharField(source="country.code")
    partner_type = PartnerTypeSerializer()
    tier = TierSerializer(allow_null=True)

    class Meta:
        model = Organisation
        fields = ["id", "name", "country", "status", "partner_type", "tier"]


class MeUserSerializer(serializers.Serializer):
    email = serializers.EmailField()
    full_name = serializers.CharField()
    is_staff = serializers.BooleanField()


class MeSerializer(serializers.Serializer):
    user = MeUserSerializer()
    organisation = OrganisationSummarySerializer(allow_null=True)
    role = serializers.CharField(allow_null=True)


class ApplicationSubmitSerializer(InputSerializerMixin, serializers.ModelSerializer):
    """The public application (SPEC §3.8). Field names are an interface: extend, never
    rename. ``partner_type`` is a type code such as "reseller" or "distributor".

    Built from the model, so every length is the column's (a 300-character email reached
    PostgreSQL and answered 500); only the stricter limits are stated here."""

    country = CountryCodeField(help_text="Two-letter ISO 3166 code, such as DE.")
    partner_type = serializers.SlugField(max_length=40)
    fax = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        write_only=True,
        help_text="Leave empty (a field for bots).",
    )

    class Meta:
        model = PartnerApplication
        fields = [
            "company_name",
            "country",
            "region",
            "website",
            "years_in_operation",
            "partner_type",
            "contact_name",
            "contact_email",
            "expectations",
            "customer_to_resell_to",
            "fax",
        ]
        extra_kwargs = {
            "region": {"default": ""},
            "years_in_operation": {"min_value": 0, "max_value": 300},
            "expectations": {"max_length": 4000},
            "customer_to_resell_to": {"default": ""},
        }


class ApplicationReceiptSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    status = serializers.CharField()
    submitted_at = serializers.DateTimeField()


class ApplicationCheckSerializer(serializers.Serializer):
    label = serializers.CharField()
    passed = serializers.BooleanField()
    detail = serializers.CharField()


class StaffApplicationSerializer(serializers.ModelSerializer):
    country = serializers.CharField(source="country.code")
    partner_type = PartnerTypeSerializer()
    programme = serializers.CharField(source="programme.code")
    organisation = serializers.UUIDField(source="organisation_id", allow_null=True)
    checks = serializers.SerializerMethodField()
    age_days = serializers.SerializerMethodField()
    late = serializers.SerializerMethodField()

    class Meta:
        model = PartnerApplication
        fields = [
            "id",
            "status",
            "programme",
            "company_name",
            "country",
            "region",
            "website",
            "years_in_operation",
            "partner_type",
            "contact_name",
            "contact_email",
            "expectations",
            "customer_to_resell_to",
            "submitted_at",
            "info_request",
            "applicant_reply",
            "rejection_reason",
            "decided_at",
            "organisation",
            "checks",
            "age_days",
            "late",
        ]

    def get_checks(self, application) -> list[dict]:
        from partners.selectors.applications import application_checks

        checks = application_checks(application=application)
        return ApplicationCheckSerializer(checks, many=True).data

    def _age(self, application):
        from partners.selectors.applications import application_age

        return application_age(application=application)

    def get_age_days(self, application) -> float:
        return round(self._age(application)[0].total_seconds() / 86400, 1)

    def get_late(self, application) -> bool:
        return self._age(application)[1]


class MessageSerializer(InputSerializerMixin, serializers.Serializer):
    message = serializers.CharField(max_length=4000)


class AgreementSerializer(serializers.ModelSerializer):
    organisation = serializers.UUIDField(source="organisation_id")
    organisation_name = serializers.CharField(source="organisation.name")
    organisation_status = serializers.CharField(source="organisation.status")
    agreement_url = serializers.SerializerMethodField()
    order_form_url = serializers.SerializerMethodField()
    accepted_by = serializers.EmailField(source="accepted_by.email", allow_null=True, default=None)

    class Meta:
        model = Agreement
        fields = [
            "id",
            "version",
            "pdf_status",
            "agreement_url",
            "order_form_url",
            "agreement_sha256",
            "order_form_sha256",
            "accepted_at",
            "accepted_by",
            "accepted_name",
            "organisation",
            "organisation_name",
            "organisation_status",
        ]

    def _url(self, agreement, kind) -> str | None:
        from django.urls import reverse

        if agreement.pdf_status != Agreement.PdfStatus.READY:
            return None
        url = reverse("partners:agreement_document", args=[agreement.pk, kind])
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request else url

    def get_agreement_url(self, agreement) -> str | None:
        return self._url(agreement, "agreement")

    def get_order_form_url(self, agreement) -> str | None:
        return self._url(agreement, "order-form")


class SignSerializer(InputSerializerMixin, serializers.Serializer):
    name = serializers.CharField(max_length=150)
    accept = serializers.BooleanField()

    def validate_accept(self, value):
        if not value:
            raise serializers.ValidationError("You must accept the agreement to sign it.")
        return value
