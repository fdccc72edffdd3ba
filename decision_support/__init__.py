"""Pure domain core: U4SSC KPIs and scoring, projects, finance, the portfolio model.

Nothing in this package imports Flask or SQLAlchemy; the outer layers (``models``,
``web``) call into it, never the other way round.
"""
