"""Notices in the shapes units really publish, written for these tests (fictional units, our own sentences):
pages saved from government sites, counts in other words, loose dates, deeper numbering, 回头看 and a whole
round's summary. Each comes with its hand-labelled header, so that the header accuracy can be measured."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Sample:
    name: str
    text: str
    header: dict[str, object]  # the hand labels: field → expected value
    counts: dict[str, int] = field(default_factory=dict)  # parsed counts that must come out


# Header fields scored, as paths into NoticeDoc.to_dict()
HEADER_FIELDS = (
    "issuer",
    "date",
    "inspection.inspector",
    "inspection.inspected",
    "inspection.start",
    "inspection.end",
    "inspection.feedback_date",
    "inspection.period_text",
    "stated.aspects",
    "stated.problems",
    "stated.details",
    "stated.measures",
    "stated.completed",
    "stated.in_progress",
    "stated.completion_rate",
)

# 1. A page saved from a county site: breadcrumbs, the 信息公开 metadata block (labels and values on their own
# lines, bullets, indents), the title repeated, a 日期/来源/浏览量 line, no signature.
METADATA_PAGE = """首页 > 信息公开 > 部门信息公开 > 县农业农村局
当前位置：首页 > 通知公告
• 索引号：
    001234567/2024-00321
• 文件名称：
    中共青川县农业农村局党组关于县委巡察整改进展情况的通报
• 发布机构：
    县农业农村局
• 成文日期：
    2024-06-28
• 公开方式：
    主动公开
中共青川县农业农村局党组关于县委巡察整改进展情况的通报
日期：2024-06-28 09:12:40 来源：县融媒体中心 浏览量：
分享：
朗读
根据县委统一部署，2023年10月9日至11月24日，县委第三巡察组对县农业农村局党组开展了常规巡察。2024年1月12日，县委巡察组向县农业农村局党组反馈了巡察意见。按照党务公开原则和巡察工作有关要求，现将巡察整改进展情况予以公布。
一、整改工作总体情况
局党组把巡察整改作为重大政治任务来抓，成立整改工作领导小组，逐项建立台账。截至目前，巡察反馈的2个方面3项问题4个具体问题，已完成整改3个、正在整改1个，整改完成率75%。共制定整改举措8条，建立完善制度9项，追缴资金3.5万元，给予党纪处分2人，召开专题会议6次，涉及责任单位5家。
二、巡察反馈问题整改落实情况
（一）在“贯彻落实乡村振兴决策部署不够到位”方面
1.关于“产业项目谋划不够精准”问题的整改
（1）关于“部分项目前期论证不充分”的问题。
整改情况：一是制定项目论证工作规程（已完成）。二是对在建项目逐一复核（已完成）。
（2）关于“项目绩效评价流于形式”的问题。
整改情况：一是委托第三方开展绩效评价（已完成）。二是评价结果与资金安排挂钩（持续推进）。
2.关于“防返贫监测帮扶不够精准”问题的整改
整改情况：一是开展集中排查（已完成）。二是完善监测预警机制（已完成）。
（二）在“全面从严治党不够有力”方面
1.关于“公务用车管理不规范”问题的整改
整改情况：一是修订公务用车管理办法（已完成）。二是建立用车登记台账（已完成）。
"""

# 2. Counts in other words, a web page with a plain 来源 line, the year of the feedback in the sentence before,
# the title naming the issuer, a signature with Chinese numerals.
TASK_LIST = """中共白沙镇委员会关于巡察整改情况的通报
来源：白沙镇人民政府　作者：党政办　浏览次数：212
根据区委统一部署，2024年4月8日至5月31日，区委第一巡察组对白沙镇党委进行了巡察。7月5日，区委第一巡察组向白沙镇党委反馈了巡察意见。现将巡察整改情况公布如下。
一、整改工作开展情况
镇党委对照反馈意见，形成问题清单3个、任务清单6项，逐项明确责任领导和完成时限。目前6项任务已全部完成。
二、反馈问题整改落实情况
（一）关于“基层党组织建设薄弱”问题的整改
整改情况：村级党组织规范化建设已完成。
（二）关于“集体资产管理不严”问题的整改
整改情况：一是开展集体资产清查，已完成。二是建立资产处置审批制度，已完成。
（三）关于“安全生产监管有盲区”问题的整改
整改情况：一是开展隐患大排查，已完成整改。二是建立网格化巡查制度，已完成。三是组织应急演练，已完成。
中共白沙镇委员会
二〇二四年十二月二十六日
"""

# 3. A month-only period, missing 日 in a stored copy, 整改任务 as the measures' word, decimals in the rate.
MONTH_PERIOD = """中共东湖区卫生健康局党组关于巡察整改进展情况的通报
按照区委巡察工作安排，2024年3月至6月，区委第二巡察组对区卫生健康局党组开展了巡察，并于2024年8月9反馈了巡察意见。
一、整改总体进展
针对反馈的3个问题，局党组细化整改任务7项，已完成整改6项，整改完成率85.71%。
二、具体整改情况
一、关于“医疗机构监管不到位”的问题
整改情况：
一是开展医疗机构专项检查（已完成）。
二是建立不良执业行为记分制度（已完成）。
三是推进信息化监管平台建设（正在推进）。
二、关于“专项资金拨付滞后”的问题
整改情况：一是清理历年结转资金（已完成）。二是建立拨付进度月报制度（已完成）。
三、关于“干部交流轮岗不到位”的问题
整改情况：一是制定轮岗计划（已完成）。二是完成重点岗位轮岗（已完成）。
"""

# 4. A 回头看 notice: the previous round's problems re-checked; a tree of 1. (1) ① numbering; 整改举措.
FOLLOW_UP = """中共南岭县教育体育局党组关于巡察“回头看”整改情况的通报
根据县委部署，2024年5月13日至6月21日，县委第四巡察组对县教育体育局党组开展了巡察“回头看”，并于2024年8月2日反馈了意见。按照有关要求，现将整改情况予以公布。
一、整改工作总体情况
回头看反馈问题2个，制定整改举措5条，已完成整改5条，完成率100%。
二、问题整改情况
1.关于“上轮巡察整改不彻底”问题的整改
（1）针对“校外培训治理反弹”的问题
整改情况：①开展联合执法检查（已完成）；②建立举报核查机制（已完成）。
（2）针对“食堂财务公开不及时”的问题
整改情况：①统一公开模板（已完成）；②按月公开收支（已完成）。
2.关于“新问题：招生程序不规范”问题的整改
整改情况：修订招生工作方案，已完成。
"""

# 5. A whole round's summary: several groups, many units; no single inspector or inspected unit.
WHOLE_ROUND = """关于十四届市委第五轮巡察集中整改进展情况的通报
根据市委统一部署，2023年9月4日至10月27日，市委组建5个巡察组，对市发展改革委、市财政局、市住房城乡建设局等12家单位党组织开展了常规巡察。2023年12月15日，各巡察组向被巡察党组织反馈了巡察意见。
截至目前，巡察反馈的312个问题，完成整改298个，基本完成并持续整改9个，未完成5个，总体完成率95.51%。被巡察党组织共召开专题民主生活会12次，完善和新建制度143项，清退违规资金36.8万元。
按照有关规定，现将整改进展情况向社会公开，接受干部群众监督。
"""

# 6. A district committee notice: N 方面 M 项 K 个问题 in one sentence, 整改情况：一是… on its own line, a
# signature with Arabic numerals, the title over two lines.
DISTRICT = """中共清河区委组织部
关于区委巡察整改情况的通报
根据区委巡察工作统一部署，2024年2月26日至4月19日，区委第三巡察组对区委组织部开展了巡察。2024年5月30日，巡察组向区委组织部反馈了巡察意见。现将整改情况通报如下。
一、加强组织领导
部务会召开专题会议研究整改工作，对反馈的2个方面3项共4个问题，制定具体措施9条，已全部完成。
二、整改落实情况
（一）“政治建设有差距”方面
1.关于“理论学习走形式”的问题
针对“学习计划执行不严”的问题。整改情况：一是修订学习制度（已完成）。二是建立学习考勤通报（已完成）。
针对“研讨交流不深入”的问题。整改情况：一是每季度开展专题研讨（已完成）。二是建立研讨成果转化机制（已完成）。
2.关于“意识形态责任落实不到位”的问题
整改情况：一是制定责任清单（已完成）。二是开展风险排查（已完成）。
（二）“干部监督管理偏松”方面
1.关于“干部档案审核不细”的问题
整改情况：一是开展专项审核（已完成）。二是完善档案管理制度（已完成）。三是开展业务培训（已完成）。
中共清河区委组织部
2024年9月20日
"""

# 7. No title, no signature: the text starts with the opening sentence; the year only in the sentence before.
NO_TITLE = """按照市委巡察工作部署，2024年1月，市委第六巡察组对市统计局党组开展了巡察。3月22日，巡察组向市统计局党组反馈了巡察意见。现将整改情况公布如下。
一、关于“统计数据质量管控不严”的问题
整改情况：一是建立数据质量核查制度（已完成）。二是开展统计执法检查（整改中）。
二、关于“统计调查项目管理不规范”的问题
整改情况：一是清理统计调查项目（已完成）。
"""

SAMPLES: tuple[Sample, ...] = (
    Sample(
        "metadata_page",
        METADATA_PAGE,
        {
            "issuer": "中共青川县农业农村局党组",
            "date": "2024-06-28",
            "inspection.inspector": "县委第三巡察组",
            "inspection.inspected": "县农业农村局党组",
            "inspection.start": "2023-10-09",
            "inspection.end": "2023-11-24",
            "inspection.feedback_date": "2024-01-12",
            "inspection.period_text": None,
            "stated.aspects": 2,
            "stated.problems": 3,
            "stated.details": 4,
            "stated.measures": 8,
            "stated.completed": 3,
            "stated.in_progress": 1,
            "stated.completion_rate": 75.0,
        },
        {"aspects": 2, "problems": 3, "details": 4, "measures": 8, "done": 7},
    ),
    Sample(
        "task_list",
        TASK_LIST,
        {
            "issuer": "中共白沙镇委员会",
            "date": "2024-12-26",
            "inspection.inspector": "区委第一巡察组",
            "inspection.inspected": "白沙镇党委",
            "inspection.start": "2024-04-08",
            "inspection.end": "2024-05-31",
            "inspection.feedback_date": "2024-07-05",
            "inspection.period_text": None,
            "stated.aspects": None,
            "stated.problems": 3,
            "stated.details": None,
            "stated.measures": 6,
            "stated.completed": 6,
            "stated.in_progress": None,
            "stated.completion_rate": None,
        },
        {"problems": 3, "measures": 6, "done": 6},
    ),
    Sample(
        "month_period",
        MONTH_PERIOD,
        {
            "issuer": "中共东湖区卫生健康局党组",
            "date": None,
            "inspection.inspector": "区委第二巡察组",
            "inspection.inspected": "区卫生健康局党组",
            "inspection.start": None,
            "inspection.end": None,
            "inspection.feedback_date": "2024-08-09",
            "inspection.period_text": "2024年3月至6月",
            "stated.aspects": None,
            "stated.problems": 3,
            "stated.details": None,
            "stated.measures": 7,
            "stated.completed": 6,
            "stated.in_progress": None,
            "stated.completion_rate": 85.71,
        },
        {"problems": 3, "measures": 7, "done": 6},
    ),
    Sample(
        "follow_up",
        FOLLOW_UP,
        {
            "issuer": "中共南岭县教育体育局党组",
            "date": None,
            "inspection.inspector": "县委第四巡察组",
            "inspection.inspected": "县教育体育局党组",
            "inspection.start": "2024-05-13",
            "inspection.end": "2024-06-21",
            "inspection.feedback_date": "2024-08-02",
            "inspection.period_text": None,
            "stated.aspects": None,
            "stated.problems": 2,
            "stated.details": None,
            "stated.measures": 5,
            "stated.completed": 5,
            "stated.in_progress": None,
            "stated.completion_rate": 100.0,
        },
        {"problems": 2, "details": 3, "measures": 5, "done": 5},
    ),
    Sample(
        "whole_round",
        WHOLE_ROUND,
        {
            "issuer": None,
            "date": None,
            "inspection.inspector": None,
            "inspection.inspected": None,
            "inspection.start": "2023-09-04",
            "inspection.end": "2023-10-27",
            "inspection.feedback_date": "2023-12-15",
            "inspection.period_text": None,
            "stated.aspects": None,
            "stated.problems": 312,
            "stated.details": None,
            "stated.measures": None,
            "stated.completed": 298,
            "stated.in_progress": 9,
            "stated.completion_rate": 95.51,
        },
    ),
    Sample(
        "district",
        DISTRICT,
        {
            "issuer": "中共清河区委组织部",
            "date": "2024-09-20",
            "inspection.inspector": "区委第三巡察组",
            "inspection.inspected": "区委组织部",
            "inspection.start": "2024-02-26",
            "inspection.end": "2024-04-19",
            "inspection.feedback_date": "2024-05-30",
            "inspection.period_text": None,
            "stated.aspects": 2,
            "stated.problems": 3,
            "stated.details": 4,
            "stated.measures": 9,
            "stated.completed": 9,
            "stated.in_progress": None,
            "stated.completion_rate": None,
        },
        {"aspects": 2, "problems": 3, "details": 4, "measures": 9, "done": 9},
    ),
    Sample(
        "no_title",
        NO_TITLE,
        {
            "issuer": None,
            "date": None,
            "inspection.inspector": "市委第六巡察组",
            "inspection.inspected": "市统计局党组",
            "inspection.start": None,
            "inspection.end": None,
            "inspection.feedback_date": "2024-03-22",
            "inspection.period_text": "2024年1月",
            "stated.aspects": None,
            "stated.problems": None,
            "stated.details": None,
            "stated.measures": None,
            "stated.completed": None,
            "stated.in_progress": None,
            "stated.completion_rate": None,
        },
        {"problems": 2, "measures": 3, "done": 2},
    ),
)


def field_value(doc: dict[str, object], path: str) -> object:
    value: object = doc
    for part in path.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def header_accuracy(parse: object) -> tuple[int, int, list[str]]:
    """(right, total, misses) of the header fields over SAMPLES, `parse` being parse_text."""
    right = total = 0
    misses = []
    for sample in SAMPLES:
        doc = parse(sample.text).to_dict()  # type: ignore[operator]
        for path, expected in sample.header.items():
            total += 1
            got = field_value(doc, path)
            if got == expected:
                right += 1
            else:
                misses.append(f"{sample.name} {path}: {got!r} ≠ {expected!r}")
    return right, total, misses
