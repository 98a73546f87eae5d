"""What the regulations say, as data files and pure functions (no I/O, no Telegram, no clock)."""
