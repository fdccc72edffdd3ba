"""Turning Plotly figures into page fragments (the JS itself comes from /vendor)."""

from __future__ import annotations

import plotly.graph_objects as go
import plotly.io as pio
from markupsafe import Markup


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
