"""What the API shows of each resource: the fields a trust's system or a phone app needs,
never more (no reflections, no secrets). Read-only serializers unless a resource is written."""

from rest_framework import serializers

from programmes.models import Cohort, Programme


class ProgrammeSerializer(serializers.ModelSerializer):
    class Meta:
        model = Programme
        fields = [
            "id",
            "title",
            "slug",
            "cpd_hours",
            "min_attendance_percent",
            "excused_counts_as_attended",
            "min_modules_completed",
        ]
        read_only_fields = fields


class CohortSerializer(serializers.ModelSerializer):
    host_trust = serializers.SlugRelatedField(slug_field="ods_code", read_only=True)

    class Meta:
        model = Cohort
        fields = [
            "id",
            "programme",
            "name",
            "host_trust",
            "starts_on",
            "ends_on",
            "enrolment_opens_at",
            "enrolment_closes_at",
            "capacity",
            "status",
        ]
        read_only_fields = fields
