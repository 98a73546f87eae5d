"""Build the Word templates of the paper documents (run once after changing a form or a layout).

    .venv/bin/python tools/make_document_templates.py

The bot never runs this: at run time it only *fills* the .docx files written here
(``rules/profiles/documents/<profile>/<kind>.docx``) with docxtpl. The files may also be
edited by hand in Word, or replaced by a regulation's own form with the same placeholders:

- ``{{ f.<field> }}`` an answer as text; ``{{ box.<field>.<choice id> }}`` ☑/☐;
- ``{%tr if shown.<field> %}`` … ``{%tr endif %}`` rows only for questions that applied;
- ``{%tr for r in rows.<table> %}`` … ``{{ r.n }}`` ``{{ r.<column> }}`` … ``{%tr endfor %}``;
- ``{{ total.<table> }}`` / ``{{ capital.<table> }}`` the money total in figures / 人民币大写;
- ``{{ station.name }}`` ``station.plaque_name`` ``station.host_unit_name`` ``station.credit_code``
  ``station.approval_number`` ``station.region`` ``station.society``;
- ``{{ doc.number }}`` ``doc.version`` ``doc.submitted_on`` ``doc.year``;
- ``{%tr for c in facts.ledger %}`` ``{{ c.label }}`` ``{{ c.count }}`` (summaries: the ledger's counts).

Titles and signature/stamp blocks follow each seed's own forms (seed 000 附件1-1/1-2, seed 003
申报书 五/六, seed 004 申请书).
"""

from __future__ import annotations

import datetime as dt
import sys
from dataclasses import dataclass
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from docx.table import Table

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from conversations.fields import FormContext, options
from conversations.formspec import FieldSpec, load_form
from locales import T, translator
from rules.documents import DOCUMENTS_DIR, registry
from rules.profile import all_profiles

FONT = "宋体"  # what Chinese offices print with; LibreOffice falls back to the CJK font fontconfig names
LABEL_WIDTH, VALUE_WIDTH, NUMBER_WIDTH = Cm(4.2), Cm(11.8), Cm(1.2)
MAX_BOXES = 12
zh = translator("zh_Hans")


@dataclass(frozen=True)
class Layout:
    """One regulation's paper: the name on its documents, how it names the station, who signs."""

    organisation: str
    station_rows: tuple[tuple[str, str], ...]
    signatures: tuple[tuple[str, str, str], ...]  # (whose opinion, signature line, stamp line)
    declaration: str = "本单位保证提交的资料全部真实、有效。"


COMMON_ROWS = (("统一社会信用代码", "credit_code"), ("所在地区", "region"))
LAYOUTS = {
    # seed 000 附件1-1 (单位（盖章） 单位负责人（签字） 年 月 日) and 附件1-2 (依托单位/省级学会 …（公章） 年 月 日)
    "gd-quality": Layout("广东省质量发展促进会科技服务站",
                         (("站点名称", "name"), ("依托单位", "host_unit_name"), *COMMON_ROWS,
                          ("省科协核定编号", "approval_number")),
                         (("站点依托单位意见", "单位负责人（签字）：", "（公章）"),
                          ("省级学会意见", "负责人（签字）：", "（公章）"))),
    # seed 001: the society and the host unit build the station; the city/county 科协 co-manages it
    "gd-scst": Layout("广东省学会科技服务站",
                      (("站点名称", "name"), ("依托单位", "host_unit_name"), *COMMON_ROWS,
                       ("建站学会", "society")),
                      (("站点依托单位意见", "单位负责人（签字）：", "（公章）"),
                       ("建站学会意见", "负责人（签字）：", "（公章）"),
                       ("站点所在地市科协意见", "负责人（签字）：", "（公章）"))),
    # seed 002 第十四条 (建设主体 applies; 市市场监管局 evaluates)
    "wuhan-qis": Layout("武汉市质量基础设施“一站式”服务站",
                        (("服务站名称", "name"), ("建设主体", "host_unit_name"), *COMMON_ROWS),
                        (("建设主体意见", "法定代表人（签字）：", "（盖章）"),)),
    # seed 003 申报书 五、项目申报方（乙方）审核意见 and 六、监管单位（贵阳市科协）审核意见
    "guiyang-kczg": Layout("“科创中国”贵阳学会产业科技服务工作站",
                           (("工作站名称", "name"), ("建站学会", "society"), ("需求单位", "host_unit_name"),
                            *COMMON_ROWS),
                           (("申报单位意见", "单位负责人（签名）：", "单位公章："),
                            ("监管单位（贵阳市科协）审核意见", "负责人：", "（盖章）"))),
    # seed 004 申请书: 申报单位 / 县(市、区)科协 / 市科协 意见 (盖章) 年 月 日
    "quzhou": Layout("衢州市全国（省级）学会服务站",
                     (("学会服务站名称", "name"), ("建站学会", "society"), ("申报单位", "host_unit_name"),
                      *COMMON_ROWS),
                     (("申报单位意见", "法定代表人（签章）：", "（盖章）"),
                      ("县(市、区)科协意见", "", "（盖章）"),
                      ("市科协意见", "", "（盖章）"))),
}

TITLES: dict[str, str | dict[str, str]] = {
    "change_report": "变更报告", "annual_plan": "{{ doc.year }}年度工作计划",
    "annual_summary": "{{ doc.year }}年度工作总结", "rectification_report": "整改报告",
    "efficiency_report": "{{ doc.year }}年度服务效能评估报告", "self_check": "{{ doc.year }}年度自查报告",
    # seed 000 附件1-1 申请表; seed 002 第十四条（一） 评价申请书; seed 003 附件1 申报书; seed 004 附件 申请书
    "application": {"gd-quality": "申请表", "gd-scst": "申请表", "wuhan-qis": "评价申请书",
                    "guiyang-kczg": "建设申报书", "quzhou": "申请书"},
}
# Who signs an application (seed 000 附件1-1: 单位（盖章） 单位负责人（签字）; seed 004: five opinions).
APPLICATION_SIGNATURES = {
    "gd-quality": (("申请单位", "单位负责人（签字）：", "单位（盖章）："),),
    "gd-scst": (("申请单位", "单位负责人（签字）：", "单位（盖章）："), ("建站学会意见", "负责人（签字）：", "（公章）")),
    "wuhan-qis": (("建设主体", "法定代表人（签字）：", "（盖章）"),),
    "quzhou": (("申报单位意见", "法定代表人（签章）：", "（盖章）"), ("县(市、区)科协意见", "", "（盖章）"),
               ("县(市、区)委人才办意见", "", "（盖章）"), ("市科协意见", "", "（盖章）"),
               ("市委人才办意见", "", "（盖章）")),
}
DECLARATIONS = {"wuhan-qis": "本单位承诺：所提交的申请材料真实、准确、完整。"}  # seed 002 第十四条（七）

# The documents' own wording for each question (the chat asks "What has changed?", paper says 变更事项).
DOC_LABELS = {
    "kind": "变更事项", "event_date": "变更生效日期", "new_person_name": "新任人员姓名",
    "new_person_position": "所属部门及职务", "new_person_phone": "联系电话", "new_host_name": "变更后依托单位名称",
    "new_credit_code": "变更后统一社会信用代码", "new_address": "变更后站点地址", "new_phone": "变更后联系电话",
    "old_value": "变更前情况", "explanation": "变更情况及原因说明", "attachments": "附件",
    "year": "年度", "goals": "年度工作目标", "activities": "计划开展的服务活动", "phases": "实施步骤（筹备、实施、总结、评估等阶段）",
    "budget": "经费支出预算", "achievements": "主要工作及成效", "problems": "存在的问题与不足",
    "next_direction": "下一年度工作思路",
    "measures": "整改措施", "results": "整改结果",
    "activity_type": "活动类别", "target": "计划数量", "phase": "阶段", "start": "开始日期", "end": "结束日期",
    "category": "经费类别", "content": "支出内容", "amount": "金额（元）", "basis": "测算依据",
    # the application (seed 000 附件1-1, seed 004 申请书 and seed 003 申报书 wording)
    "station_name": "服务站名称", "station_type": "站点类型", "region": "所在地区", "host_name": "申请单位名称",
    "host_credit_code": "统一社会信用代码", "host_legal_rep": "法人代表", "host_address": "通讯地址",
    "host_founded_on": "成立日期", "unit_types": "单位性质", "business_fields": "业务领域",
    "host_situation": "申请单位基本情况", "society_name": "建站学会名称", "society_level": "学会级别",
    "society_situation": "建站学会基本情况", "contact_name": "联系人", "contact_position": "所属部门及职务",
    "contact_phone": "联系电话", "contact_email": "电子邮箱", "applicant_role": "申请人在站内的职务",
    "team": "工作团队", "professionals": "专业人员人数", "experts": "进站专家人数", "premises": "办公场所及设施",
    "integrity": "无涉黑涉恶、失信情况", "purpose_plan": "建站目的及工作计划", "agreement_start": "合作协议起始日期",
    "agreement_end": "合作协议截止日期", "agreement_file": "合作协议", "licence_files": "登记证书及证照",
    "stamped_application": "盖章申请书", "org_size": "组织规模", "main_products": "主导产品/服务",
    "quality_work": "近三年来组织在质量科技创新方面的做法及成效", "full_time_staff": "专职工作人员人数",
    "part_time_staff": "兼职工作人员人数", "chief_quality_officer": "首席质量官", "systems_files": "管理制度和程序文件",
    "audit_report": "上年度财务审计报告", "project_list": "近三年服务项目清单及能力材料",
}
FORM_LABELS = {
    ("rectification_report", "problems"): "考核发现的问题",
    # seed 002 第十六条: 基础建设、服务提供、服务实施、服务成效
    ("efficiency_report", "infrastructure"): "基础建设", ("efficiency_report", "provision"): "服务提供",
    ("efficiency_report", "implementation"): "服务实施", ("efficiency_report", "results"): "服务成效",
    ("efficiency_report", "improvements"): "持续优化服务的措施",
    # seed 003 四（三）2: what the yearly assessment looks at
    ("self_check", "operation"): "工作站运行情况", ("self_check", "advice_adopted"): "咨询建议获领导批示或有关部门采纳情况",
    ("self_check", "major_projects"): "获得重大科技专项情况", ("self_check", "results_commercialised"): "转化落地科研成果数量",
    ("self_check", "talent"): "培养、引进高层次人才情况", ("self_check", "standards"): "制定省级及以上技术标准数量",
    ("self_check", "awards"): "获市级及以上科技奖项情况", ("self_check", "economic_benefit"): "技术攻关成果取得经济效益情况",
}
PROFILE_LABELS = {
    ("quzhou", "goals"): "年度工作目标及合作项目进展目标",
    ("wuhan-qis", "achievements"): "服务效能自评：主要工作及成效",
}


def label(profile: str, spec: FieldSpec, form_id: str = "") -> str:
    return (PROFILE_LABELS.get((profile, spec.name)) or FORM_LABELS.get((form_id, spec.name))
            or DOC_LABELS.get(spec.name) or zh(T(spec.label)))


def fonts(document: Document) -> None:  # type: ignore[valid-type]
    style = document.styles["Normal"]
    style.font.name = FONT
    style.font.size = Pt(11)
    style.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), FONT)


def paragraph(document: Document, text: str, *, size: int = 11, bold: bool = False,  # type: ignore[valid-type]
              align: WD_ALIGN_PARAGRAPH = WD_ALIGN_PARAGRAPH.LEFT) -> None:
    p = document.add_paragraph()
    p.alignment = align
    run = p.add_run(text)
    run.bold = bold
    run.font.size = Pt(size)


def table(document: Document, columns: int) -> Table:  # type: ignore[valid-type]
    t: Table = document.add_table(rows=0, cols=columns)
    t.style = "Table Grid"
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    if columns == 2:
        t.autofit = False
        t.columns[0].width, t.columns[1].width = LABEL_WIDTH, VALUE_WIDTH
    return t


def row(t: Table, *cells: str) -> None:
    r = t.add_row()
    for i, text in enumerate(cells):
        r.cells[i].text = text
    if len(cells) == 2 and len(t.columns) == 2:
        r.cells[0].width, r.cells[1].width = LABEL_WIDTH, VALUE_WIDTH


def tag_row(t: Table, tag: str) -> None:
    """A row holding only a docxtpl ``{%tr … %}`` tag; docxtpl removes it when filling."""
    r = t.add_row()
    r.cells[0].text = tag


def boxes(profile: str, spec: FieldSpec) -> str | None:
    """☐ 站长变更 ☐ 联络人变更 …, as paper forms list the options; None for long catalogues."""
    from bot.form_context import profile_choices  # the same catalogue the chat offers

    ctx = FormContext(today=dt.date(2027, 1, 1), profile_id=profile,
                      choices=profile_choices(all_profiles()[profile]))
    found = options(spec, ctx)
    if not found or len(found) > MAX_BOXES:
        return None
    return "　".join(f"{{{{ box.{spec.name}.{cid} }}}}{zh(text)}" for cid, text in found)


def field_rows(t: Table, profile: str, spec: FieldSpec, form_id: str = "") -> None:
    if spec.relevant:
        tag_row(t, f"{{%tr if shown.{spec.name} %}}")
    value = boxes(profile, spec) if spec.type in {"choice", "multi_choice", "yes_no"} else None
    row(t, label(profile, spec, form_id), value or f"{{{{ f.{spec.name} }}}}")
    if spec.relevant:
        tag_row(t, "{%tr endif %}")


def repeat_table(document: Document, profile: str, spec: FieldSpec) -> None:  # type: ignore[valid-type]
    paragraph(document, label(profile, spec), bold=True)
    columns = list(spec.fields)
    t = table(document, len(columns) + 1)
    t.autofit = False
    rest = (LABEL_WIDTH + VALUE_WIDTH - NUMBER_WIDTH) / len(columns)
    for index, column in enumerate(t.columns):
        column.width = NUMBER_WIDTH if index == 0 else int(rest)
    row(t, "序号", *(label(profile, c) for c in columns))
    tag_row(t, f"{{%tr for r in rows.{spec.name} %}}")
    row(t, "{{ r.n }}", *(f"{{{{ r.{c.name} }}}}" for c in columns))
    tag_row(t, "{%tr endfor %}")
    if any(c.type == "money" for c in columns):
        total = f"合计：￥{{{{ total.{spec.name} }}}}（人民币大写：{{{{ capital.{spec.name} }}}}）"
        r = t.add_row()
        r.cells[0].text = "合计"
        r.cells[1].merge(r.cells[-1]).text = total


def ledger_table(document: Document) -> None:  # type: ignore[valid-type]
    paragraph(document, "本年度台帐记录的服务活动", bold=True)
    t = table(document, 2)
    row(t, "活动类别", "次数")
    tag_row(t, "{%tr for c in facts.ledger %}")
    row(t, "{{ c.label }}", "{{ c.count }}")
    tag_row(t, "{%tr endfor %}")


def signatures(document: Document, blocks: tuple[tuple[str, str, str], ...],  # type: ignore[valid-type]
               declaration: str) -> None:
    """The opinion, signature and stamp blocks, at most three to a row: …意见： （盖章） 年 月 日."""
    paragraph(document, declaration)
    width = min(len(blocks), 3)
    t = table(document, width)
    for column in t.columns:
        column.width = int((LABEL_WIDTH + VALUE_WIDTH) / width)
    for start in range(0, len(blocks), width):
        r = t.add_row()
        for cell, (whose, signer, stamp) in zip(r.cells, blocks[start:start + width], strict=False):
            lines = [f"{whose}：", "", "", signer, stamp, "", "年　　月　　日"]
            cell.text = "\n".join(lines)


def title(profile: str, kind_id: str) -> str:
    suffix = TITLES[kind_id]
    return LAYOUTS[profile].organisation + (suffix if isinstance(suffix, str) else suffix[profile])


def build(profile: str, kind_id: str, form_id: str) -> Document:  # type: ignore[valid-type]
    layout = LAYOUTS[profile]
    application = kind_id == "application"
    form = load_form(form_id, profile)
    document = Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.left_margin = section.right_margin = Cm(2.2)
    fonts(document)
    document.core_properties.title = title(profile, kind_id)
    document.core_properties.created = document.core_properties.modified = dt.datetime(2027, 1, 1)
    paragraph(document, title(profile, kind_id), size=16, bold=True,
              align=WD_ALIGN_PARAGRAPH.CENTER)
    paragraph(document, "编号：{{ doc.number }}　版本：{{ doc.version }}　提交日期：{{ doc.submitted_on }}",
              size=10, align=WD_ALIGN_PARAGRAPH.RIGHT)
    t = table(document, 2)
    for text, key in () if application else layout.station_rows:  # an application has no station yet
        row(t, text, f"{{{{ station.{key} }}}}")
    later: list[FieldSpec] = []
    for spec in form.fields:
        if spec.type == "repeat":
            later.append(spec)
        elif spec.type != "attachment":
            field_rows(t, profile, spec, form_id)
    for spec in later:
        repeat_table(document, profile, spec)
    if form_id == "annual_summary":
        ledger_table(document)
    attachments = [s for s in form.fields if s.type == "attachment"]
    if attachments:
        t = table(document, 2)
        for spec in attachments:
            field_rows(t, profile, spec)
    blocks = APPLICATION_SIGNATURES.get(profile, layout.signatures) if application else layout.signatures
    signatures(document, blocks, DECLARATIONS.get(profile, layout.declaration) if application else layout.declaration)
    return document


def filing_form() -> Document:  # type: ignore[valid-type]
    """gd-quality 附件1-2 《省级学会建立科技服务站备案表》, cell for cell, filled from the application.

    The society completes it for the provincial 科协 (seed 000 第七条（三）): what the application
    does not ask (postcode, hotline, the approval number) stays blank for the society to write in.
    """
    document = Document()
    fonts(document)
    section = document.sections[0]
    section.left_margin = section.right_margin = Cm(2.2)
    document.core_properties.title = "省级学会建立科技服务站备案表"
    document.core_properties.created = document.core_properties.modified = dt.datetime(2027, 1, 1)
    paragraph(document, "省级学会建立科技服务站备案表", size=16, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    paragraph(document, "编号：{{ doc.number }}　版本：{{ doc.version }}　提交日期：{{ doc.submitted_on }}",
              size=10, align=WD_ALIGN_PARAGRAPH.RIGHT)
    t = table(document, 4)
    for column, width in zip(t.columns, (Cm(3.6), Cm(5.2), Cm(3.0), Cm(4.2)), strict=True):
        column.width = width

    def pair(a: str, b: str, c: str, d: str) -> None:
        row(t, a, b, c, d)

    def wide(label_text: str, value: str) -> None:
        r = t.add_row()
        r.cells[0].text = label_text
        r.cells[1].merge(r.cells[3]).text = value

    def full(text: str) -> None:
        r = t.add_row()
        r.cells[0].merge(r.cells[3]).text = text

    types = boxes("gd-quality", load_form("station_application", "gd-quality").field("station_type"))  # type: ignore[arg-type]
    pair("站点名称", "{{ f.station_name }}", "拟建站时间", "{{ f.agreement_start }}")
    pair("站点地址", "{{ f.host_address }}", "邮　编", "")
    wide("依托单位", "{{ f.host_name }}")
    pair("站点负责人\n姓名/职务", "{{ f.contact_name }}　{{ f.contact_position }}", "联系电话/手机", "{{ f.contact_phone }}")
    wide("站点负责人\n工作单位及职务", "{{ f.host_name }}　{{ f.contact_position }}")
    wide("站点类型", types or "{{ f.station_type }}")
    pair("站点对外公布\n专线电话", "", "学会专责人员\n姓名及电话", "")
    full("服务站工作任务：\n{{ f.purpose_plan }}")
    full("站点管理制度（具体制度另附页）：\n"
         "1. 是否签定学会与依托单位合作共建站点协议 {{ '是（协议已附）' if f.agreement_file else '_____' }}\n"
         "2. 是否建立站点目标责任制_____\n3. 是否建立岗位责任制_____\n4. 是否建立站点各项工作制度_____")
    wide("省科协核定编号", "")
    blocks = (("站点依托单位意见（另页附依托单位简况）", "", "（公章）"), ("站点所在地市科协意见", "", "（公章）"),
              ("省级学会意见", "", "（公章）"), ("省科协意见", "", "（公章）"))
    s = table(document, 4)
    r = s.add_row()
    for cell, (whose, _, stamp) in zip(r.cells, blocks, strict=True):
        cell.text = "\n".join([f"{whose}：", "", "", stamp, "", "年　　月　　日"])
    return document


def rectifies(profile: str) -> bool:
    assessment = all_profiles()[profile].assessment
    return assessment is not None and any(c.action == "rectification" for c in assessment.consequences)


def main() -> None:
    written = 0
    for profile in LAYOUTS:
        assert profile in all_profiles(), profile
        folder = DOCUMENTS_DIR / profile
        folder.mkdir(parents=True, exist_ok=True)
        for kind in registry():
            if kind.id == "filing_form" and profile == "gd-quality":
                filing_form().save(str(folder / "filing_form.docx"))
                written += 1
            if kind.id not in TITLES:
                continue  # kinds whose templates are authored elsewhere (by hand, or their own builder)
            if kind.id == "annual_summary" and all_profiles()[profile].submission("summary") is None:
                continue  # guiyang-kczg asks a self-check report instead of a summary (seed 003 四（三）3)
            if kind.id == "application" and all_profiles()[profile].application is None:
                continue  # gd-scst (seed 001) prescribes no application form
            if kind.id in {"efficiency_report", "self_check"} and all_profiles()[profile].submission(kind.id) is None:
                continue  # a yearly duty only the profiles that ask it have (seed 002 第十六条, seed 003 四（三）)
            if kind.id == "rectification_report" and not rectifies(profile):
                continue  # wuhan-qis revokes (seed 002 第十八条); it has no rectification
            build(profile, kind.id, kind.form).save(str(folder / f"{kind.id}.docx"))
            written += 1
    print(f"wrote {written} templates under {DOCUMENTS_DIR}")


if __name__ == "__main__":
    main()
