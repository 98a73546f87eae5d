"""Use cases between the Telegram shell (``bot/``) and ``storage/``: each composes storage calls, core
decisions and outbox rows. Imports flow one way: bot -> services -> storage -> conversations -> rules ->
locales (the import-linter contract in pyproject.toml, checked by ``dev.py test``)."""
