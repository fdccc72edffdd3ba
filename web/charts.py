"""Turning Plotly figures into page fragments (the JS itself comes from /vendor)."""

from __future__ import annotations

import plotly.graph_objects as go
import plotly.io as pio
from markupsafe import Markup


def figure_html(figure: go.Figure, element_id: str) -> Markup:
    """A ``<div>`` with the figure; pages using it include ``/vendor/plotly.min.js``
    (``{% block scripts %}{{ plotly_script() }}{% endblock %}`` in the template),
    which loads deferred: the drawing script waits for it."""
    figure.update_layout(
        margin={"l": 40, "r": 20, "t": 40, "b": 40},
        template="plotly_white",
        font={"family": "system-ui, sans-serif"},
    )
    html = pio.to_html(
        figure,
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
