"""Accessibility as a gate for the browser tests: axe-core on every page a test visits, at phone and desktop width.

axe-core comes from the npm registry (package.json pins it, package-lock.json locks it) and is read from
node_modules by the test; the site never serves it (it is not in STATICFILES_DIRS). It is evaluated in the page
through the DevTools protocol, which the page's Content-Security-Policy does not govern, so the page keeps its own
policy and no CSP error reaches the console that several tests watch.

Two parts:
- `assert_accessible(page, context=...)` runs axe with the WCAG 2.1 A and AA rules plus axe's best practices
  (landmarks, one main, one h1, heading order, unique landmarks, empty headings and table headers, skip link
  target...), at 390 x 844 and 1366 x 900 and at the test's own window size when that is a third one wider than a
  phone (a tablet: a phone's 375 px lays out as 390 px does, and a third axe run per page cost the suite seconds it
  does not have), then puts the window back. It fails listing each violation: rule, impact, the element (CSS
  selector) and what to fix.
- axe-core is put in every document of a context that runs scripts by an init script (`install_axe`, called when the
  guard starts watching a context): the browser keeps the source and evaluates it as each document starts (about
  15 ms), instead of the test sending the 650 kB source through the DevTools pipe each time it checks a new document
  (about 55 ms). A context with JavaScript off runs no init scripts; there the source is evaluated on demand.
- `NavigationGuard` records every main-frame navigation of every page of every browser context a test opens, and
  at the end of the test lists the paths whose latest visit was never checked. A path is the URL without its query
  and fragment (`/search/?q=a` and `/search/?q=b` are one page layout; what the test saw last is what is checked);
  a move to a fragment of the same document (`#review`) is not a new page.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

AXE_JS = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice")
A11Y_PHONE = {"width": 390, "height": 844}
A11Y_DESKTOP = {"width": 1366, "height": 900}
PHONE_WIDTHS = 480  # a test's window up to this wide is a phone: the 390 px run judges it

_RUN_AXE = """
async (tags) => {
  const results = await axe.run(document, {
    runOnly: {type: "tag", values: tags},
    resultTypes: ["violations"],
  });
  return results.violations.map((v) => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    nodes: v.nodes.map((n) => ({
      target: n.target.map((t) => (Array.isArray(t) ? t.join(" >>> ") : t)).join(" "),
      summary: (n.failureSummary || "").split("\\n").slice(1, 2).join("").trim(),
    })),
  }));
}
"""


@functools.cache
def _read_axe() -> str:
    return AXE_JS.read_text(encoding="utf-8")


def _axe_source() -> str:
    if not AXE_JS.exists():
        pytest.fail(f"axe-core is not installed at {AXE_JS}: run `npm ci` (package-lock.json pins it).")
    return _read_axe()


def install_axe(context: Any) -> None:
    """Evaluate axe-core in every document the context opens, as the document starts (see the module's docstring)."""
    context.add_init_script(script=_axe_source())


# In a context opened with java_script_enabled=False, evaluated code runs but timers never fire, and axe waits on
# setTimeout between its steps: run short timers as microtasks instead (long ones are only axe's own time limits).
_TIMERS_AS_MICROTASKS = """
() => {
  if (window.__a11yTimers) return;
  window.__a11yTimers = true;
  window.setTimeout = function (callback, delay) {
    var args = Array.prototype.slice.call(arguments, 2);
    if (!delay || delay < 50) Promise.resolve().then(function () { callback.apply(null, args); });
    return 0;
  };
  window.clearTimeout = function () {};
}
"""


def axe_violations(page: Any, *, scripts_off: bool = False, has_axe: bool | None = None) -> list[dict[str, Any]]:
    """The page's axe violations at its current window size (axe is injected once per document where no init script
    put it; `has_axe`: whether the caller already knows it is there)."""
    if scripts_off:
        page.evaluate(_TIMERS_AS_MICROTASKS)
    if has_axe is None:
        has_axe = page.evaluate("() => typeof window.axe !== 'undefined'")
    if not has_axe:
        page.evaluate(_axe_source())
    return list(page.evaluate(_RUN_AXE, list(AXE_TAGS)))


# What axe judges of a page, without the text it shows: every element's tag, whether it is displayed, whether it
# holds text of its own, and the attributes axe's rules read (ids, labels, roles, ARIA, classes, types...), not the
# values a test typed or the per-request ones (CSRF token, nonce, links to one test's rows).
_STRUCTURE = """
() => {
  const kept = new RegExp(
    "^(id|for|class|role|type|lang|alt|title|hidden|open|disabled|required|tabindex|scope|headers|name|aria-.*)$");
  const parts = [document.title === "" ? "untitled" : "titled", String(innerWidth)];
  for (const el of document.querySelectorAll("*")) {
    let part = el.tagName;
    for (const attr of el.attributes) {
      if (kept.test(attr.name)) part += " " + attr.name + "=" + attr.value;
    }
    const style = getComputedStyle(el);
    part += style.display === "none" || style.visibility === "hidden" ? " -" : " +";
    for (const child of el.childNodes) {
      if (child.nodeType === 3 && child.textContent.trim()) { part += " t"; break; }
    }
    parts.push(part);
  }
  return [parts.join("\\n"), typeof window.axe !== "undefined"];
}
"""

# Structures already found free of violations in this test run, per window size: the same page in the same state,
# met again by another test, is not checked twice (a different state, an error shown, a disclosure opened, is a
# different structure and is checked). Under pytest-xdist the processes of one run share them through a file named
# after the run, one line per structure, appended whole.
_passed: set[str] = set()
_RUN = os.environ.get("PYTEST_XDIST_TESTRUNUID", "")
_SHARED = Path(tempfile.gettempdir()) / f"clinic-portal-axe-passed-{_RUN}" if _RUN else None


def _structure(page: Any) -> tuple[str, bool]:
    """The page's structure key (its path and a digest of what axe judges), and whether axe is in the document."""
    structure, has_axe = page.evaluate(_STRUCTURE)
    key = page_key(page.url) or ""
    return key + " " + hashlib.sha256(structure.encode()).hexdigest(), bool(has_axe)


def _already_passed(structure: str) -> bool:
    if structure not in _passed and _SHARED is not None and _SHARED.exists():
        _passed.update(line for line in _SHARED.read_text(encoding="utf-8").splitlines() if line)
    return structure in _passed


def _record_passed(structure: str) -> None:
    _passed.add(structure)
    if _SHARED is not None:
        with _SHARED.open("a", encoding="utf-8") as shared:
            shared.write(structure + "\n")


def describe(violations: list[dict[str, Any]]) -> list[str]:
    lines = []
    for violation in violations:
        for node in violation["nodes"]:
            detail = f" ({node['summary']})" if node["summary"] else ""
            lines.append(f"{violation['id']} [{violation['impact']}] at {node['target']}: {violation['help']}{detail}")
    return lines


def assert_accessible(page: Any, *, context: str = "") -> None:
    """Fail with every axe violation of the page as it is now, at phone and desktop width (and the test's width)."""
    original = page.viewport_size
    sizes = [("390 px", A11Y_PHONE), ("1366 px", A11Y_DESKTOP)]
    if original and original not in (A11Y_PHONE, A11Y_DESKTOP) and original["width"] > PHONE_WIDTHS:
        sizes.insert(0, (f"{original['width']} px (the test's)", original))
    # The window's own size first when it is one of them (no resize for it), then the others; reported in order.
    order = sorted(sizes, key=lambda named: named[1] != original)
    found: dict[str, list[str]] = {}
    scripts_off = _guard is not None and _guard.scripts_off(page)
    current = original
    try:
        for name, size in order:
            if size != current:
                page.set_viewport_size(size)
                current = size
            structure, has_axe = _structure(page)
            if _already_passed(structure):
                continue
            violations = axe_violations(page, scripts_off=scripts_off, has_axe=has_axe)
            found[name] = [f"  at {name}: {line}" for line in describe(violations)]
            if not found[name]:
                _record_passed(structure)
    finally:
        if original and current != original:
            page.set_viewport_size(original)
    if _guard is not None:
        _guard.mark_checked(page)
    _log_checked(page)
    problems = [line for name, _size in sizes for line in found.get(name, [])]
    if problems:
        where = f"{context}: " if context else ""
        pytest.fail(
            f"{where}axe-core found {len(problems)} accessibility problem(s) on {page.url}\n" + "\n".join(problems)
        )


def _log_checked(page: Any) -> None:
    """With `A11Y_PAGES_LOG` set, the page's path appended to that file (one line, appended whole by every test
    process), for tests/browser/pages_checked.py to find the pages no test checks."""
    log = os.environ.get("A11Y_PAGES_LOG")
    key = page_key(page.url)
    if log and key and key.startswith("/"):
        with open(log, "a", encoding="utf-8") as pages:
            pages.write(key + "\n")


def page_key(url: str) -> str | None:
    """What the guard tracks for a URL: the path of a web page; None for blank and browser error pages."""
    parts = urlsplit(url)
    if parts.scheme in ("http", "https"):
        return parts.path or "/"
    if parts.scheme == "data":
        return url[:60]
    return None


def _without_fragment(url: str) -> str:
    return url.split("#", 1)[0]


@dataclass
class NavigationGuard:
    """Pages visited and whether each path was checked since its latest visit, for one test."""

    # Per page (id), path -> checked since its last navigation; the page's last URL, to tell fragment moves apart.
    state: dict[int, dict[str, bool]] = field(default_factory=dict)
    last_url: dict[int, str] = field(default_factory=dict)
    # Contexts opened with java_script_enabled=False (axe needs its timers run another way there).
    without_scripts: set[int] = field(default_factory=set)

    def watch_context(self, context: Any, *, javascript: bool = True) -> None:
        if javascript:
            install_axe(context)
        else:
            self.without_scripts.add(id(context))
        for page in context.pages:
            self.watch_page(page)
        context.on("page", self.watch_page)

    def scripts_off(self, page: Any) -> bool:
        return id(page.context) in self.without_scripts

    def watch_page(self, page: Any) -> None:
        if id(page) in self.state:
            return
        self.state[id(page)] = {}

        def navigated(frame: Any) -> None:
            if frame.parent_frame is None:
                self.navigated(page, frame.url)

        page.on("framenavigated", navigated)

    def navigated(self, page: Any, url: str) -> None:
        previous = self.last_url.get(id(page))
        self.last_url[id(page)] = url
        if previous is not None and previous != url and _without_fragment(previous) == _without_fragment(url):
            return  # a jump to a fragment of the same document (or back from one): no new page
        key = page_key(url)
        if key is not None:
            self.state.setdefault(id(page), {})[key] = False

    def mark_checked(self, page: Any) -> None:
        key = page_key(page.url)
        if key is not None:
            self.state.setdefault(id(page), {})[key] = True

    def forget(self, page: Any) -> None:
        """For the gate's own tests: drop a page whose unchecked visits are the point of the test."""
        self.state.pop(id(page), None)

    def unchecked(self) -> list[str]:
        return sorted({key for pages in self.state.values() for key, checked in pages.items() if not checked})

    def verify(self) -> None:
        missed = self.unchecked()
        if missed:
            pytest.fail(
                "These pages were visited but not checked with assert_accessible(page) after their last visit "
                "(tests/browser/a11y.py): " + ", ".join(json.dumps(key) for key in missed),
                pytrace=False,
            )


_guard: NavigationGuard | None = None


def start_guard() -> NavigationGuard:
    global _guard
    _guard = NavigationGuard()
    return _guard


def stop_guard() -> None:
    global _guard
    _guard = None
