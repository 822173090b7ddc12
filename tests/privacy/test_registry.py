"""Personal data sources: each app registers its own; exports say only what is the person's."""

import pytest
from django.core.exceptions import ImproperlyConfigured

import audit
from privacy import registry
from privacy.audit_data import export_audit_events
from privacy.people_data import export_profile, export_roles
from tests.factories import ClinicianFactory

pytestmark = pytest.mark.django_db


def test_each_app_registers_its_sources_through_autodiscovery():
    names = [source.name for source in registry.sources()]
    assert len(names) == len(set(names))
    assert set(names) >= {
        # people and accounts (declared in privacy, since they import no feature app)
        "profile",
        "role_history",
        "roles",
        "email_addresses",
        "two_factor",
        "invitations",
        # audit and privacy themselves
        "audit_events",
        "subject_access_requests",
    }


def test_duplicate_or_unsafe_names_are_refused():
    with pytest.raises(ImproperlyConfigured):
        registry.register_source("profile", label="Again", exporter=lambda person: [])
    with pytest.raises(ImproperlyConfigured):
        registry.register_source("../etc", label="Bad", exporter=lambda person: [])


def test_the_profile_export_has_no_password_hash(participant):
    row = export_profile(participant)[0]
    assert not any("password" in key for key in row)
    assert participant.password not in row.values()
    assert row["trust_ods_code"] == "RNS"


def test_roles_export_lists_group_names(participant):
    assert export_roles(participant) == [{"role": "Participants"}]


def test_the_audit_export_does_not_name_other_people(trust_a, administrator):
    # No roles, so building them records nothing: the three events below are all there is.
    participant = ClinicianFactory(trust=trust_a)
    stranger = ClinicianFactory(first_name="Zed", last_name="Stranger")
    audit.record(action="viewed", actor=administrator, target=participant)
    audit.record(action="viewed", actor=participant, target=participant)
    audit.record(action="viewed", actor=participant, target=stranger)  # if they were staff

    rows = export_audit_events(participant)
    assert [row["by"] for row in rows] == ["Tandem staff", "you", "you"]
    assert rows[0]["record"] == str(participant)
    assert rows[2]["record"] == "another person's record"
    flat = str(rows)
    assert administrator.email not in flat
    assert "Stranger" not in flat
