"""QR codes of deep links, for showing on a phone screen or printing at the end of a service."""

from __future__ import annotations

import io

import segno


def qr_png(link: str, scale: int = 8) -> bytes:
    buf = io.BytesIO()
    segno.make(link, error="m").save(buf, kind="png", scale=scale, border=4)
    return buf.getvalue()


def qr_svg(link: str, scale: int = 4) -> str:
    """The same code as inline SVG, for a web page whose content policy allows no data: images."""
    return str(segno.make(link, error="m").svg_inline(scale=scale, border=4, title="QR"))
