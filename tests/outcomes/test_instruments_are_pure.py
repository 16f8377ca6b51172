"""The instruments core (`outcomes/instruments/`) runs without Django, like intake/rules/: scoring is plain Python."""

import pathlib
import subprocess
import sys

CORE_DIR = pathlib.Path(__file__).resolve().parents[2] / "outcomes" / "instruments"
MODULES = sorted(f"outcomes.instruments.{path.stem}" for path in CORE_DIR.glob("*.py"))


def test_the_core_holds_the_loader_and_the_scoring():
    assert {"outcomes.instruments.loader", "outcomes.instruments.scoring", "outcomes.instruments.model"} <= set(MODULES)


def test_importing_and_using_every_core_module_loads_no_django():
    program = (
        "import importlib, sys\n"
        f"for name in {MODULES!r}:\n"
        "    importlib.import_module(name)\n"
        "from outcomes.instruments import loader, scoring\n"
        "peg = loader.load_directories([loader.SHIPPED_DIR])['peg']\n"
        "assert scoring.score(peg, {'pain_week_avg': 6, 'pain_enjoyment_interference': 5, 'pain_interference': 4})\n"
        "loaded = sorted(m for m in sys.modules if m == 'django' or m.startswith('django.'))\n"
        "print(','.join(loaded))\n"
    )
    done = subprocess.run(  # noqa: S603 - our own interpreter on a fixed program
        [sys.executable, "-c", program],
        cwd=CORE_DIR.parents[1],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
        env={"PATH": "", "PYTHONPATH": str(CORE_DIR.parents[1])},
    )
    assert done.stdout.strip() == "", f"outcomes.instruments pulled in Django modules: {done.stdout.strip()}"


def test_no_core_module_imports_the_app_around_it():
    for path in CORE_DIR.glob("*.py"):
        for line in path.read_text().splitlines():
            stripped = line.strip()
            if stripped.startswith(("from outcomes", "import outcomes")):
                assert stripped.startswith(("from outcomes.instruments", "import outcomes.instruments")), path.name
            assert not stripped.startswith(("from intake", "import intake", "from django", "import django")), (
                f"{path.name}: {stripped}"
            )
