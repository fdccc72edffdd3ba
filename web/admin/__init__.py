"""City administration: members, city profile, audit log (admins)."""

from web.admin.views import api, bp

__all__ = ["api", "bp"]
