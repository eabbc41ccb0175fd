"""Reused evidence by perceptual hash: a re-encoded, resized copy of a photo on another measure (or another
unit's) is a question; a different photo is not; byte-identical copies stay with the SHA-256 check."""

from __future__ import annotations

import io
import random

from PIL import Image, ImageDraw

from tests.conftest import World
from tests.factories import MeasureFactory
from zhenggai.evaluation.models import EvidenceImageHash
from zhenggai.evaluation.signals.imagehash import NEAR_BITS, dhash, distance, near_groups
from zhenggai.evaluation.signals.load import load
from zhenggai.evaluation.signals.scan import EvidenceRow, LedgerData, MeasureRow, reused_evidence
from zhenggai.ledger import services
from zhenggai.ledger.models import Measure


def photo(seed: int, size: tuple[int, int] = (640, 480)) -> Image.Image:
    """A made-up 'photo': shapes of random grey levels on a gradient, different for each seed."""
    rng = random.Random(seed)
    image = Image.linear_gradient("L").resize(size).convert("RGB")
    draw = ImageDraw.Draw(image)
    for _ in range(12):
        x, y = rng.randrange(size[0]), rng.randrange(size[1])
        w, h = rng.randrange(40, 250), rng.randrange(40, 200)
        grey = rng.randrange(256)
        draw.rectangle((x, y, x + w, y + h), fill=(grey, grey // 2, 255 - grey))
    return image


def encoded(image: Image.Image, fmt: str = "JPEG", **kw: object) -> bytes:
    out = io.BytesIO()
    image.save(out, fmt, **kw)
    return out.getvalue()


def hash_of(data: bytes) -> int:
    value = dhash(io.BytesIO(data))
    assert value is not None
    return value


def test_a_resized_reencoded_copy_is_near_and_a_different_photo_is_far() -> None:
    original = photo(1)
    first = hash_of(encoded(original, quality=92))
    copy = hash_of(encoded(original.resize((320, 240)), quality=55))
    png = hash_of(encoded(original, "PNG"))
    other = hash_of(encoded(photo(2), quality=92))
    assert distance(first, copy) <= NEAR_BITS
    assert distance(first, png) <= NEAR_BITS
    assert distance(first, other) > NEAR_BITS
    assert dhash(io.BytesIO(b"%PDF-1.4 not an image")) is None
    groups = near_groups([(1, first), (2, copy), (3, other), (4, 0), (5, 0)])
    assert [sorted(g) for g in groups] == [[1, 2]]  # flat images (hash 0) are not compared


def row(pk: int, unit: int) -> MeasureRow:
    import datetime as dt

    return MeasureRow(
        pk, f"C{pk}", "整改措施", unit, f"单位{unit}", unit, "", "done", None, dt.date(2026, 1, 1), None
    )


def test_similar_images_on_two_measures_fire_but_not_on_one_measure_or_when_byte_identical() -> None:
    near = 0b1011 << 40 | 0xFF00FF
    data = LedgerData(
        measures=[row(1, 1), row(2, 2), row(3, 1)],
        evidence=[
            EvidenceRow(1, "a" * 64, "现场.jpg", near),
            EvidenceRow(2, "b" * 64, "照片.jpg", near ^ 0b111),  # 3 bits apart, another unit
            EvidenceRow(3, "c" * 64, "别的.jpg", ~near & (2**64 - 1)),
        ],
    )
    signals = reused_evidence(data)
    assert len(signals) == 1
    assert signals[0].measure_ids == (1, 2)
    assert "近似的图片" in signals[0].summary
    assert "分属不同单位" in signals[0].summary
    one_measure = LedgerData(
        measures=[row(1, 1)],
        evidence=[EvidenceRow(1, "a" * 64, "a.jpg", near), EvidenceRow(1, "b" * 64, "b.jpg", near)],
    )
    assert reused_evidence(one_measure) == []
    identical = LedgerData(
        measures=[row(1, 1), row(2, 2)],
        evidence=[EvidenceRow(1, "a" * 64, "a.jpg", near), EvidenceRow(2, "a" * 64, "a.jpg", near)],
    )
    assert [s.summary.startswith("疑点：同一份佐证材料") for s in reused_evidence(identical)] == [True]


def test_a_reencoded_photo_on_another_units_measure_fires_from_the_database(world: World) -> None:
    original = photo(7)
    other_a = MeasureFactory(finding=world.detail_a, lead_department=world.dept_a, code="P2")
    uploads = [
        (world.staff_a, world.measure_a, "现场照片.jpg", encoded(original, quality=90)),
        (world.staff_b, world.measure_b, "整改后.jpg", encoded(original.resize((480, 360)), quality=60)),
        (world.staff_a, other_a, "另一处.png", encoded(photo(8), "PNG")),
    ]
    for by, measure, name, data in uploads:
        services.report_progress(
            by=by,
            measure=measure,
            text="已整改，附现场照片",
            progress=50,
            files=[services.UploadedEvidence(name, io.BytesIO(data))],
        )
    signals = [
        s for s in reused_evidence(load(Measure.objects.visible_to(world.supervisor))) if "近似" in s.summary
    ]
    assert [set(s.measure_ids) for s in signals] == [{world.measure_a.pk, world.measure_b.pk}]
    assert "分属不同单位" in signals[0].summary
    assert EvidenceImageHash.objects.exclude(dhash="").count() == 3  # computed once, kept
    # staff of unit A alone sees only one of the two copies: no question
    assert [
        s for s in reused_evidence(load(Measure.objects.visible_to(world.staff_a))) if "近似" in s.summary
    ] == []
