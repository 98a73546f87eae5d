"""Languages: lazy texts that core code returns, rendered per user in ``bot/``.

Core code (``rules/``, ``conversations/``) never translates: it returns ``T`` objects
(message id + typed parameters). Rendering needs a ``Translator`` for the user's locale,
so concurrent updates in different languages never share global gettext state.
"""

from locales.i18n import (
    DEFAULT_LOCALE,
    N_,
    SUPPORTED_LOCALES,
    TN,
    Join,
    Raw,
    T,
    Text,
    Translator,
    normalise_locale,
    render,
    text_from_json,
    text_to_json,
    translator,
)

__all__ = [
    "DEFAULT_LOCALE",
    "N_",
    "SUPPORTED_LOCALES",
    "TN",
    "Join",
    "Raw",
    "T",
    "Text",
    "Translator",
    "normalise_locale",
    "render",
    "text_from_json",
    "text_to_json",
    "translator",
]
