"""An offline image captcha: five digits drawn by Pillow with its built-in font, nothing stored per view.

The form carries a signed token holding a random nonce; the digits are derived from the nonce with the secret
key, so the page needs no database write and the token reveals nothing. A token is good for 30 minutes and
once: the nonce is stored (unique) with the feedback it let through.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import random
import secrets

from django.conf import settings
from django.core import signing
from django.utils.crypto import constant_time_compare

SALT = "zhenggai.portal.captcha"
MAX_AGE = 30 * 60
DIGITS = 5


def new_token() -> str:
    return signing.TimestampSigner(salt=SALT).sign(secrets.token_urlsafe(16))


def nonce_of(token: str) -> str | None:
    try:
        return signing.TimestampSigner(salt=SALT).unsign(token, max_age=MAX_AGE)
    except signing.BadSignature:  # also SignatureExpired
        return None


def answer_for(nonce: str) -> str:
    digest = hmac.new(str(settings.SECRET_KEY).encode(), f"captcha:{nonce}".encode(), hashlib.sha256).digest()
    return "".join(str(b % 10) for b in digest[:DIGITS])


def check(token: str, answer: str) -> str | None:
    """The token's nonce when the answer is right and the token fresh; None otherwise."""
    nonce = nonce_of(token)
    if nonce is None:
        return None
    typed = "".join(ch for ch in answer if not ch.isspace()).translate(_FULLWIDTH)
    return nonce if constant_time_compare(typed, answer_for(nonce)) else None


_FULLWIDTH = str.maketrans("０１２３４５６７８９", "0123456789")


def image_png(token: str) -> bytes | None:
    from PIL import Image, ImageDraw, ImageFont

    nonce = nonce_of(token)
    if nonce is None:
        return None
    text = answer_for(nonce)
    noise = random.Random(secrets.randbits(32))
    width, height = 150, 50
    image = Image.new("RGB", (width, height), (246, 246, 240))
    draw = ImageDraw.Draw(image)
    for _ in range(6):
        draw.line(
            [(noise.randint(0, width), noise.randint(0, height)) for _ in range(2)],
            fill=(noise.randint(120, 190),) * 3,
            width=1,
        )
    font = ImageFont.load_default(size=30)
    for i, ch in enumerate(text):
        glyph = Image.new("RGBA", (34, 44), (0, 0, 0, 0))
        ImageDraw.Draw(glyph).text((6, 2), ch, font=font, fill=(20, 40, 90, 255))
        glyph = glyph.rotate(noise.uniform(-25, 25), resample=Image.Resampling.BICUBIC, expand=False)
        image.paste(glyph, (8 + i * 27 + noise.randint(-3, 3), noise.randint(0, 6)), glyph)
    for _ in range(120):
        draw.point((noise.randint(0, width - 1), noise.randint(0, height - 1)), fill=(90, 90, 90))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()
