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
    ("Hefei", "合肥"), ("Kunming", "昆明"), ("Harbin", "哈尔滨"), ("Huizhou", "惠州"), ("Zhongshan", "中山"),
    ("Jiangmen", "江门"), ("Zhaoqing", "肇庆"),
)

_PLACE_EN = re.compile(r"(?<![A-Za-z])(" + "|".join(re.escape(en) for en, _ in PLACES) + ")(?![A-Za-z])",
                       re.I)

# a place spelled syllable by syllable in a source line ("Hai Nan Ri Bao", the Hainan Daily)
_PLACE_SPACED = re.compile(r"(?<![A-Za-z])(" + "|".join(
    r"\s?".join(re.escape(ch) for ch in en.replace(" ", "")) for en, _ in PLACES) + ")(?![A-Za-z])", re.I)
_SPACELESS = {en.replace(" ", "").lower(): zh for en, zh in PLACES}

# longest first, so the leftmost match is the longest: 浙江西部 is 浙江, not 江西
_PLACE_CN = re.compile("|".join(sorted({re.escape(zh) for _, zh in PLACES}, key=len, reverse=True)))

_PLACE_CANON = {en.lower(): zh for en, zh in PLACES}

#: the province of each city in PLACES: a city's document speaks of "the province" without naming it
PROVINCE_OF = {
    "广州": "广东", "深圳": "广东", "珠海": "广东", "东莞": "广东", "佛山": "广东", "成都": "四川",
    "武汉": "湖北", "杭州": "浙江", "南京": "江苏", "苏州": "江苏", "西安": "陕西", "厦门": "福建",
    "青岛": "山东", "济南": "山东", "沈阳": "辽宁", "长沙": "湖南", "郑州": "河南", "合肥": "安徽",
    "昆明": "云南", "哈尔滨": "黑龙江", "惠州": "广东", "中山": "广东", "江门": "广东", "肇庆": "广东",
}


#: names that hold a place without being about it: every national notice is addressed to "各省、自治区、
#: 直辖市及新疆生产建设兵团…", which made each sentence of its first passage about Xinjiang; Guangdong's "Hong
#: Kong and Macao Drug and Device Access" policy (港澳药械通) made its sentences, and questions on it, about
#: Hong Kong
_NOT_PLACES = re.compile(r"新疆生产建设兵团|Xinjiang Production and Construction Corps|"
                         r"Hong Kong and Maca[ou] Drug and Device Access", re.IGNORECASE)


def places_named(text: str) -> set[str]:
    """Places (by Chinese name) that a text mentions in either language."""
    text = _NOT_PLACES.sub(" ", text)
    found = {_PLACE_CANON[m.group(1).lower()] for m in _PLACE_EN.finditer(text)}
    return found | set(_PLACE_CN.findall(text))


#: countries and blocs abroad with their regulators, by Chinese name: a question about one of them is
#: declined when no passage found mentions it ("美国FDA对细胞疗法的加速审批…" is not about China's rules).
#: The regional logic (compare, places_about) leaves them alone: the corpus is about Chinese places.
ABROAD: dict[str, tuple[str, ...]] = {
    "美国": ("United States", "USA", "U.S.", "US", "America", "American", "FDA", "美国"),
    "欧盟": ("European Union", "EU", "EMA", "Europe", "European", "欧盟", "欧洲"),
    "英国": ("United Kingdom", "UK", "Britain", "British", "MHRA", "英国"),
    "日本": ("Japan", "Japanese", "PMDA", "日本"), "韩国": ("Korea", "Korean", "韩国"),
    "法国": ("France", "French", "法国"), "德国": ("Germany", "German", "德国"),
    "意大利": ("Italy", "Italian", "意大利"), "西班牙": ("Spain", "Spanish", "西班牙"),
    "瑞士": ("Switzerland", "Swiss", "瑞士"), "俄罗斯": ("Russia", "Russian", "俄罗斯"),
    "印度": ("India", "Indian", "印度"), "新加坡": ("Singapore", "新加坡"),
    "加拿大": ("Canada", "Canadian", "加拿大"), "澳大利亚": ("Australia", "Australian", "澳大利亚", "澳洲"),
    "巴西": ("Brazil", "巴西"), "以色列": ("Israel", "以色列"),
    "荷兰": ("Netherlands", "Dutch", "Holland", "荷兰"), "比利时": ("Belgium", "Belgian", "比利时"),
    "瑞典": ("Sweden", "Swedish", "瑞典"), "丹麦": ("Denmark", "Danish", "丹麦"),
    "挪威": ("Norway", "Norwegian", "挪威"), "芬兰": ("Finland", "Finnish", "芬兰"),
    "爱尔兰": ("Ireland", "Irish", "爱尔兰"), "奥地利": ("Austria", "Austrian", "奥地利"),
    "波兰": ("Poland", "波兰"), "墨西哥": ("Mexico", "Mexican", "墨西哥"),
    "阿根廷": ("Argentina", "Argentine", "阿根廷"), "南非": ("South Africa", "南非"),
    "埃及": ("Egypt", "Egyptian", "埃及"), "沙特": ("Saudi Arabia", "Saudi", "沙特"),
    "阿联酋": ("United Arab Emirates", "UAE", "阿联酋"), "泰国": ("Thailand", "Thai", "泰国"),
    "越南": ("Vietnam", "Vietnamese", "越南"), "马来西亚": ("Malaysia", "Malaysian", "马来西亚"),
    "印度尼西亚": ("Indonesia", "Indonesian", "印度尼西亚", "印尼"),
    "菲律宾": ("Philippines", "Filipino", "菲律宾"), "巴基斯坦": ("Pakistan", "Pakistani", "巴基斯坦"),
    "新西兰": ("New Zealand", "新西兰"), "尼日利亚": ("Nigeria", "Nigerian", "尼日利亚"),
    "肯尼亚": ("Kenya", "Kenyan", "肯尼亚"),
    "世界卫生组织": ("World Health Organization", "WHO", "世界卫生组织", "世卫组织"),
}


def forms_pattern(forms: tuple[str, ...], acronym: int = 4) -> re.Pattern:
    """Any of a name's forms in either language: an English one as whole words, and a short acronym (up to
    `acronym` capitals: US, EU, MOFCOM) only in capitals, so "us" is no country and "most" no MOST."""
    def one(form: str) -> str:
        text = re.escape(form)
        if form.isascii():
            text = rf"(?<![A-Za-z]){text}(?![A-Za-z])"
            return text if len(form) <= acronym and form.isupper() else f"(?i:{text})"
        return text
    return re.compile("|".join(one(f) for f in forms))


class Names:
    """Things named by their forms in either language (forms_pattern), each found by its pattern only where
    a plain substring test of its case-folded forms finds one: the patterns, with their word boundaries,
    took 0.5 ms a question, the test microseconds."""

    def __init__(self, forms: dict[str, tuple[str, ...]], acronym: int = 4) -> None:
        self._names = {name: (tuple({form.casefold() for form in named}), forms_pattern(named, acronym))
                       for name, named in forms.items()}

    def found(self, text: str) -> set[str]:
        """The names (the dictionary's keys) that `text` mentions."""
        folded = text.casefold()
        return {name for name, (forms, pattern) in self._names.items()
                if any(form in folded for form in forms) and pattern.search(text)}


_ABROAD = Names(ABROAD)


def abroad_named(text: str) -> set[str]:
    """Places abroad (by Chinese name) that a text mentions in either language."""
    return _ABROAD.found(text)


#: world regions and markets abroad: what "which regions should the platform target?" may be answered with
WORLD_REGIONS = re.compile(
    r"东南亚|中亚|西亚|南亚|东亚|非洲|拉美|拉丁美洲|中东|欧美|一带一路|海外|境外|国际市场|"
    r"(?i:\b(?:south-?east asian?|central asian?|africa|latin america|middle east|belt and road|overseas|"
    r"international markets?)\b)")


def any_place_named(text: str) -> bool:
    """Whether a text names a place at all: at home, a country abroad or a world region."""
    return bool(places_named(text) or WORLD_REGIONS.search(text) or abroad_named(text))


#: the tag of passages from documents issued for the whole country, in (English, Chinese)
NATIONAL = ("National", "全国")

#: what marks a passage of a multi-region digest as national news: a national body names it outright;
#: the country as a whole only when the passage names no province (a Hainan story may say "national")
NATIONAL_BODIES = re.compile(
    r"国家(?:药监局|医保局|卫生健康委|发展改革委)|国务院|\b(?:NMPA|NHSA|NHC|State Council)\b")
_NATIONAL_WORDS = re.compile(r"全国|\bnational(?:ly)?\b|\bin China\b|\bChina's\b", re.I)

_ENGLISH = {zh: en for en, zh in reversed(PLACES)} | {NATIONAL[1]: NATIONAL[0]}
_CHINESE = {en.lower(): zh for en, zh in PLACES} | {NATIONAL[0].lower(): NATIONAL[1]}


def region_of(place: str) -> str:
    """A place's canonical English region name: a city counts as its province ('广州' -> 'Guangdong')."""
    zh = _CHINESE.get(place.strip().lower(), place.strip())
    return _ENGLISH.get(PROVINCE_OF.get(zh, zh), place.strip())


def english_name(place: str) -> str:
    """A place's English name as documents declare it ('广州' -> 'Guangzhou', '全国' -> 'National'), the place
    itself when it is no Chinese name the project knows ('Guangzhou', 'multiple')."""
    return _ENGLISH.get(place.strip(), place.strip())


def region_name(region: str, lang: str) -> str:
    """A canonical region name in the question's language ('Guangdong' -> '广东' for 'zh')."""
    return _CHINESE.get(region.lower(), region) if lang == "zh" else region


def document_regions(region: str) -> list[str]:
    """The regions a document's `region` metadata names: 'national' -> National, 'Guangzhou' ->
    Guangdong, 'multiple (Guangdong, Sichuan/Chengdu, national)' -> each of them, in order."""
    found = [region_of(zh) for zh in _in_order(region)]
    if _NATIONAL_WORDS.search(region) or region.strip().lower() in ("全国", "china", "中国"):
        found.append(NATIONAL[0])
    return list(dict.fromkeys(found))


def _in_order(text: str) -> list[str]:
    """Places a text names, by Chinese name, in the order they appear (either language)."""
    spans = [(m.start(), _SPACELESS[re.sub(r"\s", "", m.group(1)).lower()])
             for m in _PLACE_SPACED.finditer(text)]
    spans += [(m.start(), m.group(0)) for m in _PLACE_CN.finditer(text)]
    return [zh for _, zh in sorted(spans)]


def passage_places(text: str, regions: list[str], previous: list[str]) -> list[str]:
    """The regions a passage is about, as canonical English names.

    A document about one region (or the nation) speaks for it in every passage, whatever else it names;
    a passage of a multi-region digest is about the places it names (a city counts as its province),
    else the nation when it names a national body, else it continues the story of the passage before.
    """
    if len(regions) == 1:
        return list(regions)
    named = [region_of(zh) for zh in _in_order(text)]
    if NATIONAL_BODIES.search(text) or (not named and _NATIONAL_WORDS.search(text)):
        named.append(NATIONAL[0])
    return list(dict.fromkeys(named)) or list(previous)


#: regions that name several places at once: an English claim on the "Guangdong-Hong Kong-Macao Greater
#: Bay Area" names three places that a passage writing 大湾区 does mention
_MULTI_PLACE = (
    (re.compile(r"粤港澳|大湾区|(?i:Greater Bay Area)"), frozenset(("广东", "香港", "澳门"))),
    (re.compile(r"京津冀"), frozenset(("北京", "天津", "河北"))),
    (re.compile(r"长三角|(?i:Yangtze River Delta)"), frozenset(("上海", "江苏", "浙江", "安徽"))),
    (re.compile(r"珠三角|(?i:Pearl River Delta)"), frozenset(("广东",))),
    (re.compile(r"成渝|川渝|(?i:Chengdu-Chongqing)"), frozenset(("四川", "成都", "重庆"))),
)


def places_in_regions(text: str) -> frozenset[str]:
    """The places the multi-place regions a text names stand for (大湾区: Guangdong, Hong Kong, Macao)."""
    return frozenset(place for pattern, named in _MULTI_PLACE if pattern.search(text) for place in named)


def with_provinces(places: set[str] | frozenset[str]) -> frozenset[str]:
    """A city stands for its province too: a Guangzhou report speaks of "the province"."""
    return frozenset(places) | {PROVINCE_OF[p] for p in places if p in PROVINCE_OF}


def places_about(sentence: str, passage: str, document: str, tags: list[str] | None = None) -> frozenset[str]:
    """The places a sentence is about (with their provinces): those it names; else its passage's when the
    passage names exactly one; else the passage's region tags (`tags`, Chunk.places: a digest passage on
    Hubei and Jiangsu is not about every place its document's title lists; a passage tagged National alone
    is about no province); else its document's (`document`: title, region), for an index without tags."""
    own = places_named(sentence)
    if own:
        return with_provinces(own)
    in_passage = places_named(passage)
    if len(in_passage) == 1:
        return with_provinces(in_passage)
    if tags:
        return with_provinces({region_name(t, "zh") for t in tags if t != NATIONAL[0]})
    return with_provinces(places_named(document))


def scope_of(regions: list[str]) -> frozenset[str]:
    """The places (Chinese names) a region filter stands for: 'Guangdong' or '广州' for 广东, 'National' for
    全国."""
    return frozenset(NATIONAL[1] if (name := region_of(r)) == NATIONAL[0] else region_name(name, "zh")
                     for r in regions)


def speaks_for(sentence: str, tags: list[str], scope: frozenset[str]) -> bool:
    """Whether a sentence of a passage tagged `tags` (Chunk.places) speaks for a place of `scope`: the
    places it names itself; else the nation when it names a national body in a passage tagged National
    (a digest's "the NHSA issued..."); else any of its passage's tags (a digest passage on Hubei and the
    nation does not say which its other sentences are about)."""
    own = places_named(sentence)
    if own:
        return bool(with_provinces(own) & scope)
    if NATIONAL[0] in tags and NATIONAL_BODIES.search(sentence):
        return NATIONAL[1] in scope
    return bool(scope_of(tags) & scope)
