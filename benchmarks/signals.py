"""纸面整改 signals over 300,000 measures (a script, not a test).

    .venv/bin/python benchmarks/signals.py                    # 300,000 measures, ~1.5 reports each; goal 60 s
    .venv/bin/python benchmarks/signals.py --measures 20000   # a smaller run
    .venv/bin/python benchmarks/signals.py --compare          # also time datasketch and rapidfuzz on samples

The ledger is generated in memory as the plain rows `evaluation.signals.load` reads from the database
(deterministic for a seed), with planted cases of every signal; the scan is `evaluation.signals.scan.scan`, the
same function the page runs. Reading the rows from the database is not included (one values() query per table).

`--compare` is how the copied-text method was chosen: datasketch's MinHash objects (one per text, `MinHash.bulk`)
and MinHashLSH inserts, and rapidfuzz's all-pairs `process.cdist` (the "small sets" method), are timed on samples
and extrapolated to the full size (linear for datasketch, quadratic for rapidfuzz). Both need their package
installed (`pip install datasketch rapidfuzz`); they are not dependencies of the project.
The exit status is 1 when the scan misses the goal or misses a planted case.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
import time
from collections import Counter

sys.path.insert(0, "src")

from zhenggai.evaluation.signals.copied import fold, near_duplicates
from zhenggai.evaluation.signals.scan import (
    EvidenceRow,
    LedgerData,
    MeasureRow,
    NoticeRow,
    ReportRow,
    SignOffRow,
    scan,
)

GOAL_SECONDS = 60.0
TZ = dt.UTC
COMMON = (
    "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可也你对能而子那得于着下自之年过发后作里"
    "用道行所然家种事成方多经么去法学如都同现当没动面起看定天分还进好小部其些主样理心她本前开但因只从想实日军者意无力它与长"
    "把机十民第公此已工使情明性知全三又关点正业外将两高间由问很最重并物手应战向头文体政美相见被利什二等产或新己制身果加西斯月"
    "话合回特代内信表化老给世位次度门任常先海通教儿原东声提立及比员解水名真论处走义各入几口认条平系气题活尔更别打女变四神总何"
)
VERBS = (
    "严格执行",
    "全面落实",
    "规范开展",
    "认真组织",
    "逐项整改",
    "健全完善",
    "扎实推进",
    "集中清理",
    "专项检查",
    "从严管理",
)
OBJECTS = (
    "公务接待管理规定", "财务报销审批制度", "公务用车使用管理", "政府采购内控流程", "资产清查登记工作", "干部选拔任用程序",
    "会议费培训费管理", "项目资金拨付流程", "合同签订审查机制", "档案整理归档工作", "办公用房清理腾退", "津贴补贴发放清理",
)  # fmt: skip
DETAILS = (
    "建立台账逐笔核对", "形成问题清单限时销号", "明确责任人和完成时限", "对照清单逐条整改", "纳入年度考核", "每季度开展一次自查",
    "在局务会上通报整改结果", "修订完善相关制度", "追缴违规款项", "约谈相关责任人",
)  # fmt: skip
STUDY = "进一步加强学习，提高思想认识，强化责任意识，增强自觉性。"


def _name(rng: random.Random, n: int) -> str:
    return "".join(rng.choice(COMMON) for _ in range(n))


def generate(measures: int, seed: int) -> tuple[LedgerData, dict[str, int]]:
    """A ledger of `measures` measures over units of 30 measures each, with planted cases of each signal."""
    rng = random.Random(seed)
    start = dt.datetime(2025, 3, 1, 9, 0, tzinfo=TZ)
    rows: list[MeasureRow] = []
    reports: list[ReportRow] = []
    evidence: list[EvidenceRow] = []
    signoffs: list[SignOffRow] = []
    for i in range(1, measures + 1):
        unit = (i - 1) // 30 + 1
        inspection = unit
        deadline = dt.date(2025, 6, 30) + dt.timedelta(days=rng.randint(0, 180))
        text = f"针对{_name(rng, 4)}问题，{rng.choice(VERBS)}{rng.choice(OBJECTS)}，{rng.choice(DETAILS)}，{_name(rng, 6)}。"
        done = rng.random() < 0.45
        rows.append(
            MeasureRow(
                i, f"{i % 1000:03d}", text, unit, f"模拟单位{unit:05d}", inspection, "deadline",
                "done" if done else "in_progress", deadline, dt.date(2025, 3, 1),
                deadline - dt.timedelta(days=3) if done else None,
            )
        )  # fmt: skip
        at = start + dt.timedelta(days=rng.randint(1, 60), minutes=rng.randint(0, 600))
        reports.append(
            ReportRow(i, at, 40, f"已{rng.choice(DETAILS)}，{_name(rng, 10)}，完成{rng.randint(1, 9)}项。")
        )
        if done or rng.random() < 0.5:
            later = at + dt.timedelta(days=rng.randint(5, 40))
            reports.append(
                ReportRow(i, later, 100 if done else 70, f"{_name(rng, 12)}，{rng.choice(DETAILS)}。")
            )
            if rng.random() < 0.5:  # half the files are photos, each with its own perceptual hash
                evidence.append(
                    EvidenceRow(i, f"{rng.getrandbits(256):064x}", "现场照片.jpg", rng.getrandbits(64))
                )
            else:
                evidence.append(EvidenceRow(i, f"{rng.getrandbits(256):064x}", "佐证材料.pdf"))
            if done:
                signoffs.append(
                    SignOffRow(i, later + dt.timedelta(days=2), (later + dt.timedelta(days=3)).date())
                )
    data = LedgerData(rows, reports, evidence, signoffs)
    planted = _plant(data, rng)
    return data, planted


def _plant(data: LedgerData, rng: random.Random) -> dict[str, int]:
    """Overwrite a few generated rows with cases each signal must find; returns how many of each."""
    rows = data.measures
    n = len(rows)
    picks = rng.sample(range(n), 40)

    def put(index: int, **changes: object) -> None:
        old = rows[index]
        rows[index] = MeasureRow(**{**old.__dict__, **changes})  # type: ignore[arg-type]

    for index in picks[:5]:  # study-only, and no report of theirs says anything concrete
        put(index, text=STUDY)
        data.reports[:] = [r for r in data.reports if r.measure_id != rows[index].id]
    source = rows[picks[5]].text  # one text copied into four other units
    for index in picks[6:10]:
        put(index, text=source.replace("问题", "情况"))
    sha = "f" * 64  # one file attached in three units
    for index in picks[10:13]:
        data.evidence.append(EvidenceRow(rows[index].id, sha, "会议照片.jpg"))
    photo = rng.getrandbits(64)  # one photo re-encoded (3 bits of its dHash differ) in two units
    data.evidence.append(EvidenceRow(rows[picks[17]].id, "e" * 64, "整改前.jpg", photo))
    data.evidence.append(EvidenceRow(rows[picks[18]].id, "d" * 64, "整改后.jpg", photo ^ 0b10011))
    first = dt.datetime(2025, 8, 1, 10, 0, tzinfo=TZ)
    for index in picks[13:15]:  # sign-off three minutes after the first report (and 0 → 100 %)
        pk = rows[index].id
        data.reports[:] = [r for r in data.reports if r.measure_id != pk]
        data.reports.append(ReportRow(pk, first, 100, "已全部完成整改。"))
        data.signoffs.append(SignOffRow(pk, first + dt.timedelta(minutes=3), None))
    eve = dt.datetime(2025, 9, 29, 15, 0, tzinfo=TZ)
    unit_rows = [i for i, r in enumerate(rows) if r.inspection_id == rows[picks[15]].inspection_id][:6]
    for index in unit_rows:  # six sign-offs of one inspection the day before their deadline
        put(index, deadline=dt.date(2025, 9, 30))
        data.signoffs.append(SignOffRow(rows[index].id, eve, None))
    inspection = rows[picks[16]].inspection_id
    done = sum(1 for r in rows if r.inspection_id == inspection and r.status == "done")
    data.notices.append(
        NoticeRow(1, inspection, "关于巡察整改情况的通报", dt.date(2026, 1, 10), {"completed": done + 5})
    )
    return {
        "study_only": 5,
        "copied": 1,
        "reused_evidence": 2,
        "quick_signoff": 2,
        "deadline_rush": 1,
        "progress_jump": 2,
        "claims": 1,
    }


def compare(texts: list[str], total: int) -> None:
    shingled = [fold(t) for t in texts]
    try:
        from datasketch import MinHash, MinHashLSH
    except ImportError:
        print("datasketch       not installed (pip install datasketch)")
    else:
        sample = shingled[:20_000]
        t0 = time.perf_counter()
        sets = [[s[i : i + 3].encode() for i in range(len(s) - 2)] for s in sample]
        hashes = MinHash.bulk(sets, num_perm=32)
        lsh = MinHashLSH(threshold=0.8, num_perm=32)
        with lsh.insertion_session() as session:
            for i, m in enumerate(hashes):
                session.insert(i, m, check_duplication=False)
        spent = time.perf_counter() - t0
        print(
            f"datasketch       {len(sample):>7,} texts {spent:6.1f} s → {total:,} texts ≈ {spent * total / len(sample):6.0f} s"
        )
    try:
        from rapidfuzz import fuzz, process
    except ImportError:
        print("rapidfuzz        not installed (pip install rapidfuzz)")
    else:
        sample = shingled[:2_000]
        t0 = time.perf_counter()
        process.cdist(sample, sample, scorer=fuzz.ratio, score_cutoff=80, workers=1)
        spent = time.perf_counter() - t0
        estimate = spent * (total / len(sample)) ** 2
        print(
            f"rapidfuzz cdist  {len(sample):>7,} texts {spent:6.1f} s → {total:,} texts ≈ {estimate:6.0f} s (all pairs)"
        )
    t0 = time.perf_counter()
    near_duplicates(texts, list(range(len(texts))))
    print(f"numpy MinHash    {len(texts):>7,} texts {time.perf_counter() - t0:6.1f} s (this project)")


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--measures", type=int, default=300_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--compare", action="store_true")
    args = parser.parse_args()
    t0 = time.perf_counter()
    data, planted = generate(args.measures, args.seed)
    built = time.perf_counter() - t0
    print(
        f"ledger           {len(data.measures):,} measures, {len(data.reports):,} reports, "
        f"{len(data.evidence):,} files, {len(data.signoffs):,} sign-offs (generated in {built:.1f} s)"
    )
    if args.compare:
        compare([m.text for m in data.measures], len(data.measures))
    t0 = time.perf_counter()
    signals = scan(data)
    spent = time.perf_counter() - t0
    found = Counter(s.kind for s in signals)
    print(f"scan             {spent:.1f} s for all signals (goal {GOAL_SECONDS:.0f} s)")
    missed = []
    for kind, least in planted.items():
        print(f"  {kind:<16} {found.get(kind, 0):>7,} (planted {least})")
        if found.get(kind, 0) < least:
            missed.append(kind)
    if missed:
        print(f"MISSED planted cases: {', '.join(missed)}")
    return 1 if spent > GOAL_SECONDS or missed else 0


if __name__ == "__main__":
    sys.exit(main())
