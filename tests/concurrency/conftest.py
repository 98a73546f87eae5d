"""The forms' seated managers, for the double-tap tests."""

from tests.forms.conftest import alice  # noqa: F401  (a fixture, used by name)
