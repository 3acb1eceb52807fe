"""Chinese provinces and large cities in both languages, and the places a text names."""

from __future__ import annotations

import re

#: provinces and large cities as (English, Chinese): a question naming a place that no retrieved passage
#: (nor its document's title or region) mentions asks about something the documents do not cover
PLACES: tuple[tuple[str, str], ...] = (
    ("Beijing", "北京"), ("Tianjin", "天津"), ("Hebei", "河北"), ("Shanxi", "山西"),
    ("Inner Mongolia", "内蒙古"), ("Liaoning", "辽宁"), ("Jilin", "吉林"), ("Heilongjiang", "黑龙江"),
    ("Shanghai", "上海"), ("Jiangsu", "江苏"), ("Zhejiang", "浙江"), ("Anhui", "安徽"),
    ("Fujian", "福建"), ("Jiangxi", "江西"), ("Shandong", "山东"), ("Henan", "河南"),
    ("Hubei", "湖北"), ("Hunan", "湖南"), ("Guangdong", "广东"), ("Guangxi", "广西"),
    ("Hainan", "海南"), ("Chongqing", "重庆"), ("Sichuan", "四川"), ("Guizhou", "贵州"),
    ("Yunnan", "云南"), ("Tibet", "西藏"), ("Shaanxi", "陕西"), ("Gansu", "甘肃"),
    ("Qinghai", "青海"), ("Ningxia", "宁夏"), ("Xinjiang", "新疆"), ("Hong Kong", "香港"),
    ("Macao", "澳门"), ("Macau", "澳门"), ("Taiwan", "台湾"), ("Guangzhou", "广州"),
    ("Shenzhen", "深圳"), ("Chengdu", "成都"), ("Wuhan", "武汉"), ("Hangzhou", "杭州"),
    ("Nanjing", "南京"), ("Suzhou", "苏州"), ("Xi'an", "西安"), ("Zhuhai", "珠海"),
    ("Dongguan", "东莞"), ("Foshan", "佛山"), ("Xiamen", "厦门"), ("Qingdao", "青岛"),
    ("Shenyang", "沈阳"), ("Changsha", "长沙"), ("Zhengzhou", "郑州"), ("Jinan", "济南"),
    ("Hefei", "合肥"), ("Kunming", "昆明"), ("Harbin", "哈尔滨"),
)

_PLACE_EN = re.compile(r"(?<![A-Za-z])(" + "|".join(re.escape(en) for en, _ in PLACES) + ")(?![A-Za-z])",
                       re.I)

# longest first, so the leftmost match is the longest: 浙江西部 is 浙江, not 江西
_PLACE_CN = re.compile("|".join(sorted({re.escape(zh) for _, zh in PLACES}, key=len, reverse=True)))

_PLACE_CANON = {en.lower(): zh for en, zh in PLACES}

#: the province of each city in PLACES: a city's document speaks of "the province" without naming it
PROVINCE_OF = {
    "广州": "广东", "深圳": "广东", "珠海": "广东", "东莞": "广东", "佛山": "广东", "成都": "四川",
    "武汉": "湖北", "杭州": "浙江", "南京": "江苏", "苏州": "江苏", "西安": "陕西", "厦门": "福建",
    "青岛": "山东", "济南": "山东", "沈阳": "辽宁", "长沙": "湖南", "郑州": "河南", "合肥": "安徽",
    "昆明": "云南", "哈尔滨": "黑龙江",
}


def places_named(text: str) -> set[str]:
    """Places (by Chinese name) that a text mentions in either language."""
    found = {_PLACE_CANON[m.group(1).lower()] for m in _PLACE_EN.finditer(text)}
    return found | set(_PLACE_CN.findall(text))
