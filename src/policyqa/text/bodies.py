"""Government bodies a question may ask about, so that a question about a body no passage mentions is
declined, as one about a drug or a place abroad is.

The policy documents name the health-insurance, health and drug regulators; a question about what the
Ministry of Finance or Hong Kong's Department of Health does is no question they answer, and quoting the
NHSA's sentence that best matches its other words reads as an answer about that body. The list holds
national bodies (and the Hong Kong and Macao regulators) by their Chinese name with their common forms
in both languages; a body counts as mentioned when any of its forms is in a passage found.
"""

from __future__ import annotations

from .places import Names

#: Chinese name -> forms in either language (the first English form names it in an English refusal)
BODIES: dict[str, tuple[str, ...]] = {
    "财政部": ("Ministry of Finance", "MOF", "财政部"),
    "商务部": ("Ministry of Commerce", "MOFCOM", "商务部"),
    "教育部": ("Ministry of Education", "教育部"),
    "科学技术部": ("Ministry of Science and Technology", "MOST", "科学技术部", "科技部"),
    "工业和信息化部": ("Ministry of Industry and Information Technology", "MIIT", "工业和信息化部", "工信部"),
    "人力资源和社会保障部": ("Ministry of Human Resources and Social Security", "MOHRSS",
                   "人力资源和社会保障部", "人社部"),
    "民政部": ("Ministry of Civil Affairs", "民政部"),
    "司法部": ("Ministry of Justice", "司法部"),
    "公安部": ("Ministry of Public Security", "公安部"),
    "生态环境部": ("Ministry of Ecology and Environment", "生态环境部"),
    "农业农村部": ("Ministry of Agriculture and Rural Affairs", "农业农村部"),
    "审计署": ("National Audit Office", "审计署"),
    "海关总署": ("General Administration of Customs", "GACC", "海关总署"),
    "国家税务总局": ("State Taxation Administration", "国家税务总局", "税务总局"),
    "国家市场监督管理总局": ("State Administration for Market Regulation", "SAMR",
                   "国家市场监督管理总局", "市场监管总局"),
    "国家知识产权局": ("China National Intellectual Property Administration", "CNIPA", "国家知识产权局"),
    "国家中医药管理局": ("National Administration of Traditional Chinese Medicine", "NATCM",
                  "国家中医药管理局", "国家中医药局"),
    "国家疾病预防控制局": ("National Disease Control and Prevention Administration", "国家疾病预防控制局",
                   "国家疾控局"),
    "国家统计局": ("National Bureau of Statistics", "国家统计局"),
    "中国证监会": ("China Securities Regulatory Commission", "CSRC", "证监会"),
    "国家金融监督管理总局": ("National Financial Regulatory Administration", "NFRA",
                   "国家金融监督管理总局", "金融监管总局", "银保监会"),
    "国务院国资委": ("State-owned Assets Supervision and Administration Commission", "SASAC", "国资委"),
    "香港卫生署": ("Hong Kong Department of Health", "Department of Health of Hong Kong",
              "香港卫生署", "卫生署"),
    "澳门药物监督管理局": ("Macao Pharmaceutical Administration Bureau", "ISAF", "澳门药物监督管理局",
                   "药物监督管理局"),
}


_BODIES = Names(BODIES, acronym=6)


def bodies_named(text: str) -> set[str]:
    """The listed bodies (by Chinese name) a text mentions in either language."""
    return _BODIES.found(text)


def unmentioned_bodies(question: str, passages: str) -> set[str]:
    """The listed bodies the question names that the passages mention in neither language."""
    asked = bodies_named(question)
    return asked - bodies_named(passages) if asked else set()
