"""Factories for the ledger; tests build exactly the world they describe."""

from __future__ import annotations

import datetime as dt
from typing import Any

import factory
from django.contrib.auth import get_user_model

from zhenggai.ledger.choices import FindingLevel, MeasureKind, MeasureStatus, UnitKind
from zhenggai.ledger.models import Finding, Inspection, Measure, Membership, Unit


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.PostGenerationMethodCall("set_password", "pass-Word-123")

    @factory.post_generation
    def save_password(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create:
            self.save()


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit

    name = factory.Sequence(lambda n: f"单位{n}")
    kind = UnitKind.ORGAN


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    unit = factory.SubFactory(UnitFactory)


class InspectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Inspection

    inspector = "区委巡察一组"
    inspected_unit = factory.SubFactory(UnitFactory)
    onsite_start = dt.date(2024, 1, 4)
    onsite_end = dt.date(2024, 2, 2)
    feedback_date = dt.date(2024, 3, 18)


class FindingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Finding

    inspection = factory.SubFactory(InspectionFactory)
    level = FindingLevel.PROBLEM
    title = factory.Sequence(lambda n: f"关于第{n}项问题")


class MeasureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Measure

    finding = factory.SubFactory(FindingFactory)
    inspection = factory.SelfAttribute("finding.inspection")
    code = factory.Sequence(lambda n: f"{n + 1:03d}")
    text = factory.Sequence(lambda n: f"整改措施{n}")
    kind = MeasureKind.DEADLINE
    start_date = dt.date(2024, 3, 25)
    deadline = dt.date(2024, 6, 30)
    original_deadline = factory.SelfAttribute("deadline")
    status = MeasureStatus.DRAFT


PDF = b"%PDF-1.4\n% test evidence\n%%EOF\n"


def report_with_evidence(by: Any, measure: Measure, progress: int = 100, text: str = "已完成整改") -> Any:
    """A progress report carrying a PDF, as sign-off needs (100 % by default)."""
    import io

    from zhenggai.ledger import services

    return services.report_progress(
        by=by,
        measure=measure,
        text=text,
        progress=progress,
        files=[services.UploadedEvidence("佐证材料.pdf", io.BytesIO(PDF))],
    )
