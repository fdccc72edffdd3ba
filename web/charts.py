"""Turning Plotly figures into page fragments (the JS itself comes from /vendor)."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from functools import cache
from typing import Any

import plotly.graph_objects as go
import plotly.io as pio
from markupsafe import Markup

from web.templating import cached_html

_MARGIN = {"l": 40, "r": 20, "t": 40, "b": 40}
_FONT = {"family": "system-ui, sans-serif"}


@cache
def _template() -> dict[str, Any]:
    """The page template's JSON, validated once (assigning a template to a figure
    re-validates all of it: that was most of the cost of a chart)."""
    template: dict[str, Any] = pio.templates["plotly_white"].to_plotly_json()
    return template


def figure_html(figure: go.Figure | dict[str, Any], element_id: str) -> Markup:
    """A ``<div>`` with the figure (graph objects, or a figure document as
    ``to_plotly_json`` gives it); pages using it include ``/vendor/plotly.min.js``
    (``{% block scripts %}{{ plotly_script() }}{% endblock %}`` in the template),
    which loads deferred: the drawing script waits for it."""
    document = figure if isinstance(figure, dict) else figure.to_plotly_json()
    layout = dict(document["layout"])
    layout["margin"] = {**layout.get("margin", {}), **_MARGIN}
    layout["font"] = {**layout.get("font", {}), **_FONT}
    layout["template"] = _template()
    html = pio.to_html(
        {"data": document["data"], "layout": layout},
        validate=False,  # validated when the figure was built
        include_plotlyjs=False,
        full_html=False,
        div_id=element_id,
        config={"displaylogo": False, "responsive": True},
    )
    return Markup(_after_plotly_loads(html))


def _after_plotly_loads(html: str) -> str:
    """Run the fragment's drawing script once Plotly (loaded with ``defer``) is there.

    Deferred scripts run after the page is parsed and before ``DOMContentLoaded``,
    so an inline script must wait for that event unless Plotly is already loaded;
    it then draws in a task of its own, so the page's text and tables show first.
    """
    start = html.index("<script")
    body_start = html.index(">", start) + 1
    body_end = html.rindex("</script>")
    script = html[body_start:body_end]
    wrapped = (
        "(function (draw) { if (window.Plotly) { draw(); } "
        'else { document.addEventListener("DOMContentLoaded", function () { '
        "setTimeout(draw, 0); }); } })"
        f"(function () {{{script}}});"
    )
    return html[:body_start] + wrapped + html[body_end:]


def cached_figure_html(
    key: tuple[Hashable, ...], build: Callable[[], go.Figure | dict[str, Any]], element_id: str
) -> Markup:
    """:func:`figure_html` of ``build()``, rendered once per ``key`` (building a
    Plotly figure costs tens of milliseconds). ``key`` must change whenever the
    figure's data does: start it with ``models.cache.data_key`` (naming the data
    domains the figure is built from) or a finished run's id."""
    return cached_html(("figure", element_id, *key), lambda: str(figure_html(build(), element_id)))
