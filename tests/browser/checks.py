"""Checks every browser test applies to the pages it visits.

* axe-core (vendored: ``vendor/axe.min.js``, see ``tests/data/README.md``) finds no
  violation of impact ``critical`` or ``serious``;
* at 390 px width (a common phone) the page does not scroll sideways;
* the page answered with a status below 400.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

AXE_SOURCE = (Path(__file__).with_name("vendor") / "axe.min.js").read_text(encoding="utf-8")
BLOCKING = ("critical", "serious")
PHONE_WIDTH = 390
RELAYOUT_MS = 500

# Links that change state, download a file or leave the app are not visited.
_SKIP = re.compile(
    r"(\.(xlsx|csv|json|yaml|yml|js|svg|png|zip)$)|/logout|/download|/export|/template|/api/"
)


@dataclass
class PageFindings:
    """What the checks found on one page (empty lists: all fine)."""

    url: str
    axe: list[str] = field(default_factory=list)
    overflow: str | None = None

    @property
    def ok(self) -> bool:
        return not self.axe and self.overflow is None

    def describe(self) -> str:
        parts = [f"{self.url}:"]
        parts += [f"  axe {v}" for v in self.axe]
        if self.overflow:
            parts.append(f"  390 px: {self.overflow}")
        return "\n".join(parts)


def axe_violations(page: Any) -> list[str]:
    """Critical and serious axe-core violations on the current page, one line each."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(content=AXE_SOURCE)
    result = page.evaluate(
        """async () => {
            const r = await axe.run(document, {resultTypes: ['violations']});
            return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.length, target: v.nodes.slice(0, 3).map(n => n.target.join(' '))}));
        }"""
    )
    return [
        f"{v['impact']} {v['id']} ({v['help']}) on {v['nodes']} node(s), e.g. {v['target']}"
        for v in result
        if v["impact"] in BLOCKING
    ]


def sideways_overflow(page: Any) -> str | None:
    """At 390 px: how far the page scrolls sideways and the widest culprit, or None."""
    size = page.viewport_size
    page.set_viewport_size({"width": PHONE_WIDTH, "height": 800})
    # Let resize handlers (responsive charts) lay the page out again, as a phone would
    # have from the start.
    page.wait_for_timeout(RELAYOUT_MS)
    try:
        found = page.evaluate(
            """() => {
                const root = document.scrollingElement || document.documentElement;
                const extra = root.scrollWidth - root.clientWidth;
                if (extra <= 1) { return null; }
                let worst = null;
                for (const el of document.body.querySelectorAll('*')) {
                    const box = el.getBoundingClientRect();
                    if (box.right > root.clientWidth + 1 && (!worst || box.right > worst.right)) {
                        let scrolled = false;
                        for (let p = el.parentElement; p; p = p.parentElement) {
                            const s = getComputedStyle(p).overflowX;
                            if (['auto', 'scroll', 'hidden'].includes(s)) {
                                scrolled = true;
                                break;
                            }
                        }
                        if (!scrolled) {
                            const cls = typeof el.className === 'string' ? el.className : '';
                            worst = {right: box.right, tag: el.tagName.toLowerCase(), cls: cls};
                        }
                    }
                }
                return {extra: extra, worst: worst};
            }"""
        )
    finally:
        page.set_viewport_size(size)
    if found is None:
        return None
    worst = found["worst"]
    culprit = f"; widest: <{worst['tag']} class='{worst['cls']}'>" if worst else ""
    return f"scrolls {found['extra']} px sideways{culprit}"


def check_page(page: Any) -> PageFindings:
    """Run every check on the page the browser is on."""
    findings = PageFindings(urlsplit(page.url).path)
    findings.axe = axe_violations(page)
    findings.overflow = sideways_overflow(page)
    return findings


def same_app_links(page: Any, origin: str) -> list[str]:
    """The page's links to other GET pages of the app (no downloads, no API, no logout)."""
    hrefs: list[str] = page.eval_on_selector_all(
        "a[href]", "els => els.map(a => a.href.split('#')[0])"
    )
    return [h for h in hrefs if h.startswith(origin) and not _SKIP.search(urlsplit(h).path)]


def page_pattern(url: str) -> str:
    """A URL with its numbers and query replaced, so that one page per template is checked."""
    path = urlsplit(url).path
    return re.sub(r"/\d+(?=/|$)", "/<n>", path)
