"""`manage.py bench_http`: its ratios are only reported as results when the load came from
wrk; the Python fallback client is slower than the server, so its figures are marked
client-bound and given without ratios. (The full run starts gunicorn: `make bench`.)"""

import shutil
from io import StringIO

import pytest
from django.core.management import CommandError

from bench.management.commands import bench_http

RESULTS = {
    "uncached": {"hello": 1100.0, "home": 90.0, "programme": 80.0},
    "cached": {"hello": 1100.0, "home": 1050.0, "programme": 1040.0},
}


def report(tool):
    command = bench_http.Command(stdout=StringIO())
    command.report(RESULTS, tool=tool, workers=2, connections=8, db="sqlite:///x")
    return command.stdout.getvalue()


def test_wrk_figures_are_reported_with_ratios_of_hello():
    out = report("wrk")
    assert "load: wrk" in out
    assert "x hello" in out
    assert "0.082" in out  # home uncached: 90 / 1100
    assert "client-bound" not in out


def test_python_client_figures_are_client_bound_and_have_no_ratios():
    out = report("python")
    assert "measure the client, not Tandem" in out
    assert "client-bound req/s" in out
    assert "x hello" not in out
    assert "0.082" not in out and "0.955" not in out


def test_wrk_is_used_whenever_it_is_installed(monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name: f"/usr/bin/{name}")
    assert bench_http.load_tool("auto") == "wrk"
    monkeypatch.setattr(shutil, "which", lambda name: None)
    assert bench_http.load_tool("auto") == "python"
    with pytest.raises(CommandError, match="apt-get install wrk"):
        bench_http.load_tool("wrk")
