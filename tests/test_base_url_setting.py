"""BASE_URL: one public address for every emailed link, validated at start-up."""

from tests.test_settings import GOOD_SECRET, manage

PRINT = "from django.conf import settings; print(settings.BASE_URL, settings.WAGTAILADMIN_BASE_URL)"


def test_the_default_is_what_make_run_serves_and_wagtail_follows_it():
    result = manage("shell", "-c", PRINT, TANDEM_PORT="8123")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-2:] == ["http://127.0.0.1:8123", "http://127.0.0.1:8123"]
    result = manage("shell", "-c", PRINT, BASE_URL="https://tandem.example.nhs.uk/")
    assert result.stdout.split()[-2:] == [
        "https://tandem.example.nhs.uk",
        "https://tandem.example.nhs.uk",
    ]


def test_an_address_with_a_path_or_another_scheme_is_refused():
    for bad in ("https://tandem.example.nhs.uk/tandem", "ftp://tandem.example", "tandem.example"):
        result = manage("check", BASE_URL=bad)
        assert result.returncode != 0, bad
        assert "BASE_URL must be an http:// or https:// address with no path" in result.stderr


def test_production_requires_it():
    result = manage(
        "check",
        DJANGO_SETTINGS_MODULE="config.settings.production",
        SECRET_KEY=GOOD_SECRET,
        BASE_URL="",
    )
    assert result.returncode != 0
    assert "BASE_URL must be set in production" in result.stderr
