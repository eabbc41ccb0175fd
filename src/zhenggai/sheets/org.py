"""The organisation template (.xlsx): units and users of a province, written with XlsxWriter, read with calamine.

Pure Python, no Django. Two sheets: 单位 (单位名称, 简称, 上级单位, 类别) and 用户 (用户名, 姓名, 单位, 角色, 邮箱,
初始密码), and a third, 说明, that explains the columns. The file is untrusted: reading checks its zip directory
and the extent of its cells and runs calamine in a child process (zhenggai.untrusted), like the ledger reader.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path
from typing import IO, Protocol

import xlsxwriter
from python_calamine import CalamineError, CalamineWorkbook

from zhenggai.sheets.read import SheetReadError, _bytes
from zhenggai.untrusted import (
    Limits,
    RejectedFile,
    check_sheet_extent,
    check_zip,
    current_limits,
    run_isolated,
)

UNIT_SHEET = "单位"
USER_SHEET = "用户"
UNIT_COLUMNS = ("单位名称", "简称", "上级单位", "类别")
USER_COLUMNS = ("用户名", "姓名", "单位", "角色", "邮箱", "初始密码")
REQUIRED = {UNIT_SHEET: ("单位名称",), USER_SHEET: ("用户名", "单位", "角色")}
HEADER_SCAN_ROWS = 5

# What each column means; printed on the template's 说明 sheet and in the README.
COLUMN_NOTES: tuple[tuple[str, str, str], ...] = (
    (UNIT_SHEET, "单位名称", "必填。单位或内设部门的全称，同一上级单位下不重名。"),
    (UNIT_SHEET, "简称", "可空。"),
    (
        UNIT_SHEET,
        "上级单位",
        "上级单位的全称：系统中已有的，或本表中写在它上面的。重名时写出路径，如“临江区/区文旅局”。"
        "只有系统管理员可以留空（建顶层单位）。",
    ),
    (UNIT_SHEET, "类别", "地区、单位或内设部门；留空为“单位”。"),
    (
        USER_SHEET,
        "用户名",
        "必填，登录用，不能与其他人重复；已有的用户名按同一人处理（更新姓名、邮箱，添加角色）。",
    ),
    (USER_SHEET, "姓名", "可空。"),
    (USER_SHEET, "单位", "用户所在的单位或内设部门的全称（写法同“上级单位”）。"),
    (USER_SHEET, "角色", "巡察办、单位领导、部门经办人或查看。同一人有几个角色时写几行。"),
    (USER_SHEET, "邮箱", "可空。"),
    (
        USER_SHEET,
        "初始密码",
        "可空：留空时系统生成，导入后显示一次并可下载。已有用户的密码不会被修改。",
    ),
)

_EXAMPLE_UNITS = (
    ("临江区文化和旅游局", "区文旅局", "临江区", "单位"),
    ("办公室", "", "临江区/临江区文化和旅游局", "内设部门"),
)
_EXAMPLE_USERS = (
    ("zhangsan", "张三", "临江区文化和旅游局", "单位领导", "zhangsan@example.gov.cn", ""),
    ("lisi", "李四", "临江区/临江区文化和旅游局/办公室", "部门经办人", "", ""),
)


@dataclass
class OrgRow:
    number: int  # as Excel shows it, from 1
    cells: dict[str, str]  # column header → text ("" when empty)


@dataclass
class OrgSheet:
    name: str
    columns: list[str]  # the headers found, in this file's order
    rows: list[OrgRow] = field(default_factory=list)


@dataclass
class OrgBook:
    units: OrgSheet | None
    users: OrgSheet | None


def write_template(target: str | Path | IO[bytes], *, examples: bool = False) -> None:
    """The empty template (with two example rows per sheet when `examples`) and its 说明 sheet."""
    workbook = xlsxwriter.Workbook(target, {"in_memory": True, "strings_to_formulas": False})
    head = workbook.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    text = workbook.add_format({"num_format": "@"})
    for sheet_name, columns, rows in (
        (UNIT_SHEET, UNIT_COLUMNS, _EXAMPLE_UNITS),
        (USER_SHEET, USER_COLUMNS, _EXAMPLE_USERS),
    ):
        sheet = workbook.add_worksheet(sheet_name)
        sheet.freeze_panes(1, 0)
        for col, title in enumerate(columns):
            sheet.write_string(0, col, title, head)
            sheet.set_column(col, col, 28 if title in ("单位名称", "上级单位", "单位") else 16, text)
        for r, values in enumerate(rows if examples else (), start=1):
            for col, value in enumerate(values):
                if value:
                    sheet.write_string(r, col, value, text)
    notes = workbook.add_worksheet("说明")
    notes.set_column(0, 1, 12)
    notes.set_column(2, 2, 90)
    for col, title in enumerate(("工作表", "列", "说明")):
        notes.write_string(0, col, title, head)
    for r, values in enumerate(COLUMN_NOTES, start=1):
        for col, value in enumerate(values):
            notes.write_string(r, col, value)
    last = len(COLUMN_NOTES) + 2
    notes.write_string(
        last,
        2,
        "导入时先试导入（列出将要新建和修改的内容以及每一处错误），确认后一次写入；有任何错误则什么也不写。",
    )
    notes.write_string(last + 1, 2, "再次导入同一文件不会重复建单位或用户。")
    notes.write_string(last + 3, 0, "示例", head)
    r = last + 4
    for sheet_name, rows in ((UNIT_SHEET, _EXAMPLE_UNITS), (USER_SHEET, _EXAMPLE_USERS)):
        for values in rows:
            notes.write_string(r, 0, sheet_name)
            notes.write_string(r, 2, "｜".join(value or "（空）" for value in values))
            r += 1
    workbook.close()


def read_org(
    source: str | Path | IO[bytes], name: str | None = None, limits: Limits | None = None
) -> OrgBook:
    """Read the 单位 and 用户 sheets of an untrusted .xlsx; a file that cannot be used is a SheetReadError."""
    label = name or (Path(source).name if isinstance(source, str | Path) else "上传的文件")
    data = _bytes(source, label)
    limits = limits or current_limits()
    try:
        check_zip(data, limits)
        check_sheet_extent(data, limits)
        return run_isolated(_read_book, data, label, limits=limits, passthrough=(SheetReadError,))
    except RejectedFile as exc:
        raise SheetReadError(exc.message) from None


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # a username or password Excel took for a number
    return str(value).strip()


def _read_book(data: bytes, label: str) -> OrgBook:
    """In the child: calamine reads both sheets."""
    try:
        workbook = CalamineWorkbook.from_filelike(BytesIO(data))
    except (CalamineError, OSError, ValueError):
        raise SheetReadError(f"文件“{label}”已损坏，无法作为 .xlsx 读取。") from None
    names = set(workbook.sheet_names)
    sheets: dict[str, OrgSheet | None] = {}
    for sheet_name, expected in ((UNIT_SHEET, UNIT_COLUMNS), (USER_SHEET, USER_COLUMNS)):
        if sheet_name not in names:
            sheets[sheet_name] = None
            continue
        try:
            grid = workbook.get_sheet_by_name(sheet_name).to_python(skip_empty_area=False)
        except CalamineError:
            raise SheetReadError(f"文件“{label}”的工作表“{sheet_name}”无法读取，文件可能已损坏。") from None
        sheets[sheet_name] = _sheet(sheet_name, expected, [[_text(v) for v in row] for row in grid])
    if sheets[UNIT_SHEET] is None and sheets[USER_SHEET] is None:
        raise SheetReadError(
            f"文件“{label}”中没有“{UNIT_SHEET}”或“{USER_SHEET}”工作表。请下载导入模板，按模板填写后再导入。"
        )
    return OrgBook(units=sheets[UNIT_SHEET], users=sheets[USER_SHEET])


def _sheet(sheet_name: str, expected: tuple[str, ...], grid: list[list[str]]) -> OrgSheet:
    for index, row in enumerate(grid[:HEADER_SCAN_ROWS]):
        headers = {
            value.replace(" ", "").replace("\u3000", ""): col for col, value in enumerate(row) if value
        }
        if any(title in headers for title in REQUIRED[sheet_name]):
            missing = [title for title in REQUIRED[sheet_name] if title not in headers]
            if missing:
                names = "、".join(f"“{title}”" for title in missing)
                raise SheetReadError(f"工作表“{sheet_name}”第{index + 1}行的表头缺少{names}列。")
            columns = [title for title in expected if title in headers]
            sheet = OrgSheet(sheet_name, columns)
            for number, line in enumerate(grid[index + 1 :], start=index + 2):
                cells = {
                    title: line[headers[title]] if headers[title] < len(line) else "" for title in columns
                }
                if any(cells.values()):
                    sheet.rows.append(OrgRow(number, cells))
            return sheet
    names = "、".join(f"“{title}”" for title in REQUIRED[sheet_name])
    raise SheetReadError(f"工作表“{sheet_name}”的前{HEADER_SCAN_ROWS}行里找不到表头（须有{names}列）。")


class PasswordRow(Protocol):
    username: str
    full_name: str
    unit: str
    password: str


def write_passwords(rows: Sequence[PasswordRow], target: str | Path | IO[bytes]) -> None:
    """The initial passwords the system generated in one import: written once for the importer, never stored."""
    workbook = xlsxwriter.Workbook(target, {"in_memory": True, "strings_to_formulas": False})
    head = workbook.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    sheet = workbook.add_worksheet("初始密码")
    for col, (title, width) in enumerate((("用户名", 18), ("姓名", 12), ("单位", 40), ("初始密码", 18))):
        sheet.write_string(0, col, title, head)
        sheet.set_column(col, col, width)
    for r, row in enumerate(rows, start=1):
        for col, value in enumerate((row.username, row.full_name, row.unit, row.password)):
            sheet.write_string(r, col, value)
    sheet.freeze_panes(1, 0)
    workbook.close()
