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

The assessment table (``assessment_table``, filled from a round, not a form):

- ``{{ p.<row id> }}`` a row's points (the profile's ``[scoring]`` row ids), ``{{ c.<counter id> }}`` a
  counted figure against its target; ``{{ total }}`` ``{{ grade }}`` ``{{ rank }}`` ``{{ tier }}``;
- ``{{ round.period }}`` ``round.number`` ``round.state`` (provisional or published) ``round.published_on``.

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


# The seeds' own assessment tables, row by row: (一级指标, 二级指标, 三级指标, 考核说明, row id). A row id
# is the profile's [scoring] row whose points fill the row's last cell (tests/documents checks each).
ASSESSMENT_TABLES: dict[str, dict[str, object]] = {
    # seed 004 附件 衢州市学会服务站绩效考核表 (第十四条: 基本情况、运行情况、成果产出情况)
    "quzhou": {
        "title": "衢州市学会服务站绩效考核表",
        "columns": ("一级指标", "二级指标", "三级指标", "考核说明", "考核分"),
        "rows": (
            ("服务站建设基本情况（35分）", "基础建设（20分）", "设施保障（10分）",
             "服务站常设机构应有办公场所、相应的设备设施等（5分）；配备必要的工作人员（5分）", "facilities"),
            ("服务站建设基本情况（35分）", "基础建设（20分）", "经费保障及制度建设（10分）",
             "有完善的管理制度（2分）。资金使用规范、专款专用（2分）。建站单位配套运行经费和科研经费投入情况（3分）。"
             "建立专家数据库与项目数据库（3分）。", "funding_systems"),
            ("服务站建设基本情况（35分）", "运行管理（15分）", "项目策划（5分）",
             "按照项目合同书，有活动策划方案，涵盖合同书全部内容（5分）；有活动策划方案，涵盖合同书80%内容（3分）；"
             "有活动策划方案，涵盖合同书50%内容（1分）（以最高分计）", "project_planning"),
            ("服务站建设基本情况（35分）", "运行管理（15分）", "协同机制（4分）",
             "服务站与学会有明确合作内容（1分）；签订共建协议，制定共建计划等（2分）", "coordination"),
            ("服务站建设基本情况（35分）", "运行管理（15分）", "辐射效应（6分）",
             "服务站在全省范围内有辐射和示范效应（6分），在全市范围内有辐射和示范效应（4分），"
             "在全县范围内有辐射和示范效应（2分）（以最高分计）。", "radiation"),
            ("服务站运行情况（45分）", "活动开展（25分）", "引进专家及其创新团队在站的工作时间（5分）",
             "根据团队在服务站工作次数、时长。（平均年度工作时间30-40天计3分，40天以上计5分，低于30天的此项不得分。）",
             "expert_days"),
            ("服务站运行情况（45分）", "活动开展（25分）", "专家及团队开展咨询、讲座、培训活动（10分）",
             "根据服务站开展次数打分。形成产业发展报告、咨询报告、专业研究报告并有科技工作者建言献策等（每次计5分）；"
             "报告建议被政府、行业、企业采纳，建言献策获得领导批示（每次计5分）", "consulting"),
            ("服务站运行情况（45分）", "活动开展（25分）", "开展学术交流活动（10分）",
             "根据活动开展次数、层次打分。搭建合作交流平台，承办100人次以上的国际或国家级高层次学术会议、行业高峰论坛等"
             "（每次计10分）；承办科技沙龙、学术交流、技术研讨等（每次计5分）。", "exchange"),
            ("服务站运行情况（45分）", "创新人才培养（20分）", "人才培养及招才引智（10分）",
             "建立培训基地，助推人才工程项目，开展继续教育、人才评价等活动，举办100人以上培训项目（每次计5分）。"
             "引进院士等高层次海内外人才，帮助区域或企业建立院士工作站或院士合作项目（每次计5分）。", "talent"),
            ("服务站运行情况（45分）", "创新人才培养（20分）", "招商引资（10分）", "引进相关创新性企业（每次计10分）。",
             "investment"),
            ("服务站成果产出情况（20分）", "成果转化（5分）", "成果转化情况（5分）",
             "搭建产学研用全链条合作研发平台或创新团队，形成长效机制。科技成果转化与产业化（每项计5分）；"
             "科技成果转化为国家标准、行业标准（每项计5分）；转化为团体标准（每项计3分）本项不封顶。", "commercialised"),
            ("服务站成果产出情况（20分）", "技术攻关（5分）", "帮助企业破解技术难题情况（5分）",
             "组织专家对区域产业共性问题进行研究，推动产业发展升级或协助企业开展技术攻关，帮助企业破解技术难题"
             "（每次计5分）。本项不封顶。", "problems"),
            ("服务站成果产出情况（20分）", "奖项（5分）", "与服务站合作研究项目直接相关的奖项数量和级别（5分）",
             "根据获得市级以上奖项数量和级别打分。年度内获得市级及以上科技奖励1项者获5分，超过1项者，按市厅、省部级和"
             "国家级的分别另加2、3和4分。本项不封顶。", "awards"),
            ("服务站成果产出情况（20分）", "经济社会效益（5分）",
             "服务站直接产生的经济效益、产业共性技术开发、新产品增加数量、宣传报道情况、对区域经济的引领作用（5分）",
             "根据服务站直接产生的经济效益、产业共性技术开发、新产品增加数量、宣传报道情况、服务站研发对区域经济的引领"
             "作用情况打分。市级媒体报道1次加1分，省级媒体报道1次加3分，国家级媒体报道1次加5分。本项不封顶。", "media"),
        ),
        "results": (("考核等次", "grade"), ("排名", "rank")),
        # 第十六条（三）: the city 科协 reviews and assesses
        "signatures": (("考核单位意见", "评审组长（签字）：", "衢州市科学技术协会（盖章）"),
                       ("建站单位确认", "负责人（签字）：", "（盖章）")),
    },
    # seed 002 附件 市级质量服务站评价细则 (第十五条（三）: 基础建设、服务提供、服务实施、服务成效)
    "wuhan-qis": {
        "title": "武汉市市级质量服务站评价表",
        "columns": ("一级指标", "二级指标", "三级指标", "评价要点", "得分"),
        "rows": (
            ("基础建设（20分）", "组织管理（6分）", "组织架构（3分）",
             "组织架构完整，职责任务明确，确保组织内部分工协作、沟通及时、管理有序。设立站长1名，首席质量官1名，"
             "可视情况设立副站长1名，组建一批专业人员队伍。", "organisation"),
            ("基础建设（20分）", "组织管理（6分）", "经费保障（3分）",
             "建立经费保障机制，确保“一站式”服务的组织实施和日常运行所需经费有效供给。", "funding"),
            ("基础建设（20分）", "服务场所（8分）", "选址布局（2分）",
             "选择交通便利、配套设施完善、企业需求集中的区域，设立固定办公场地和服务窗口。", "location"),
            ("基础建设（20分）", "服务场所（8分）", "规模布局（2分）",
             "办公设备齐全，规模和功能布局满足业务受理、咨询指导、组织培训等活动开展需要。", "premises"),
            ("基础建设（20分）", "服务场所（8分）", "服务标识（4分）",
             "按照《一站式质量服务站建设服务工作导则》（武市监〔2021〕42号）相关要求，在主体建筑内、外悬挂统一规范的站牌，"
             "在服务窗口、服务功能区设置统一规范的窗口指示牌、服务公告栏、制度信息栏、办事指引牌等。", "signage"),
            ("基础建设（20分）", "管理制度（6分）", "制度建设（4分）",
             "制定包括人员管理、机构管理、专家管理、流程管理、信息安全管理等内容的管理制度，内容详实、指导性强。"
             "全面有效实施制度，建立制度实施档案并管理。", "systems"),
            ("基础建设（20分）", "管理制度（6分）", "信息公开（2分）",
             "管理制度、服务内容、服务方式、服务流程、监督投诉方式等信息公开展示。", "disclosure"),
            ("服务提供（30分）", "技术资源（5分）", "技术人员（2分）",
             "技术人员具有质量、标准化相关专业背景或5年以上质量、标准化从业经历，能够提供质量技术服务和技术培训，"
             "数量要求5名及以上。", "technical_staff"),
            ("服务提供（30分）", "技术资源（5分）", "协同资源（3分）",
             "建立覆盖“一站式”服务要素的服务机构库和专家库，规模满足业务开展所需的专业技术资质、良好商业信誉以及相应"
             "技术服务能力，定期维护和动态管理。", "partner_resources"),
            ("服务提供（30分）", "服务内容（25分）", "线下服务（10分）",
             "包括但不限于全年累计为200家以上企业提供质量技术培训服务，为100家以上企业提供标准比对服务，为30家以上企业"
             "提供质量问诊服务，为10家以上企业提供质量品牌集成服务，并建立服务事项清单及服务过程记录。", "offline_service"),
            ("服务提供（30分）", "服务内容（25分）", "线上服务（15分）",
             "入驻省市场监管智慧服务一张网服务平台或“汉检链”平台，建设线上服务站，全面展示站点基本情况、特色服务、"
             "资质证书、共享设备、专家团队等信息，提供线上质量服务。", "online_service"),
            ("服务实施（20分）", "服务流程（10分）", "需求收集（3分）",
             "组织人员开展服务需求收集、分析和确认，通过巡回问诊、上门调查、线上摸排等方式主动收集服务需求，建立相关记录。",
             "needs_collection"),
            ("服务实施（20分）", "服务流程（10分）", "服务对接（3分）",
             "及时响应服务需求，精准匹配服务资源，签订服务合同，提供合同化服务。", "service_matching"),
            ("服务实施（20分）", "服务流程（10分）", "过程管理（4分）",
             "开展服务过程质量跟踪，及时协调解决服务过程中出现的问题，建立相关记录。", "process_management"),
            ("服务实施（20分）", "服务反馈（10分）", "服务满意度评价（10分）",
             "开展服务满意度测评，围绕服务场所便利度、服务响应及时度、服务水平专业度、服务人员廉洁度、服务期望达成度开展"
             "评价，满意度高于80分。", "satisfaction"),
            ("服务成效（30分）", "服务效能（30分）", "质量服务创新（10分）",
             "成立产业链质量技术创新联合体，整合先进的计量、标准、检验检测、认证认可、知识产权等要素资源，支撑建圈强链，"
             "助推产业链供应链创新力、稳定性、可靠性和高端化。", "quality_innovation"),
            ("服务成效（30分）", "服务效能（30分）", "促进产业链质量提升（10分）",
             "开展重点产业链质量状况分析，分级分类形成质量问题清单，绘制质量图谱，实施关键环节质量攻坚，推动全链条质量"
             "协同升级。", "chain_quality"),
            ("服务成效（30分）", "服务效能（30分）", "经济效益（5分）",
             "全年服务企业数量达500家次以上，全年帮助企业发现并解决质量问题数量不少于100个。服务企业在节约成本、增长利润、"
             "带动区域经济发展等方面取得明显成效。", "economic_benefit"),
            ("服务成效（30分）", "服务效能（30分）", "社会效益（5分）",
             "服务企业在保护环境、带动就业、促进行业高质量发展等方面取得明显成效。总结工作情况，提炼典型案例，推广服务"
             "模式和经验做法，全年获得媒体宣传报道不少于5次。", "social_benefit"),
        ),
        "results": (("评价结论", "grade"), ("排名", "rank"), ("奖励等次", "tier")),
        # 第十五条（三）: experts organised by the city bureau evaluate
        "signatures": (("评价专家组意见", "评价专家（签字）：", ""),
                       ("评价单位意见", "负责人（签字）：", "武汉市市场监督管理局（盖章）")),
    },
}


def merge_runs(t: Table, column: int, first: int) -> None:
    """Merge each run of equal texts down ``column`` (the 一级/二级指标 spanning their rows)."""
    start = first
    rows = t.rows
    for index in range(first + 1, len(rows) + 1):
        if index == len(rows) or rows[index].cells[column].text != rows[start].cells[column].text:
            if index - 1 > start:
                text = rows[start].cells[column].text
                merged = rows[start].cells[column].merge(rows[index - 1].cells[column])
                merged.text = text
            start = index


def assessment_table(profile: str) -> Document:  # type: ignore[valid-type]
    """A station's assessment table of one round: the seed's own table, each row's points in its last cell."""
    spec = ASSESSMENT_TABLES[profile]
    layout = LAYOUTS[profile]
    scoring = all_profiles()[profile].scoring
    assert scoring is not None
    rows: tuple[tuple[str, str, str, str, str], ...] = spec["rows"]  # type: ignore[assignment]
    scored = {i.id for i in scoring.items if i.part_of is None}
    assert {r[4] for r in rows} == scored, f"{profile}: the table's rows differ from [scoring]: {scored ^ {r[4] for r in rows}}"
    counters = {}
    for item in scoring.items:
        if item.part_of is not None:
            counters.setdefault(item.part_of, []).append(item)
    document = Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = section.page_height, section.page_width
    section.left_margin = section.right_margin = Cm(1.8)
    fonts(document)
    document.core_properties.title = str(spec["title"])
    document.core_properties.created = document.core_properties.modified = dt.datetime(2027, 1, 1)
    paragraph(document, str(spec["title"]), size=16, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    paragraph(document, "考核年度：{{ round.period }}　考核编号：{{ round.number }}　{{ round.state }}", size=10,
              align=WD_ALIGN_PARAGRAPH.RIGHT)
    info = table(document, 2)
    for text, key in layout.station_rows:
        row(info, text, f"{{{{ station.{key} }}}}")
    widths = (Cm(3.2), Cm(3.0), Cm(4.6), Cm(10.8), Cm(3.0))
    t = table(document, 5)
    t.autofit = False
    for column, width in zip(t.columns, widths, strict=True):
        column.width = width
    row(t, *spec["columns"])  # type: ignore[arg-type]
    for first, second, third, explanation, row_id in rows:
        text = explanation
        if row_id in counters:
            figures = "；".join(f"{zh(T(c.label))} {{{{ c.{c.id} }}}}" for c in counters[row_id])
            text += f"\n台账统计：{figures}"
        row(t, first, second, third, text, f"{{{{ p.{row_id} }}}}")
    for column in (0, 1):
        merge_runs(t, column, 1)
    r = t.add_row()
    r.cells[0].merge(r.cells[3]).text = "合计（满分100分）"
    r.cells[4].text = "{{ total }}"
    for label_text, key in spec["results"]:  # type: ignore[attr-defined]
        r = t.add_row()
        r.cells[0].merge(r.cells[3]).text = label_text
        r.cells[4].text = f"{{{{ {key} }}}}"
    signatures(document, spec["signatures"], "以上得分依据服务站台账记录及评审专家评分填写。")  # type: ignore[arg-type]
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
            if kind.id == "assessment_table" and profile in ASSESSMENT_TABLES:
                assessment_table(profile).save(str(folder / "assessment_table.docx"))
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
