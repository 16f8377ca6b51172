"""The layers hold: the intake app is the only writer of its rows, and imports between apps point one way (README.md,
"Project layout").

dashboard -> intake, alerts -> intake; intake never imports the apps above it (it announces events through
`intake.signals` instead), and inside alerts: services -> tasks -> delivery, no circle.
"""

from __future__ import annotations

import ast
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
APPS = ("accounts", "alerts", "audit", "clinic_portal", "dashboard", "education", "intake", "messaging", "outcomes")
# README.md, "Project layout", top to bottom: an app imports only apps below it (and clinic_portal's shared helpers).
LAYERS = ("dashboard", "outcomes", "alerts", "intake", "education", "accounts", "messaging", "audit")
# clinic_portal: the project (settings, URLs, middleware, error pages, log filters, the language switch's view, which
# answers a refused patient page again in the language chosen) imports the apps; these shared helpers, which the apps
# import, import none.
PROJECT_SHELL = frozenset(
    {"settings", "urls", "middleware", "errors", "log_filters", "language_choice", "pytest_plugin", "asgi", "wsgi"}
)
# Every model of intake/models.py (a test below checks the list is whole).
INTAKE_MODELS = frozenset(
    {
        "DeviceCode",
        "EarlierReminder",
        "FollowUp",
        "Intake",
        "IntakeFlag",
        "Invitation",
        "Patient",
        "RedFlagAnswer",
        "Reminder",
        "Retriage",
        "ReviewNote",
    }
)
WRITE_METHODS = frozenset(
    {"create", "bulk_create", "bulk_update", "get_or_create", "update_or_create", "update", "delete"}
)


def _modules(app: str) -> list[pathlib.Path]:
    return sorted(path for path in (ROOT / app).rglob("*.py") if "migrations" not in path.parts)


def _imported(path: pathlib.Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def _model_writes(source: str, label: str) -> list[str]:
    """`Model.objects...<write>(...)` chains on the intake models: `Intake.objects.filter(...).update(...)` etc."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        if node.func.attr not in WRITE_METHODS:
            continue
        chain = node.func.value
        while isinstance(chain, (ast.Call, ast.Attribute)):
            if isinstance(chain, ast.Attribute) and chain.attr == "objects" and isinstance(chain.value, ast.Name):
                if chain.value.id in INTAKE_MODELS:
                    found.append(f"{label}:{node.lineno} {chain.value.id}...{node.func.attr}()")
                break
            chain = chain.func if isinstance(chain, ast.Call) else chain.value
    return found


@pytest.mark.parametrize("app", [app for app in APPS if app != "intake"])
def test_no_app_but_intake_writes_invitation_intake_flag_or_review_rows(app):
    writes = [write for path in _modules(app) for write in _model_writes(path.read_text(), str(path))]
    assert writes == [], "write through intake.services instead:\n" + "\n".join(writes)


def test_inside_intake_only_the_services_package_writes_those_rows():
    writes = [
        write
        for path in _modules("intake")
        if "services" not in path.relative_to(ROOT).parts
        for write in _model_writes(path.read_text(), str(path))
    ]
    assert writes == [], "\n".join(writes)


def test_the_write_check_finds_writes_and_ignores_reads():
    source = (
        "Intake.objects.filter(pk=1).update(level=1)\n"
        "ReviewNote.objects.create(text='')\n"
        "Invitation.objects.select_for_update().get(pk=1)\n"
        "Article.objects.create()\n"
    )
    assert _model_writes(source, "sample") == ["sample:1 Intake...update()", "sample:2 ReviewNote...create()"]


def test_intake_imports_nothing_from_the_apps_above_it():
    upward = sorted(
        f"{path.relative_to(ROOT)}: {name}"
        for path in _modules("intake")
        for name in _imported(path)
        if name.split(".")[0] in {"alerts", "dashboard"}
    )
    assert upward == []


def test_alert_modules_import_in_one_direction():
    def alerts_imports(module: str) -> set[str]:
        return {name for name in _imported(ROOT / "alerts" / f"{module}.py") if name.startswith("alerts.")}

    assert "alerts.tasks" in alerts_imports("services")
    assert not {name for name in alerts_imports("tasks") if name.startswith("alerts.services")}
    assert not {name for name in alerts_imports("delivery") if name.startswith(("alerts.services", "alerts.tasks"))}


def test_every_app_imports_only_the_apps_below_it_as_the_readme_draws_them():
    assert set(LAYERS) | {"clinic_portal"} == set(APPS)
    upward = []
    for depth, app in enumerate(LAYERS):
        above = set(LAYERS[:depth])
        for path in _modules(app):
            upward += [f"{path.relative_to(ROOT)}: {name}" for name in _imported(path) if name.split(".")[0] in above]
    assert upward == [], "\n".join(sorted(upward))


def test_the_project_packages_shared_helpers_import_no_app():
    found = [
        f"{path.relative_to(ROOT)}: {name}"
        for path in _modules("clinic_portal")
        if path.stem not in PROJECT_SHELL and "management" not in path.parts
        for name in _imported(path)
        if name.split(".")[0] in set(LAYERS)
    ]
    assert found == [], "\n".join(sorted(found))


def test_the_write_check_covers_every_intake_model():
    from django.apps import apps

    assert {model.__name__ for model in apps.get_app_config("intake").get_models()} == INTAKE_MODELS
