"""QR codes of short links, as PNG bytes (segno: pure Python, writes PNG without Pillow).

Error correction level M (15 % of the code may be damaged or covered and it still reads) is the usual
choice for print and video; `boost_error=False` keeps it at M so the modules stay large. A quiet
zone of 4 modules and 10 pixels per module give a ~330 px image for a short link: sharp in Slack's
preview and at print sizes up to a few centimetres.
"""

from __future__ import annotations

import io

import segno

MODULE_PIXELS = 10
QUIET_ZONE = 4


def qr_png(text: str) -> bytes:
    """A PNG of the QR code holding `text` (black on white)."""
    code = segno.make_qr(text, error="m", boost_error=False)
    out = io.BytesIO()
    code.save(out, kind="png", scale=MODULE_PIXELS, border=QUIET_ZONE)
    return out.getvalue()
