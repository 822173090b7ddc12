"""Issue 14 §7: one function does suppression and every output uses it. So no module of
reports/ but reports/disclosure.py may decide for itself what is too small to show: none
reads the threshold setting, compares a count with the threshold, or defines a suppressing
function of its own. (Reading ``threshold()`` to print it in a sentence is allowed; comparing
with it is not.) The checker is run against a module that does suppress for itself, so the
test can be seen to fail."""

from __future__ import annotations

import ast
from pathlib import Path

REPORTS = Path(__file__).resolve().parents[2] / "reports"
ALLOWED = {"disclosure.py"}
OWN_SUPPRESSION_NAMES = {"threshold", "suppress", "is_suppressed", "small_text", "too_few"}


def _calls_threshold(node: ast.AST) -> bool:
    """A call of threshold() (bare, or as disclosure.threshold())."""
    if not isinstance(node, ast.Call):
        return False
    func = node.func
    name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
    return name == "threshold"


def own_suppression(source: str) -> list[str]:
    """What in ``source`` decides suppression outside reports.disclosure, as readable lines."""
    tree = ast.parse(source)
    found = []
    # Names bound to the threshold: `limit = threshold()`, `limit = settings.REPORTS_…`.
    bound = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute | ast.Name | ast.Constant):
            text = getattr(node, "attr", None) or getattr(node, "id", None) or node_value(node)
            if text == "REPORTS_SUPPRESSION_THRESHOLD":
                found.append(f"line {node.lineno}: reads REPORTS_SUPPRESSION_THRESHOLD")
        if isinstance(node, ast.Assign) and _calls_threshold(node.value):
            bound |= {t.id for t in node.targets if isinstance(t, ast.Name)}
        is_function = isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        if is_function and node.name in OWN_SUPPRESSION_NAMES:
            found.append(f"line {node.lineno}: defines {node.name}()")
    for node in ast.walk(tree):
        if isinstance(node, ast.Compare):
            operands = [node.left, *node.comparators]
            if any(
                _calls_threshold(o) or (isinstance(o, ast.Name) and o.id in bound) for o in operands
            ):
                found.append(f"line {node.lineno}: compares with the threshold")
    return found


def node_value(node):
    value = getattr(node, "value", None)
    return value if isinstance(value, str) else None


def test_no_module_of_reports_suppresses_for_itself():
    modules = sorted(p for p in REPORTS.rglob("*.py") if p.name not in ALLOWED)
    assert len(modules) > 5  # the directory was found
    found = {
        str(path.relative_to(REPORTS.parent)): hits
        for path in modules
        if (hits := own_suppression(path.read_text()))
    }
    assert found == {}, (
        "Suppress through reports.disclosure (disclose, disclose_one, percentage, hide_if, "
        f"too_few), not in the module itself: {found}"
    )


def test_the_checker_finds_a_module_that_suppresses_for_itself():
    # The effect estimate's own rules, before it used reports.disclosure.
    own = """
from django.conf import settings

def threshold():
    return getattr(settings, "REPORTS_SUPPRESSION_THRESHOLD", 5)

def show(count):
    limit = threshold()
    return f"<{limit}" if 0 < count < limit else count

def big_enough(size):
    return size >= threshold()
"""
    hits = own_suppression(own)
    assert any("reads REPORTS_SUPPRESSION_THRESHOLD" in hit for hit in hits)
    assert any("defines threshold()" in hit for hit in hits)
    assert sum("compares with the threshold" in hit for hit in hits) == 2
    # Printing the threshold in a sentence is not suppressing.
    assert own_suppression('from .disclosure import threshold\nWORDS = f"{threshold()}"\n') == []
    # And reports.disclosure itself is where it is done.
    assert own_suppression((REPORTS / "disclosure.py").read_text())
