"""Turning Plotly figures into page fragments (the JS itself comes from /vendor)."""

from __future__ import annotations

from collections.abc import Callable, Hashable

import plotly.graph_objects as go
import plotly.io as pio
from markupsafe import Markup

from models.cache import cached
from web.database import db_session


def figure_html(figure: go.Figure, element_id: str) -> Markup:
    """A ``<div>`` with the figure; pages using it include ``/vendor/plotly.min.js``
    (``{% block scripts %}{{ plotly_script() }}{% endblock %}`` in the template)."""
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
    return Markup(html)


def cached_figure_html(
    key: tuple[Hashable, ...], build: Callable[[], go.Figure], element_id: str
) -> Markup:
    """:func:`figure_html` of ``build()``, rendered once per ``key`` (building a
    Plotly figure costs tens of milliseconds). ``key`` must change whenever the
    figure's data does: start it with ``models.cache.city_key`` or a finished run's id."""
    html = cached(
        db_session(), ("figure", element_id, *key), lambda: str(figure_html(build(), element_id))
    )
    return Markup(html)
