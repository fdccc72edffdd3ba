"""One order of rule-pack folders for every entry point (CLI, web, services)."""

from __future__ import annotations

import os

from rules.rule_pack import PACK_DIRS_ENV, pack_search_dirs


def test_the_environment_comes_first_and_what_is_given_overrides_it(monkeypatch) -> None:
    monkeypatch.setenv(PACK_DIRS_ENV, os.pathsep.join(["/srv/packs", "", "/etc/packs"]))
    assert pack_search_dirs(["/city/packs"]) == ["/srv/packs", "/etc/packs", "/city/packs"]
    monkeypatch.delenv(PACK_DIRS_ENV)
    assert pack_search_dirs() == []
