from rest_framework import serializers

from partners.models import Organisation, PartnerType, Tier


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
