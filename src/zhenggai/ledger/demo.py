"""Demo data, written by us: a fictional district bureau's inspection ledger in every state.

Built through the services, so the demo ledger carries the same audit trail as real work. Dates are relative to
the day it is loaded, so some measures are always overdue and some always due soon.
"""

from __future__ import annotations

import datetime as dt
import io
import secrets
from dataclasses import dataclass
from typing import cast

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from zhenggai.ledger import services
from zhenggai.ledger.choices import (
    ClueStatus,
    FindingLevel,
    InspectionKind,
    MeasureKind,
    MeasureStatus,
    RegulationKind,
    Role,
    UnitKind,
)
from zhenggai.ledger.models import Inspection, Measure, Membership, Round, Unit

ASPECT, PROBLEM, DETAIL = FindingLevel.ASPECT, FindingLevel.PROBLEM, FindingLevel.DETAIL
IMM, DL, LT = MeasureKind.IMMEDIATE, MeasureKind.DEADLINE, MeasureKind.LONG_TERM

# Scenario of each measure, in ledger order (M1 … M30): where the demo leaves it.
DONE, ONGOING, PENDING, WORKING, REJECTED, EXTENDED, ASKING, DRAFT = (
    "done",
    "ongoing",
    "pending",
    "working",
    "rejected_then_working",
    "extended",
    "asking_extension",
    "draft",
)

# (department, text, kind, deadline in days from today, scenario). Negative deadlines lie in the past: a done
# measure with one was signed off after it (逾期完成, three of the eleven).
Measure_ = tuple[str, str, MeasureKind, int, str]

TREE: list[tuple[str, list[tuple[str, list[tuple[str, list[Measure_]]] | list[Measure_]]]]] = [
    (
        "贯彻落实党的路线方针政策和上级决策部署方面",
        [
            (
                "关于学习贯彻上级决策部署不够深入的问题",
                [
                    (
                        "针对理论学习中心组学习流于形式的问题",
                        [
                            ("办公室", "制定年度理论学习中心组学习计划，明确专题和研讨要求", IMM, 10, DONE),
                            ("办公室", "建立中心组学习研讨发言材料存档制度", DL, -20, DONE),
                        ],
                    ),
                    (
                        "针对文旅融合发展政策落实不到位的问题",
                        [
                            ("产业发展股", "梳理上级文旅融合政策清单，逐项明确落实责任", DL, 20, DONE),
                            ("产业发展股", "每季度召开文旅融合项目推进会，通报进展", LT, 0, ONGOING),
                        ],
                    ),
                ],
            ),
            (
                "关于意识形态工作责任制落实不到位的问题",
                [
                    (
                        "针对意识形态阵地管理不严的问题",
                        [
                            ("办公室", "全面排查所属场馆宣传展陈内容，建立审核登记台账", DL, 15, DONE),
                            ("办公室", "修订意识形态阵地管理办法，明确审核流程", DL, 20, PENDING),
                        ],
                    ),
                    (
                        "针对网络舆情研判机制不健全的问题",
                        [("办公室", "建立网络舆情月度研判和快速处置机制", DL, -10, WORKING)],
                    ),
                ],
            ),
            (
                "关于优化营商环境举措落实不够有力的问题",
                [
                    ("产业发展股", "精简旅行社设立审批材料，压缩办理时限", IMM, 5, DONE),
                    ("产业发展股", "建立文旅企业联系走访制度，定期收集诉求", DL, 45, DRAFT),
                ],
            ),
        ],
    ),
    (
        "落实全面从严治党责任方面",
        [
            (
                "关于财务管理不够规范的问题",
                [
                    (
                        "针对公务接待审批手续不全的问题",
                        [
                            ("财务股", "逐笔核查近三年公务接待审批单，补正手续", IMM, 8, DONE),
                            ("财务股", "严格执行公务接待“一函一单一票”制度", LT, 0, ONGOING),
                        ],
                    ),
                    (
                        "针对专项资金拨付进度滞后的问题",
                        [
                            ("财务股", "建立专项资金拨付进度月报制度", DL, 15, REJECTED),
                            ("财务股", "对滞后项目逐一分析原因，限期完成拨付", DL, -15, WORKING),
                        ],
                    ),
                    (
                        "针对固定资产账实不符的问题",
                        [
                            ("财务股", "开展固定资产全面清查盘点，核对账实", DL, 40, EXTENDED),
                            ("财务股", "按规定办理报废资产核销手续", DL, 30, ASKING),
                        ],
                    ),
                ],
            ),
            (
                "关于政府采购程序执行不严格的问题",
                [
                    (
                        "针对部分项目未按规定公开招标的问题",
                        [
                            ("财务股", "组织学习政府采购法律法规，开展专题培训", IMM, 12, DONE),
                            ("财务股", "修订本局政府采购内部控制制度", DL, 25, PENDING),
                        ],
                    ),
                    (
                        "针对合同管理台账缺失的问题",
                        [("办公室", "建立合同管理台账，实行合同统一编号归档", DL, 10, WORKING)],
                    ),
                ],
            ),
            (
                "关于落实中央八项规定精神有松懈的问题",
                [
                    ("办公室", "开展公务用车使用情况专项检查", IMM, 6, DONE),
                    ("办公室", "节假日前发送廉洁提醒，开展明察暗访", DL, -5, DRAFT),
                ],
            ),
        ],
    ),
    (
        "领导班子和干部队伍建设方面",
        [
            (
                "关于干部选拔任用工作不够规范的问题",
                [
                    (
                        "针对干部档案专项审核整改不彻底的问题",
                        [
                            ("人事股", "对干部档案审核发现问题逐人建立整改清单", DL, 25, DONE),
                            ("人事股", "补充完善干部档案缺失材料", DL, 6, WORKING),
                        ],
                    ),
                    (
                        "针对民主推荐程序记录不完整的问题",
                        [("人事股", "规范民主推荐会议记录和计票材料归档", DL, 50, DRAFT)],
                    ),
                    (
                        "针对试用期满考核不及时的问题",
                        [("人事股", "建立试用期干部到期提醒台账", IMM, -18, DONE)],
                    ),
                ],
            ),
            (
                "关于基层党组织建设薄弱的问题",
                [
                    (
                        "针对“三会一课”制度落实不严格的问题",
                        [
                            ("办公室", "制定支部年度组织生活计划并按月督查", DL, -22, PENDING),
                            ("办公室", "开展支部书记轮训", DL, 60, DRAFT),
                        ],
                    ),
                    (
                        "针对党员发展程序不规范的问题",
                        [
                            ("人事股", "对近五年发展党员材料逐一复核", DL, -12, DONE),
                            ("人事股", "编制党员发展工作流程图并公开", DL, 12, ASKING),
                        ],
                    ),
                    (
                        "针对党费收缴台账不健全的问题",
                        [
                            ("财务股", "重新核定党员党费基数，补齐收缴台账", DL, -8, DRAFT),
                            ("财务股", "党费收缴情况每半年公示一次", DL, 3, WORKING),
                        ],
                    ),
                ],
            ),
        ],
    ),
]

DEPARTMENTS = ("办公室", "财务股", "人事股", "产业发展股")
PEOPLE = {"办公室": "王某某", "财务股": "陈某某", "人事股": "林某某", "产业发展股": "周某某"}
LEADERS = {"办公室": "赵某某", "财务股": "孙某某", "人事股": "赵某某", "产业发展股": "孙某某"}
STAFF_DEPARTMENTS = ("办公室", "财务股")  # the demo staff user works in these; the leader reports the rest

USERS = (
    ("xunchaban", "区委巡察办 李某", Role.SUPERVISOR),
    ("lingdao", "文旅局 局长 赵某某", Role.LEADER),
    ("jingban", "文旅局 办公室 王某某", Role.STAFF),
    ("chakan", "文旅局 查看人员", Role.VIEWER),
)


@dataclass
class DemoResult:
    inspection: Inspection
    passwords: dict[str, str]


def demo_exists() -> bool:
    return Inspection.objects.exists() or User.objects.filter(username="lingdao").exists()


@transaction.atomic
def load_demo(password: str | None = None) -> DemoResult:
    """Create the demo units, users and ledger. `password` sets every demo password (else random ones)."""
    today = timezone.localdate()
    city = Unit.objects.create(name="青川市", kind=UnitKind.REGION)
    district = Unit.objects.create(
        name="青川市临江区", short_name="临江区", kind=UnitKind.REGION, parent=city
    )
    bureau = Unit.objects.create(
        name="临江区文化和旅游局", short_name="区文旅局", kind=UnitKind.ORGAN, parent=district
    )
    departments = {
        name: Unit.objects.create(name=name, kind=UnitKind.DEPARTMENT, parent=bureau) for name in DEPARTMENTS
    }
    archive = Unit.objects.create(
        name="临江区档案馆", short_name="区档案馆", kind=UnitKind.ORGAN, parent=district
    )

    passwords: dict[str, str] = {}
    users: dict[Role, User] = {}
    admin_password = password or secrets.token_urlsafe(9)
    User.objects.create_superuser("admin", password=admin_password, first_name="系统管理员")
    passwords["admin"] = admin_password
    for username, full_name, role in USERS:
        user_password = password or secrets.token_urlsafe(9)
        user = User.objects.create_user(username, password=user_password, first_name=full_name)
        passwords[username] = user_password
        users[role] = user
        if role == Role.SUPERVISOR:
            Membership.objects.create(user=user, unit=district, role=role)
        elif role == Role.STAFF:
            for name in STAFF_DEPARTMENTS:
                Membership.objects.create(user=user, unit=departments[name], role=role)
        else:
            Membership.objects.create(user=user, unit=bureau, role=role)

    supervisor, leader, staff = users[Role.SUPERVISOR], users[Role.LEADER], users[Role.STAFF]
    round_ = Round.objects.create(name="十一届区委第四轮巡察", organiser=district, year=today.year)
    feedback = today - dt.timedelta(days=150)
    start = feedback + dt.timedelta(days=7)
    scenarios: list[str] = []

    def measure(spec: Measure_) -> services.MeasureSpec:
        department, text, kind, deadline_days, scenario = spec
        scenarios.append(scenario)
        return services.MeasureSpec(
            text=text,
            kind=kind,
            responsible_leader=LEADERS[department],
            lead_department=departments[department],
            responsible_person=PEOPLE[department],
            start_date=start,
            deadline=None if kind == LT else today + dt.timedelta(days=deadline_days),
        )

    aspects = []
    for aspect_title, problems in TREE:
        problem_specs = []
        for problem_title, children in problems:
            if children and isinstance(children[0][1], list):  # the problem has 具体问题
                detail_rows = children
                details = [
                    services.FindingSpec(DETAIL, title, measures=[measure(m) for m in rows])
                    for title, rows in detail_rows
                ]
                problem_specs.append(services.FindingSpec(PROBLEM, problem_title, children=details))
            else:
                measure_rows = cast(list[Measure_], children)
                problem_specs.append(
                    services.FindingSpec(PROBLEM, problem_title, measures=[measure(m) for m in measure_rows])
                )
        aspects.append(services.FindingSpec(ASPECT, aspect_title, children=problem_specs))

    inspection = services.create_inspection(
        by=supervisor,
        inspected_unit=bureau,
        inspector="区委第三巡察组",
        kind=InspectionKind.XUNCHA,
        round=round_,
        onsite_start=feedback - dt.timedelta(days=80),
        onsite_end=feedback - dt.timedelta(days=50),
        feedback_date=feedback,
        organising_work=(
            "局党组把巡察整改作为重要政治任务，成立由党组书记任组长的整改工作领导小组，"
            "召开专题会议研究部署，逐条制定整改措施，明确责任领导、责任部门和整改时限，实行台账管理、销号推进。"
        ),
        findings=aspects,
        note="演示数据",
    )
    measures = list(Measure.objects.filter(inspection=inspection).select_related("lead_department"))
    for item, scenario in zip(measures, scenarios, strict=True):
        _play(item, scenario, staff, leader, supervisor, today)

    services.record_regulation(
        by=leader,
        inspection=inspection,
        kind=RegulationKind.NEW,
        title="临江区文化和旅游局意识形态阵地管理办法",
    )
    services.record_regulation(
        by=leader, inspection=inspection, kind=RegulationKind.NEW, title="专项资金拨付进度月报制度"
    )
    services.record_regulation(
        by=leader, inspection=inspection, kind=RegulationKind.NEW, title="合同管理办法（试行）"
    )
    services.record_regulation(
        by=leader, inspection=inspection, kind=RegulationKind.REVISED, title="政府采购内部控制制度（修订）"
    )
    services.record_regulation(
        by=leader, inspection=inspection, kind=RegulationKind.REVISED, title="公务接待管理规定（修订）"
    )
    clue = services.record_clue(
        by=leader,
        inspection=inspection,
        summary="反映某场馆维修项目存在拆分采购的问题线索1件",
        received_on=feedback,
        deadline=feedback + dt.timedelta(days=60),
    )
    services.update_clue(
        by=leader,
        clue=clue,
        handling="已按程序移交派驻纪检监察组核查",
        outcome="经核查，相关责任人受到诫勉谈话处理",
        status=ClueStatus.CLOSED,
    )
    services.record_clue(
        by=leader, inspection=inspection, summary="反映某景区门票收入管理不规范的问题线索1件"
    )

    # A second, small unit: the supervisor sees it, the bureau's users never do.
    services.create_inspection(
        by=supervisor,
        inspected_unit=archive,
        inspector="区委第三巡察组",
        round=round_,
        feedback_date=feedback,
        findings=[
            services.FindingSpec(
                PROBLEM,
                "关于档案数字化工作推进缓慢的问题",
                measures=[
                    services.MeasureSpec(
                        text="制定档案数字化三年工作计划", deadline=today + dt.timedelta(days=30)
                    ),
                    services.MeasureSpec(
                        text="完成馆藏重点档案数字化扫描", deadline=today - dt.timedelta(days=3)
                    ),
                ],
            )
        ],
        note="演示数据",
    )
    return DemoResult(inspection=inspection, passwords=passwords)


def _evidence(name: str) -> list[services.UploadedEvidence]:
    """A small PDF standing in for the scanned document a unit would upload."""
    body = f"%PDF-1.4\n% 演示佐证材料：{name}\n%%EOF\n".encode()
    return [services.UploadedEvidence(name, io.BytesIO(body))]


def _play(
    measure: Measure,
    scenario: str,
    staff: User,
    leader: User,
    supervisor: User,
    today: dt.date,
) -> None:
    """Walk a measure through the services to where its scenario leaves it."""
    if scenario == DRAFT:
        return
    department = measure.lead_department.name if measure.lead_department else ""
    # Staff report their own departments; the leader reports the rest and the supervisor reviews those.
    reporter, reviewer = (staff, leader) if department in STAFF_DEPARTMENTS else (leader, supervisor)
    services.report_progress(
        by=reporter, measure=measure, text="已制定工作方案，明确责任人和完成节点，正在推进。", progress=40
    )
    if scenario == WORKING:
        return
    if scenario == REJECTED:
        services.report_progress(
            by=reporter,
            measure=measure,
            text="制度草案已起草完成。",
            progress=100,
            files=_evidence("制度草案.pdf"),
        )
        signoff = services.request_signoff(by=reporter, measure=measure, note="已建立制度")
        services.reject_signoff(by=reviewer, signoff=signoff, reason="佐证材料不足，请补充制度印发文件。")
        services.report_progress(by=reporter, measure=measure, text="正在补充制度印发文件。", progress=70)
        return
    if scenario in (EXTENDED, ASKING):
        assert measure.deadline is not None
        extension = services.request_extension(
            by=reporter,
            measure=measure,
            new_deadline=measure.deadline + dt.timedelta(days=30),
            reason="涉及资产数量多、需第三方机构参与，申请延期30天。",
        )
        if scenario == EXTENDED:
            services.approve_extension(by=reviewer, extension=extension, note="同意延期。")
        return
    services.report_progress(
        by=reporter,
        measure=measure,
        text="各项工作已完成，相关制度已印发，佐证材料已归档。",
        progress=100,
        files=_evidence("制度印发文件.pdf"),
    )
    signoff = services.request_signoff(
        by=reporter,
        measure=measure,
        note="已完成整改，申请销号。",
        periodic_review="每季度报送一次进展，年底集中复查。" if scenario == ONGOING else "",
    )
    if scenario == DONE:
        services.approve_signoff(by=reviewer, signoff=signoff, note="整改到位，同意销号。")
    elif scenario == ONGOING:
        services.approve_signoff(
            by=reviewer, signoff=signoff, outcome=MeasureStatus.ONGOING, note="基本完成，长期坚持。"
        )
