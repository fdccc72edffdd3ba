"""Login and logout; ``g.user`` for every request."""

from web.auth.views import bp

__all__ = ["bp"]
