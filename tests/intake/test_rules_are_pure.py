"""The rules kernel (`intake/rules/`) must run without Django: clinicians read it, plain tests run it."""

import pathlib
import subprocess
import sys

RULES_DIR = pathlib.Path(__file__).resolve().parents[2] / "intake" / "rules"
MODULES = sorted(f"intake.rules.{path.stem}" for path in RULES_DIR.glob("*.py") if path.stem != "__init__")


def test_the_rules_package_holds_the_kernel_modules():
    assert {"intake.rules.triage", "intake.rules.questionnaire", "intake.rules.recommendations"} <= set(MODULES)


def test_importing_every_rules_module_loads_no_django():
    program = (
        "import importlib, sys\n"
        f"for name in {MODULES!r}:\n"
        "    importlib.import_module(name)\n"
        "loaded = sorted(m for m in sys.modules if m == 'django' or m.startswith('django.'))\n"
        "print(','.join(loaded))\n"
    )
    done = subprocess.run(  # noqa: S603 - our own interpreter on a fixed program
        [sys.executable, "-c", program],
        cwd=RULES_DIR.parents[1],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
        env={"PATH": "", "PYTHONPATH": str(RULES_DIR.parents[1])},
    )
    assert done.stdout.strip() == "", f"intake.rules pulled in Django modules: {done.stdout.strip()}"


def test_no_rules_module_imports_from_the_app_around_it():
    for path in RULES_DIR.glob("*.py"):
        for line in path.read_text().splitlines():
            stripped = line.strip()
            if stripped.startswith(("from intake", "import intake")):
                assert stripped.startswith(("from intake.rules", "import intake.rules")), f"{path.name}: {stripped}"
