"""A Bot-API emulator, its client and its loopback HTTP server: Telegram replaced at the Bot-API boundary.

Tests and ``stationbot demo`` drive the real PTB Application against it; the product never needs it to serve users.
"""
