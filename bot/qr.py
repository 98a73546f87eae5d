"""QR codes for the shell: the code lives in ``services.qr`` (use cases need it too)."""

from services.qr import qr_png

__all__ = ["qr_png"]
