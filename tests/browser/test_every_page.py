"""Every page the demo personas reach: axe-core clean and no sideways scroll at 390 px.

The crawl follows the app's own links from the start page, as two personas, and checks
one page per template (URLs differing only in ids, or in a KPI or project key, are
the same template). Pages are listed by :func:`checks.page_pattern`.
"""

from __future__ import annotations

import re
from collections import deque
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.browser.checks import PageFindings, check_page, page_pattern, same_app_links

MAX_PAGES = 60

# Item pages share one template: /kpis/<key>, /mechanisms/<id>, /library/<slug>…: a last
# segment with a digit, "_", "-" or a capital names an item; plain words name pages.
_ITEM = re.compile(r"^(.*/)([^/]*[0-9_A-Z-][^/]*)$")


def _template_key(url: str) -> str:
    pattern = page_pattern(url)
    match = _ITEM.match(pattern)
    return match.group(1) + "<item>" if match else pattern


def crawl(page: Any, origin: str, start: str) -> tuple[list[PageFindings], list[str]]:
    """Visit one page per template reachable from ``start``; returns findings and broken links."""
    seen: set[str] = set()
    queue = deque([start])
    findings: list[PageFindings] = []
    broken: list[str] = []
    while queue and len(seen) < MAX_PAGES:
        url = queue.popleft()
        key = _template_key(url)
        if key in seen:
            continue
        seen.add(key)
        response = page.goto(url)
        if response is None or response.status >= 400:
            broken.append(f"{url}: HTTP {response.status if response else '?'}")
            continue
        findings.append(check_page(page))
        queue.extend(same_app_links(page, origin))
    return findings, broken


# The admin may do everything, so sees every page with every form; the procurement
# officer sees the leader's and finance pages read-only (the other variant of those
# templates). The journeys check the pages each persona meets on the way.
@pytest.mark.parametrize("role", ["admin", "procurement_officer"])
def test_every_page_is_accessible_and_fits_a_phone(
    role: str, page: Any, login: Any, live_server: Any
) -> None:
    login(role)
    findings, broken = crawl(page, live_server.url, page.url)
    assert len(findings) >= 10, [f.url for f in findings]
    assert not broken, broken
    failing = [f for f in findings if not f.ok]
    assert not failing, f"{len(failing)} of {len(findings)} pages fail:\n" + "\n".join(
        f.describe() for f in failing
    )
    assert all(urlsplit(f.url).path for f in findings)
