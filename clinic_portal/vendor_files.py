"""The files the portal takes from npm packages (node_modules, pinned by package-lock.json), and only those.

A staticfiles finder: `STATICFILES_FINDERS` lists it beside Django's own. Bootstrap's `dist` folder holds 44 files
(8.6 MB: every build variant, right-to-left copies, source maps); the pages use two, and the source maps those two
name. Offering the whole folder made `collectstatic` (part of every `make test` and `make run`) hash and compress
all of them: 19 s of 20 here. `VENDOR_FILES` maps each address under /static/ to its file in node_modules.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal, overload

from django.conf import settings
from django.contrib.staticfiles.finders import BaseFinder
from django.core.checks import CheckMessage, Warning
from django.core.files.storage import FileSystemStorage

NODE_MODULES = Path(settings.BASE_DIR) / "node_modules"

# address prefix under /static/ -> (a package's folder in node_modules, the files taken from it)
VENDOR_FILES: dict[str, tuple[str, tuple[str, ...]]] = {
    "vendor/bootstrap": (
        "bootstrap/dist",
        (
            "css/bootstrap.min.css",
            "css/bootstrap.min.css.map",  # named by the stylesheet's last line: the manifest storage rewrites it
            "js/bootstrap.bundle.min.js",
            "js/bootstrap.bundle.min.js.map",
        ),
    ),
}


class VendorFileFinder(BaseFinder):
    """Finds each file of VENDOR_FILES at its address, and lists those only (as FileSystemFinder does a folder)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.storages: dict[str, FileSystemStorage] = {}
        for prefix, (folder, _files) in VENDOR_FILES.items():
            storage = FileSystemStorage(location=NODE_MODULES / folder)
            storage.prefix = prefix  # type: ignore[attr-defined]  # read by collectstatic and whitenoise
            self.storages[prefix] = storage

    def check(self, **kwargs: Any) -> list[CheckMessage]:
        missing = [
            f"{folder}/{name}"
            for folder, files in VENDOR_FILES.values()
            for name in files
            if not (NODE_MODULES / folder / name).is_file()
        ]
        if not missing:
            return []
        # A warning, as Django's own for a missing STATICFILES_DIRS folder: commands that serve no page still run.
        return [Warning(f"Missing in node_modules: {', '.join(missing)}", hint="Run `npm ci`.", id="portal.W010")]

    @overload
    def find(self, path: str, find_all: Literal[False] = False) -> str | None: ...

    @overload
    def find(self, path: str, find_all: Literal[True]) -> list[str]: ...

    def find(self, path: str, find_all: bool = False) -> str | list[str] | None:
        found: str | None = None
        for vendor_prefix, (folder, files) in VENDOR_FILES.items():
            name = path.removeprefix(vendor_prefix + "/")
            if path.startswith(vendor_prefix + "/") and name in files and (NODE_MODULES / folder / name).is_file():
                found = str(NODE_MODULES / folder / name)
                break
        if find_all:
            return [found] if found else []
        return found or []  # Django's own finders answer [] for "not here"; finders.find wraps None into [None]

    def list(self, ignore_patterns: Any) -> Iterator[tuple[str, FileSystemStorage]]:
        for prefix, (_folder, files) in VENDOR_FILES.items():
            for name in files:
                yield name, self.storages[prefix]
