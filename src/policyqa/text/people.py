"""Whether a sentence names a person: the answer a "who spoke / who chaired" question wants.

Plain patterns, both languages, no model (jieba's part-of-speech tagger finds names too, but takes
~10 ms a sentence, which the answer step cannot pay). A name counts only in the company of what marks
it as one in news and policy prose: a title or an organisation right before it, or a speech verb or
list comma right after, so common surname characters inside ordinary words ("高质量", "李子") do not.
"""

from __future__ import annotations

import functools
import re

#: the commonest Chinese surnames (over 80% of the population), in characters and in pinyin
_SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何林高罗郑梁谢宋唐韩冯邓曹彭曾肖田董潘袁蔡蒋余于杜叶程魏苏吕丁"
             "任卢姚沈钟姜崔谭陆范汪廖石金韦贾夏付傅方邹熊白孟秦邱侯江尹薛闫段雷龙黎史陶贺毛郝顾龚邵万钱"
             "戴严莫孔向常颜")
_PINYIN = ("Zhang|Wang|Li|Liu|Chen|Yang|Huang|Zhao|Wu|Zhou|Xu|Sun|Ma|Zhu|Hu|Guo|He|Lin|Gao|Luo|Zheng|"
           "Liang|Xie|Song|Tang|Han|Feng|Deng|Cao|Peng|Zeng|Xiao|Tian|Dong|Pan|Yuan|Cai|Jiang|Yu|Du|Ye|"
           "Cheng|Wei|Su|Lyu|Lu|Ding|Ren|Yao|Shen|Zhong|Cui|Tan|Fan|Liao|Shi|Jin|Jia|Xia|Fu|Fang|Zou|"
           "Xiong|Bai|Meng|Qin|Qiu|Hou|Yin|Xue|Yan|Duan|Lei|Long|Tao|Mao|Hao|Gu|Gong|Shao|Wan|Qian|Dai|"
           "Mo|Kong|Xiang|Chang")
#: what stands before a Chinese name: a title, or the organisation a speaker represents
_BEFORE_ZH = ("书记|省长|市长|区长|县长|主席|局长|部长|厅长|主任|院长|校长|董事长|总裁|总经理|经理|"
              "理事长|秘书长|会长|委员|代表|教授|专家|集团|药业|医药|医疗|生物|制药|科技|智造|中心|公司|协会|医院")
#: what follows one: a speech or presence verb, or the comma of a list of names
_AFTER_ZH = "出席|主持|讲话|发言|致辞|表示|指出|强调|介绍|说|称|认为|参加|参会|陪同|、|，|,|等"
#: the characters foreign names are transliterated with (贾里德·艾伦): a name's parts use only these, which
#: keeps a dotted event name (粤商·省长面对面协商座谈会) out
_TRANSLITERATION = ("阿埃艾爱安昂奥巴拜班邦包保鲍贝本比彼毕宾波伯博布查达戴丹道德迪蒂丁东杜多厄恩尔法"
                    "范菲费芬丰弗福富盖甘冈高戈格根古哈海汉豪赫亨胡华怀霍基吉加贾杰金卡凯坎康考柯科克"
                    "肯库奎拉莱兰朗劳勒雷蕾里利莉林琳隆卢鲁伦罗洛马玛迈麦曼芒梅美门蒙米密明莫墨姆穆纳"
                    "娜奈南尼涅宁纽努诺欧帕潘佩彭皮珀普齐奇恰乔切琴丘萨塞赛桑瑟森沙莎尚舍什史斯松苏索"
                    "塔泰坦汤唐特腾提汀图托瓦万旺威韦维温文沃乌伍西希路锡夏谢辛休雅亚扬耶伊因英尤于约"
                    "泽扎詹朱卓兹佐")
_TITLED_ZH = rf"(?:{_BEFORE_ZH})[{_SURNAMES}][\u4e00-\u9fff]{{1,2}}?(?:{_AFTER_ZH})"
_PERSON_ZH = re.compile(rf"{_TITLED_ZH}|[{_TRANSLITERATION}]{{1,5}}[·・•‧][{_TRANSLITERATION}]{{1,6}}")
_TITLE_EN = (r"Governor|Vice Governor|Mayor|Director|Deputy Director|Minister|Chairman|Chairwoman|Chair|"
             r"President|Secretary|Commissioner|Professor|Academician|CEO|Founder|Mr|Ms|Mrs|Dr|Prof")
_PERSON_EN = re.compile(
    rf"\b(?:{_PINYIN})\s+[A-Z][a-z]+(?:-?[a-z]+)?\b(?=\s*(?:,|\(|\bsaid\b|\bstated\b|\bnoted\b|"
    rf"\bspoke\b|\bchaired\b|\bpresided\b|\battended\b|\bdelivered\b|\bpointed\b|\bemphasi[sz]ed\b|"
    rf"\band\b|\.|$))|\b(?:{_TITLE_EN})\.?\s+(?:{_PINYIN}|[A-Z][a-z]+)\s+[A-Z][a-z]+\b")


def names_person(text: str) -> bool:
    """Whether the text names a person (a Chinese or a romanised name, or a titled one)."""
    return bool(_PERSON_ZH.search(text) or _PERSON_EN.search(text))


#: names in one sentence that make it a roster ("会上,一品红集团李捍雄、新济药业吴传斌、… 12位粤商代表发言")
ROSTER_NAMES = 3
#: names with their title or organisation: transliterated ones do not count, as dotted names also name
#: battles and works (朱蒙维尔•格伦战役), and a sentence of them is as often about events as a list of people
_ROSTER = re.compile(rf"{_TITLED_ZH}|{_PERSON_EN.pattern}")


def is_roster(text: str) -> bool:
    """Whether a sentence lists people: it answers who spoke, and little else a question asks."""
    return len(_ROSTER.findall(text)) >= ROSTER_NAMES


#: a Chinese name as an English text writes it: a pinyin surname and a capitalised given name ("Liang
#: Junbin", "Yan Jie"), the given name's syllables written together
_ROMANISED = re.compile(rf"\b(?:{_PINYIN})\s+[A-Z][a-z]+(?:-[a-z]+)?\b")
_CJK_RUN = re.compile(r"[\u4e00-\u9fff]+")


def romanised_names(text: str) -> frozenset[str]:
    """The romanised Chinese names in a text, as their letters alone ("liangjunbin")."""
    return frozenset(romanised_spans(text))


def romanised_spans(text: str) -> dict[str, str]:
    """Each romanised Chinese name in a text (its letters alone) with the words it is written as
    ("liangjunbin": "Liang Junbin")."""
    return {re.sub(r"[^a-z]", "", m.group(0).lower()): m.group(0) for m in _ROMANISED.finditer(text)}


def names_romanised(sentence: str, names: frozenset[str]) -> bool:
    """Whether a Chinese sentence writes one of `names` in characters: 梁峻彬 for "Liang Junbin". An English
    question meets a Chinese list of speakers only this way: no glossary or dictionary holds people."""
    if not names:
        return False
    return any(name in _spellings(run) for run in _CJK_RUN.findall(sentence) for name in names)


def pinyin(text: str) -> str:
    """A text's Chinese characters in toneless pinyin, run together: 海南日报 is "hainanribao", as a
    digest's dateline romanises its source ("Hai Nan Ri Bao· 2025-08-18")."""
    from pypinyin import lazy_pinyin

    return "".join(lazy_pinyin("".join(_CJK_RUN.findall(text))))


@functools.lru_cache(maxsize=65536)
def _spellings(run: str) -> frozenset[str]:
    """The toneless pinyin of every 2 to 4 characters in a row of a run of Chinese characters."""
    from pypinyin import lazy_pinyin  # its dictionary loads in ~0.15 s: only when a question names someone

    syllables = lazy_pinyin(run)
    return frozenset("".join(syllables[i:j]) for i in range(len(syllables))
                     for j in range(i + 2, min(i + 4, len(syllables)) + 1))
