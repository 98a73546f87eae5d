"""The web app fixtures of tests/webapp (a sandbox bot behind the real app)."""

from tests.webapp.conftest import web_box, web_settings

__all__ = ["web_box", "web_settings"]
