"""The app's rule-pack folders: the ``RULE_PACK_DIRS`` setting, read in one place.

Every page that loads a rule pack (procurement pages, dashboards, portfolio runs,
scenarios saved from the city's data) looks in the same folders: the machine's
``DECISION_SUPPORT_RULE_PACKS`` first, then this setting
(:func:`rules.rule_pack.pack_search_dirs`).
"""

from __future__ import annotations

import os

from flask import current_app

from rules.rule_pack import pack_search_dirs


def configured_pack_dirs() -> list[str]:
    """The ``RULE_PACK_DIRS`` setting (a list, or one ``os.pathsep``-separated string);
    services add the environment's folders in front themselves."""
    configured = current_app.config.get("RULE_PACK_DIRS") or []
    if isinstance(configured, str):
        configured = configured.split(os.pathsep)
    return [str(d) for d in configured if d]


def pack_dirs() -> list[str]:
    """Every extra rule-pack folder: the environment's, then the ``RULE_PACK_DIRS`` setting."""
    return pack_search_dirs(configured_pack_dirs())
