"""Conventions that keep the code base readable, checked rather than hoped for."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APPS = [
    "people",
    "accounts",
    "core",
    "programmes",
    "pairing",
    "cms",
    "certificates",
    "audit",
    "privacy",
    "coffee",
    "outcomes",
    "reports",
    "api",
]
FEATURE_APPS = {
    "programmes",
    "pairing",
    "cms",
    "certificates",
    "audit",
    "privacy",
    "core",
    "coffee",
    "outcomes",
    "reports",
    "api",
}


def python_files(app):
    return [p for p in (ROOT / app).rglob("*.py") if "migrations" not in p.parts]


def imported_top_levels(path: Path) -> set[str]:
    return {module.split(".")[0] for module in imported_modules(path)}


def imported_modules(path: Path) -> set[str]:
    """Every absolute module path ``path`` imports, wherever the import statement is: module
    level, inside a function (a lazy import is still a dependency) or under TYPE_CHECKING.
    ``from x import y`` counts as both ``x`` and ``x.y`` (y may be a module)."""
    tree = ast.parse(path.read_text())
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


# --- The allowed-dependency matrix ------------------------------------------------------------
#
# Each app may import only the apps listed for it (and itself): each layer looks down, never up
# or sideways (STYLE.md, "Which way dependencies point"). Every app may also import `config`
# (settings, the Celery app) but not `config.urls`, which sits on top and wires every app's
# URLs. `demo` and `bench` are dev-only: they may import anything and nothing may import them.
# A new app must be added here before its first import passes: the matrix is the decision.

LAYERS = {
    "outbox": set(),
    "people": {"outbox"},
    "accounts": {"people", "outbox"},
    "audit": {"people", "accounts"},
    "privacy": {"people", "accounts", "audit", "outbox"},
    "core": {"people", "accounts", "audit", "outbox"},
    "programmes": {"people", "accounts", "audit", "privacy", "outbox", "core"},
}
LAYERS["pairing"] = {"programmes", *LAYERS["programmes"]}
LAYERS["cms"] = {"programmes", *LAYERS["programmes"]}
# certificates read the CMS for the leadership dimensions a programme's modules develop.
LAYERS["certificates"] = {"programmes", "cms", *LAYERS["programmes"]}
# Tandem coffee stands beside programmes, not on it: it reads people and trusts only.
LAYERS["coffee"] = {"people", "accounts", "audit", "privacy", "outbox", "core"}
# outcomes (self-assessment, follow-up surveys) consumes programmes' events; nothing imports it.
LAYERS["outcomes"] = {"programmes", *LAYERS["programmes"]}
# reports compose every app's figures (read through their selectors and querysets); nothing
# but config.urls imports reports.
LAYERS["reports"] = {
    "certificates",
    "cms",
    "pairing",
    "coffee",
    "outcomes",
    *LAYERS["certificates"],
}
# The REST API serves every app's data through their selectors, services and the permissions
# module; it sits on top with reports, and nothing but config.urls imports it.
LAYERS["api"] = {"reports", *LAYERS["reports"]}
DEV_ONLY = {"demo", "bench"}
# config's own modules (settings, celery, wsgi, asgi) name apps only as strings; config.urls
# is exempt: it is the one place that imports every app's views.
CONFIG_EXEMPT = {"config.urls"}

PROJECT_PACKAGES = {*LAYERS, *DEV_ONLY, "config"}


def project_apps() -> set[str]:
    """The folders beside manage.py that are Django apps (they have an apps.py)."""
    return {path.parent.name for path in ROOT.glob("*/apps.py")}


def existing(packages) -> list[str]:
    # outbox (and later apps) may not exist yet on this branch: check what is there.
    return sorted(p for p in packages if (ROOT / p).is_dir())


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def app_imports(package: str) -> dict[str, set[str]]:
    """{module: the project modules it imports, outside its own package}."""
    imports = {}
    for path in python_files(package):
        imported = {
            name
            for name in imported_modules(path)
            if name.split(".")[0] in PROJECT_PACKAGES and name.split(".")[0] != package
        }
        imports[module_name(path)] = imported
    return imports


def verdict(package: str, module: str, name: str) -> str | None:
    """Why ``module`` (of ``package``) may not import ``name``; None if it may."""
    target = name.split(".")[0]
    if target in DEV_ONLY and package not in DEV_ONLY:
        return "dev-only: nothing imports it"
    if package in DEV_ONLY or module in CONFIG_EXEMPT:
        return None
    if target == "config":
        if name == "config.urls" or name.startswith("config.urls."):
            return "config.urls sits on top"
        return None
    if package == "config":
        return "config names apps as strings"
    allowed = LAYERS.get(package)
    if allowed is None:
        return f"{package} is not in the matrix (LAYERS)"
    if target not in allowed:
        return f"{package} may import only {', '.join(sorted(allowed)) or 'config'}"
    return None


def violations(imports_by_package: dict[str, dict[str, set[str]]]) -> list[str]:
    """What breaks the matrix, as "module imports name (why)" lines; [] when nothing does."""
    found = []
    for package, modules in sorted(imports_by_package.items()):
        for module, imported in sorted(modules.items()):
            for name in sorted(imported):
                why = verdict(package, module, name)
                # `from x import y` also lists x.y: report x alone when it already fails.
                parents = (name.rsplit(".", n)[0] for n in range(1, name.count(".") + 1))
                if why and not any(
                    parent in imported and verdict(package, module, parent) for parent in parents
                ):
                    found.append(f"{module} imports {name} ({why})")
    return found


def app_graph() -> dict[str, set[str]]:
    """{app: apps it imports}, from the code as it stands."""
    graph = {}
    for package in existing(PROJECT_PACKAGES):
        imported = set().union(*app_imports(package).values())
        graph[package] = {name.split(".")[0] for name in imported}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one node (Tarjan), each sorted."""
    index, low, stack, on_stack, groups = {}, {}, [], set(), []

    def visit(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for other in graph.get(node, ()):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1 or node in graph.get(node, ()):
                groups.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(groups)


def test_every_app_has_a_place_in_the_matrix():
    assert project_apps() - PROJECT_PACKAGES == set()


def test_the_matrix_itself_points_one_way():
    assert cycles(LAYERS) == []
    for package, allowed in LAYERS.items():
        assert allowed <= set(LAYERS), package


def test_every_app_imports_only_what_lies_below_it():
    """The full matrix, lazy imports inside functions included (see LAYERS)."""
    imports = {package: app_imports(package) for package in existing(PROJECT_PACKAGES)}
    assert violations(imports) == []


def test_no_import_cycles_between_apps():
    graph = app_graph()
    # config.urls imports every app's views by design; its edges would make every app that
    # imports config.settings part of a "cycle" that is not one.
    graph["config"] = {
        name.split(".")[0]
        for module, imported in app_imports("config").items()
        if module not in CONFIG_EXEMPT
        for name in imported
    }
    assert cycles(graph) == []


def test_the_checks_can_fail():
    """The checker itself catches what it is for: an upward import, a sideways one, a cycle,
    config.urls, a dev-only app, an app missing from the matrix."""
    bad = {
        "people": {"people.models": {"cms.models"}},
        "audit": {"audit.views": {"privacy.registry"}},
        "core": {"core.views": {"config.urls"}},
        "cms": {"cms.views": {"demo.run", "config.settings"}},
        "newapp": {"newapp.views": {"people.models"}},
        "pairing": {"pairing.views": {"reports.selectors"}},  # nothing imports reports
    }
    found = violations(bad)
    assert any("people.models imports cms.models" in line for line in found)
    assert any("audit.views imports privacy.registry" in line for line in found)
    assert any("core.views imports config.urls" in line for line in found)
    assert any("cms.views imports demo.run" in line for line in found)
    assert not any("config.settings" in line for line in found)
    assert any("newapp is not in the matrix" in line for line in found)
    assert any("pairing.views imports reports.selectors" in line for line in found)
    assert cycles({"audit": {"privacy"}, "privacy": {"audit"}, "people": set()}) == [
        ["audit", "privacy"]
    ]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_production_code_never_imports_django_test():
    """django.test (the test client, override_settings, captured queries) is for tests and
    the dev-only benchmarks; production code that imported it would load test machinery."""
    offenders = sorted(
        f"{path.relative_to(ROOT)}: {name}"
        for package in existing(PROJECT_PACKAGES - DEV_ONLY)
        for path in python_files(package)
        for name in imported_modules(path)
        if name == "django.test" or name.startswith("django.test.")
    )
    assert offenders == []


def test_the_foundation_imports_no_feature_app():
    """people and accounts are what every app stands on (STYLE.md): they import no feature
    app; feature apps reach them through hooks, registries and selectors instead."""
    offenders = {
        str(path.relative_to(ROOT)): sorted(imported_top_levels(path) & FEATURE_APPS)
        for app in ("people", "accounts")
        for path in python_files(app)
        if imported_top_levels(path) & FEATURE_APPS
    }
    assert offenders == {}
