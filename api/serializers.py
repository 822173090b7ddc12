"""What the API shows of each resource: the fields a trust's system or a phone app needs,
never more (no reflections, no secrets). Read-only serializers unless a resource is written."""

from collections import Counter

from rest_framework import serializers

from certificates.models import Certificate
from pairing.models import Pairing, ShadowingVisit
from people.models import RoleAppointment
from programmes.models import Attendance, Cohort, Enrolment, Mark, Programme, Session


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


class StrictSerializer(serializers.Serializer):
    """Input that names a field we do not know is refused, not silently ignored: a client
    that misspells ``note`` as ``notes`` should hear of it."""

    def to_internal_value(self, data):
        if isinstance(data, dict):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError(
                    {name: ["Unknown field: leave it out."] for name in unknown}
                )
        return super().to_internal_value(data)


class SessionSerializer(serializers.ModelSerializer):
    # Not the check-in code: it is for the room, and would let anyone check in from afar.
    online_url = serializers.CharField(
        read_only=True, help_text="The joining link of an online session; empty in person."
    )

    class Meta:
        model = Session
        fields = [
            "id", "cohort", "title", "kind", "starts_at", "ends_at", "place", "online_url",
            "status",
        ]  # fmt: skip
        read_only_fields = fields


class AttendanceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Attendance
        fields = [
            "id", "session", "enrolment", "mark", "note", "source", "marked_at",
            "checked_in_at",
        ]  # fmt: skip
        read_only_fields = fields


class MarkInput(StrictSerializer):
    enrolment = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    mark = serializers.ChoiceField(choices=Mark.choices)
    note = serializers.CharField(
        max_length=Attendance._meta.get_field("note").max_length,
        allow_blank=True,
        required=False,
        default="",
        trim_whitespace=True,
    )


class RegisterInput(StrictSerializer):
    marks = MarkInput(many=True, allow_empty=False, max_length=2000)

    def validate_marks(self, marks):
        counts = Counter(m["enrolment"] for m in marks)
        doubled = sorted(e for e, n in counts.items() if n > 1)
        if doubled:
            raise serializers.ValidationError(
                f"Each enrolment once only: {', '.join(map(str, doubled))} appear more than once."
            )
        return marks


class RegisterRow(serializers.Serializer):
    enrolment = serializers.IntegerField()
    person = serializers.CharField(help_text="Their name, as on the site's register.")
    professional_group = serializers.CharField()
    expected = serializers.BooleanField(
        help_text="False for someone who got their place after the session: leave unmarked."
    )
    mark = serializers.CharField(allow_blank=True)
    note = serializers.CharField(allow_blank=True)
    source = serializers.CharField(allow_blank=True)


class RegisterOutput(serializers.Serializer):
    session = serializers.IntegerField()
    created = serializers.IntegerField(required=False)
    changed = serializers.IntegerField(required=False)
    unchanged = serializers.IntegerField(required=False)
    rows = RegisterRow(many=True)


class EnrolmentSerializer(serializers.ModelSerializer):
    trust = serializers.SlugRelatedField(slug_field="ods_code", read_only=True)

    class Meta:
        model = Enrolment
        # Not goals, sponsor, or survey answers: those are the person's words, for the site.
        fields = [
            "id", "person", "cohort", "status", "trust", "professional_group", "created_at",
            "status_changed_at",
        ]  # fmt: skip
        read_only_fields = fields


class RoleAppointmentSerializer(serializers.ModelSerializer):
    trust = serializers.SlugRelatedField(slug_field="ods_code", read_only=True)
    staff_number = serializers.CharField(source="person.staff_number", read_only=True)

    class Meta:
        model = RoleAppointment
        fields = [
            "id", "person", "staff_number", "trust", "title", "category", "starts_on",
            "ends_on", "source",
        ]  # fmt: skip
        read_only_fields = fields


class PairingSerializer(serializers.ModelSerializer):
    # Not the goals they agreed: those are the pair's own words, for the site.
    class Meta:
        model = Pairing
        fields = [
            "id", "cohort", "scheme", "clinician", "manager", "status", "source",
            "meeting_frequency", "started_on", "ended_on",
        ]  # fmt: skip
        read_only_fields = fields


class ShadowingVisitSerializer(serializers.ModelSerializer):
    # Never the reflection (what was learned) or a query's reason: the pair's private words.
    class Meta:
        model = ShadowingVisit
        fields = ["id", "pairing", "shadower", "visited_on", "hours", "setting", "status"]
        read_only_fields = fields


class CertificateSerializer(serializers.ModelSerializer):
    code = serializers.CharField(source="printed_code", read_only=True)

    class Meta:
        model = Certificate
        fields = [
            "id", "code", "enrolment", "status", "participant_name", "programme_title",
            "cohort_name", "cohort_starts_on", "cohort_ends_on", "cpd_hours",
            "issuing_trust_name", "issued_on", "revoked_at", "sha256",
        ]  # fmt: skip
        read_only_fields = fields


class VerifiedCertificateSerializer(serializers.ModelSerializer):
    """What the public verification page shows, for machines: no ids."""

    code = serializers.CharField(source="printed_code", read_only=True)
    current_code = serializers.SerializerMethodField(
        help_text="For a superseded certificate: the code of the one that replaced it."
    )

    class Meta:
        model = Certificate
        fields = [
            "code", "status", "participant_name", "programme_title", "cohort_starts_on",
            "cohort_ends_on", "cpd_hours", "issuing_trust_name", "issued_on", "revoked_at",
            "revoked_reason", "sha256", "current_code",
        ]  # fmt: skip
        read_only_fields = fields

    def get_current_code(self, certificate) -> str | None:
        current = getattr(certificate, "current", None)
        return current.printed_code if current is not None else None
