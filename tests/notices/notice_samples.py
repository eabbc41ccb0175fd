"""Hand-built notices for the renderer tests: our own fictional text, shaped like the real ones.

临江区文化旅游局: 2 方面, 3 问题, 5 具体问题, 10 措施 (6 done, 3 ongoing, 1 open), one unfinished item (the
open measure's detail), clues, a contact block.
"""

from __future__ import annotations

from zhenggai.notices.document import (
    Contact,
    Counts,
    InspectionInfo,
    NoticeDoc,
    NoticeFinding,
    NoticeMeasure,
    OutstandingItem,
    StatedFigures,
)

UNIT = "临江区文化旅游局"

PROBLEM_TITLES = ("文化惠民工程推进不够有力", "旅游市场监管存在薄弱环节", "财务管理制度执行不严格")
DETAIL_TITLES = (
    "公共文化场馆免费开放时段安排不合理",
    "农家书屋图书更新不及时",
    "对旅行社经营行为日常检查不够",
    "公务接待审批手续不完备",
    "专项资金使用跟踪问效不到位",
)


def _m(text: str, status: str) -> NoticeMeasure:
    return NoticeMeasure(text=text, status=status)  # type: ignore[arg-type]


def _detail(title: str, *measures: NoticeMeasure) -> NoticeFinding:
    return NoticeFinding(level="detail", title=title, measures=list(measures))


def linjiang_notice() -> NoticeDoc:
    findings = [
        NoticeFinding(
            level="aspect",
            title="贯彻落实党的理论路线方针政策和上级决策部署",
            children=[
                NoticeFinding(
                    level="problem",
                    title=PROBLEM_TITLES[0],
                    children=[
                        _detail(
                            DETAIL_TITLES[0],
                            _m("调整区文化馆、图书馆开放时间，周末及节假日延长开放至晚上9时", "done"),
                            _m("建立场馆开放情况月度通报制度，每月通报各场馆接待人次", "done"),
                        ),
                        _detail(
                            DETAIL_TITLES[1],
                            _m("为全区86家农家书屋补充更新图书1.2万册", "done"),
                            _m("建立图书年度更新机制，每年更新比例不低于10%", "ongoing"),
                        ),
                    ],
                ),
                NoticeFinding(
                    level="problem",
                    title=PROBLEM_TITLES[1],
                    children=[
                        _detail(
                            DETAIL_TITLES[2],
                            _m("开展旅行社经营行为专项检查，检查旅行社23家，责令整改4家", "done"),
                            _m("完善旅游市场“双随机、一公开”监管机制，将抽查比例提高到30%", "open"),
                        ),
                    ],
                ),
            ],
        ),
        NoticeFinding(
            level="aspect",
            title="党风廉政建设和干部队伍建设",
            children=[
                NoticeFinding(
                    level="problem",
                    title=PROBLEM_TITLES[2],
                    children=[
                        _detail(
                            DETAIL_TITLES[3],
                            _m("修订《公务接待管理办法》，严格执行事前审批和清单报销", "done"),
                        ),
                        _detail(
                            DETAIL_TITLES[4],
                            _m("对近三年专项资金使用情况开展全面自查，形成自查报告", "done"),
                            _m("建立专项资金绩效跟踪评价机制，每半年开展一次评价", "ongoing"),
                            _m("每年聘请第三方机构对重点项目资金开展绩效审计", "ongoing"),
                        ),
                    ],
                ),
            ],
        ),
    ]
    return NoticeDoc(
        title=None,
        issuer=UNIT,
        date="2024-09-20",
        inspection=InspectionInfo(
            inspector="区委巡察三组",
            inspected="区文化旅游局",
            start="2024-03-04",
            end="2024-04-26",
            feedback_date="2024-06-05",
        ),
        organising_work=(
            "局党组把巡察整改作为重要政治任务，成立由党组书记任组长的整改工作领导小组，"
            "先后召开专题会议5次研究部署整改工作。\n"
            "对照巡察反馈意见，逐条制定整改措施，建立问题清单、任务清单、责任清单，实行清单式管理、销号式推进。"
        ),
        stated=StatedFigures(
            problems=3,
            measures=10,
            completed=6,
            completion_rate=60,
            regulations=4,
            regulations_new=3,
            regulations_revised=1,
        ),
        findings=findings,
        counts=Counts(aspects=2, problems=3, details=5, measures=10, done=6),
        outstanding=[
            OutstandingItem(
                finding=DETAIL_TITLES[2],
                reason="监管信息系统升级需履行政府采购程序，周期较长",
                next_steps="加快推进系统升级，完成后按30%的比例开展随机抽查",
                deadline="2025-03-31",
            )
        ],
        clues="巡察组移交问题线索2件，已全部办结，给予诫勉谈话1人、提醒谈话2人。",
        contact=Contact(
            phone="0571-88776655",
            address="临江区滨江路18号区政府大院3号楼402室",
            postcode="310000",
            email="ljwlj@example.cn",
        ),
    )


def notice_without_aspects() -> NoticeDoc:
    """The same notice with the 方面 level removed: problems become the top level."""
    doc = linjiang_notice()
    doc.findings = [problem for aspect in doc.findings for problem in aspect.children]
    doc.counts.aspects = 0
    return doc
