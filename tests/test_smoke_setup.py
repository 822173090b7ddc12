from people.models import User


def test_personas_build(participant, administrator, other_trust_lead):
    assert User.objects.count() == 3
    assert participant.is_clinical
    assert not administrator.is_clinical
