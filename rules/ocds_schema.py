"""The OCDS 1.1.5 schema with the community extensions this product uses, built
offline from shipped copies, and lib-cove-ocds reviews of any release package.

Every extension is pinned: the lots extension to its released ``v1.1.5``; the
techniques, selection-criteria and award-criteria extensions have no release in
the extension registry (only ``master``), so they are pinned to a commit. The
files live in ``rules/data/ocds/extensions/<id>/`` (provenance in that folder's
README). The standard's schema folder at tag ``1__1__5`` lives in
``rules/data/ocds/standard/``.

ocdsextensionregistry's ``ProfileBuilder`` builds the extended schema; both it
and lib-cove-ocds fetch extension files through ``ocdsextensionregistry.util.session``.
:func:`install_offline_adapter` mounts a transport adapter on that session that
answers the pinned extension URLs from the shipped files and refuses every other
URL, so neither library ever reaches the network.
"""

from __future__ import annotations

import io
import json
import tempfile
import zipfile
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from importlib.resources.abc import Traversable
from typing import Any

import jsonschema
import requests
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict
from urllib3.response import HTTPResponse

from decision_support.errors import Problem
from decision_support.files.schema import document_path

STANDARD_TAG = "1__1__5"
STANDARD_VERSION = "1.1"
DATA = "rules.data.ocds"
RELEASE_SCHEMA_URL = (
    f"https://standard.open-contracting.org/schema/{STANDARD_TAG}/release-schema.json"
)


@dataclass(frozen=True)
class PinnedExtension:
    """One community extension at a fixed version (a release tag or a commit)."""

    id: str
    repository: str  # open-contracting-extensions/<name>
    ref: str  # release tag, or commit when the extension has no release

    @property
    def base_url(self) -> str:
        """Where the extension's files are published at this version."""
        return f"https://raw.githubusercontent.com/{self.repository}/{self.ref}/"

    @property
    def metadata_url(self) -> str:
        """The ``extension.json`` URL a release package declares."""
        return f"{self.base_url}extension.json"

    @property
    def archive_urls(self) -> tuple[str, ...]:
        """The bulk-download URLs ocdsextensionregistry may ask for."""
        return (
            f"https://github.com/{self.repository}/archive/{self.ref}.zip",
            f"https://api.github.com/repos/{self.repository}/zipball/{self.ref}",
        )


EXTENSIONS: dict[str, PinnedExtension] = {
    ext.id: ext
    for ext in (
        PinnedExtension("lots", "open-contracting-extensions/ocds_lots_extension", "v1.1.5"),
        PinnedExtension(
            "techniques",
            "open-contracting-extensions/ocds_techniques_extension",
            "5568b00a8dd694a3d34441bdd9ef2bd3f9d44b11",
        ),
        PinnedExtension(
            "awardCriteria",
            "open-contracting-extensions/ocds_awardCriteria_extension",
            "9391240f353e8536992938fe9f7987cd89235331",
        ),
        PinnedExtension(
            "selectionCriteria",
            "open-contracting-extensions/ocds_selectionCriteria_extension",
            "42109b4c5259f4a086744a4fd4f1ca4fd6ff1e7f",
        ),
    )
}


def _folder(*parts: str) -> Traversable:
    node = files(DATA)
    for part in parts:
        node = node.joinpath(part)
    return node


def _walk(node: Traversable, prefix: str = "") -> list[tuple[str, bytes]]:
    found: list[tuple[str, bytes]] = []
    for child in sorted(node.iterdir(), key=lambda c: c.name):
        if child.is_dir():
            found.extend(_walk(child, f"{prefix}{child.name}/"))
        elif child.name.endswith((".json", ".csv")):
            found.append((f"{prefix}{child.name}", child.read_bytes()))
    return found


def _zip(root: str, entries: list[tuple[str, bytes]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(f"{root}/", b"")
        for name, content in entries:
            archive.writestr(f"{root}/{name}", content)
    return buffer.getvalue()


@cache
def standard_zip() -> bytes:
    """The standard's ``schema/`` folder at 1__1__5 as the ZIP ProfileBuilder reads."""
    return _zip(
        f"standard-{STANDARD_TAG}",
        [(f"schema/{name}", body) for name, body in _walk(_folder("standard"))],
    )


@cache
def _served_files() -> dict[str, bytes]:
    """Every URL the offline adapter answers, with its body."""
    served: dict[str, bytes] = {}
    for ext in EXTENSIONS.values():
        entries = _walk(_folder("extensions", ext.id))
        for name, body in entries:
            served[f"{ext.base_url}{name}"] = body
        archive = _zip(f"{ext.repository.split('/')[1]}-{ext.ref}", entries)
        for url in ext.archive_urls:
            served[url] = archive
    return served


def _response(
    request: requests.PreparedRequest, url: str, status: int, reason: str, body: bytes
) -> requests.Response:
    response = requests.Response()
    response.request = request
    response.url = url
    response.status_code = status
    response.reason = reason
    response.headers = CaseInsensitiveDict()
    # requests-cache (behind ocdsextensionregistry's session) copies the raw response.
    response.raw = HTTPResponse(
        body=io.BytesIO(body), status=status, preload_content=False, request_url=url
    )
    response._content = body
    return response


class OfflineAdapter(BaseAdapter):
    """A requests transport answering the shipped extension files; never the network."""

    def send(
        self, request: requests.PreparedRequest, *args: Any, **kwargs: Any
    ) -> requests.Response:
        """Serve a shipped file, 404 for a missing file of a pinned extension, else refuse."""
        url = request.url or ""
        body = _served_files().get(url)
        if body is not None:
            return _response(request, url, 200, "OK", body)
        if any(url.startswith(ext.base_url) for ext in EXTENSIONS.values()):
            return _response(request, url, 404, "Not Found", b"")
        raise requests.ConnectionError(
            f"{url} is not shipped with this product (OCDS checks work offline; "
            f"only these extensions are available: {', '.join(EXTENSIONS)})",
            request=request,
        )

    def close(self) -> None:
        """Nothing to release."""


_ADAPTER = OfflineAdapter()


def install_offline_adapter() -> None:
    """Route ocdsextensionregistry's (and so lib-cove-ocds's) HTTP through the shipped files."""
    from ocdsextensionregistry.util import session

    for scheme in ("https://", "http://"):
        if session.adapters.get(scheme) is not _ADAPTER:
            session.mount(scheme, _ADAPTER)


def _extension_urls(ids: tuple[str, ...]) -> list[str]:
    unknown = [name for name in ids if name not in EXTENSIONS]
    if unknown:
        raise KeyError(f"extension(s) not shipped: {', '.join(unknown)}")
    return [EXTENSIONS[name].metadata_url for name in ids]


@cache
def extended_release_schema(ids: tuple[str, ...]) -> dict[str, Any]:
    """The 1.1.5 release schema patched with the named pinned extensions."""
    from ocdsextensionregistry import ProfileBuilder

    install_offline_adapter()
    builder = ProfileBuilder(STANDARD_TAG, _extension_urls(ids), standard_base_url=standard_zip())
    schema: dict[str, Any] = builder.patched_release_schema()
    return schema


def _standard_json(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(_folder("standard", name).read_text(encoding="utf-8"))
    return data


@cache
def package_validator(ids: tuple[str, ...] = ()) -> jsonschema.Draft4Validator:
    """A validator for release packages against the (extended) release schema."""
    package = _standard_json("release-package-schema.json")
    release = extended_release_schema(ids) if ids else _standard_json("release-schema.json")
    registry: Registry = Registry().with_resource(
        RELEASE_SCHEMA_URL, Resource.from_contents(release, default_specification=DRAFT4)
    )
    return jsonschema.Draft4Validator(package, registry=registry)


def declared_extensions(package: dict[str, Any]) -> tuple[str, ...]:
    """The ids of the shipped extensions a package declares (by their pinned URL)."""
    by_url = {ext.metadata_url: ext.id for ext in EXTENSIONS.values()}
    return tuple(by_url[url] for url in package.get("extensions", []) if url in by_url)


def schema_problems(package: dict[str, Any]) -> list[Problem]:
    """Every schema violation of a release package (extensions it declares included)."""
    validator = package_validator(declared_extensions(package))
    return [
        Problem(error.message, field=document_path(error.absolute_path))
        for error in validator.iter_errors(package)
    ]


def _libcove_config() -> Any:
    from libcoveocds.config import LibCoveOCDSConfig

    config = LibCoveOCDSConfig()
    config.config["context"] = "api"
    config.config["standard_zip"] = standard_zip()
    # Codelist links in findings point at the pinned standard, not its moving branch.
    config.config["schema_codelists"] = {
        "1.1": f"https://raw.githubusercontent.com/open-contracting/standard/{STANDARD_TAG}/"
        "schema/codelists/"
    }
    return config


def libcove_review(package: dict[str, Any]) -> dict[str, Any]:
    """lib-cove-ocds's full review of a release or record package, offline.

    Returns lib-cove-ocds's API context: ``validation_errors``,
    ``additional_fields``, ``additional_closed_codelist_values``,
    ``additional_checks``, ``invalid_extension`` (under ``extensions``) and more.
    """
    from libcoveocds.api import ocds_json_output

    install_offline_adapter()
    with tempfile.TemporaryDirectory() as output_dir:
        context: dict[str, Any] = ocds_json_output(
            output_dir, json_data=package, lib_cove_ocds_config=_libcove_config()
        )
    return context


def libcove_problems(package: dict[str, Any]) -> list[Problem]:
    """lib-cove-ocds's findings as problems: schema errors, closed-codelist misses,
    unknown fields, extension failures and its additional data-quality checks."""
    context = libcove_review(package)
    problems = [
        Problem(f"schema: {error.get('description', '').strip()}", field=error.get("path"))
        for error in context.get("validation_errors") or []
    ]
    for info in (context.get("additional_closed_codelist_values") or {}).values():
        values = ", ".join(str(v) for v in info.get("values", []))
        problems.append(
            Problem(
                f"code(s) not in the closed codelist {info.get('codelist')}: {values}",
                field=f"{info.get('path')}/{info.get('field')}",
            )
        )
    for info in context.get("additional_fields") or []:
        problems.append(
            Problem(
                "field not in the OCDS schema or the extensions the package declares",
                field=f"{info.get('path')}/{info.get('field')}".lstrip("/"),
            )
        )
    for url, reason in ((context.get("extensions") or {}).get("invalid_extension") or {}).items():
        problems.append(Problem(f"extension could not be used ({reason})", field=url))
    for check, findings in (context.get("additional_checks") or {}).items():
        for finding in findings:
            where = finding.get("json_location") or finding.get("path") or "(root)"
            problems.append(Problem(f"data quality: {check}", field=str(where)))
    return problems
