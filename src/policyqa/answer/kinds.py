"""What each kind of question asks for, and what a sentence must contain to state it.

The question patterns of each answer kind (ASKS), the units a quantity is asked in with the figures that
give one (UNITS), what states a date or a quantity (STATES), the numbers that name rather than count
(LABEL) and the words that say what a sum measures (MEASURES). `facts.analyse` reads a question with
them; the patterns are plain (both languages, no model), so each carries the example that shaped it.
"""

from __future__ import annotations

import re

from ..text.figures import FIGURE, NUMBER_WORDS

#: the auxiliary verbs that open an English yes/no question
AUXILIARY = r"(?:is|are|does|do|did|can|could|will|was|were|has|have|should|may|must)"
#: a time a procedure takes, asked for as a noun: "approval time", "time limit", "time frame"
_TIME_NOUNS = (r"\b(?:approval|review|processing|waiting|turnaround)\s+(?:times?|periods?)\b|"
               r"\btime\s+(?:limits?|frames?)\b")
#: how often, asked in Chinese: 多久调整一次, 多长时间评议一次 (隔多久…一次 too)
_ONCE_EVERY = r"(?:多久|多长时间)[^？?，,。]{0,8}一次"
#: the classifiers (measure words) of a count: 个, 家, 只 in 多少个部门, 几家企业, 几只基金
CLASSIFIERS = "个家项种批所部条件款类只座台张"
#: a question for a rank or an ordinal ("What exact rank did … reach?", 第几届, 排名第几)
_RANK = r"\b(?:what|which) (?:exact |specific )?(?:rank|ranking)\b|第几|排名第?几"
#: question patterns of each answer kind, tried in this order (a "when" question is a date, not a list; "When
#: a company picks the province …, who is responsible?" opens with a clause and asks who)
ASKS = (
    ("date", re.compile(
        r"哪[一个]?(?:天(?![津然])|年(?![龄级])|月|日(?![本报常]))|何时|什么时[候间]|日期|几月|^\W*when\b(?![^?？]*,)|"
        r"(?:[,;]\s*|\band |\bby |\buntil )when\b|"
        r"\bwhat (?:date|year|month|day)\b|"
        r"\bwhich (?:date|year|month|day)\b|\bon what (?:date|day)\b|\bin what year\b|"
        r"\bwhat (?:is|was|are|were) the (?:\w+ )?(?:date|deadline)s?\b|截止(?:日期|时间)", re.I)),
    ("quantity", re.compile(
        # not "这几年" / "近几年" (these last years), which ask nothing
        r"多少|(?<![哪这近前去])几[个家项种天年倍批所部条件名位款类只座台张]|多[高大长远重深宽]|"
        rf"{_ONCE_EVERY}|"
        r"\bhow (?:many|much|long|soon|quickly|fast|often|frequently|large|big|tall|high|far|deep|wide|heavy|"
        r"old)\b|"
        r"\bwhat (?:[a-z-]+ ){0,2}?(?:share|percentage|proportion|range|size|revenue|amount|number|ratio|cap|"
        r"limit|maximum|minimum)\b|\bby how much\b|"
        # a target for a sum is a figure: "What is Guangzhou's target for biomedicine industry revenue?"
        # (not "Which regions have set revenue targets…?", which asks which regions)
        r"\btargets?\s+for\s+(?:[\w-]+\s+){0,3}?(?:revenue|sales|output|income|turnover)\b|"
        # ... and so is "What is Guangdong's industrial revenue target by 2025?"
        r"^(?!.*\bwhich\b).*\b(?:revenue|sales|output|income|turnover)\s+targets?\b|"
        # "What is the cap on Hainan's reward…": the noun asks for a figure even after "is the", and after
        # an adjective or two ("What is the exact budget in yuan allocated …?")
        r"\bwhat (?:is|was|are|were) the (?:[a-z-]+ ){0,2}?(?:cap|limit|maximum|minimum|amount|number|share|"
        r"percentage|proportion|ratio|size|budget|total)\b|"
        # "What are the volume-based procurement prices for coronary stents?": prices are figures, not a list
        r"\bwhat (?:is|was|are|were) the (?:[\w-]+ ){0,3}(?:prices?|costs?|fees?|premiums?|subsid(?:y|ies)|"
        # "What is the annual output value of the Bio Island?", "What is the largest loan…?": sums of money
        r"(?:output|total|annual|market|trade|transaction|deal|contract) value|loans?|grants?)\b"
        # "What is the settlement price mechanism…?" asks for the mechanism
        r"(?!\s+(?:mechanisms?|polic(?:y|ies)|rules?|systems?|management|confidentiality|negotiations?|"
        r"reforms?|regulations?|formation|setting))|"
        # "up to" a limit, not a phrasal verb ("what weaknesses did the plan own up to?")
        r"(?<!\bown )(?<!\blive )(?<!\badd )(?<!\bmeasure )(?<!\bcatch )(?<!\blook )\bup to\b|"
        # "What is the Beijing approval time for clinical trials?" asks for a duration, not a definition; a
        # rank or an ordinal is a number too
        rf"{_TIME_NOUNS}|{_RANK}", re.I)),
    # which national ministries (哪些国家部委), provincial departments (省级部门) or markets (市场) are no
    # places, nor what something is built on (建在哪些现有基础上)
    ("place", re.compile(r"哪(?:[个些座]|几个)?(?:地(?!位)|省(?!级|直|部门|委|政府)|市(?!场|级|民|政府)|"
                        r"城市|地区|国家(?!部委|级|机关|部门|层面|科技|计划|重点|政策|标准)|区域)|在哪(?!些)|\bwhere\b(?!.*\bstand\b)|"
                        r"\bwhich (?:city|cities|province|provinces|region|regions|country|countries)\b",
                        re.I)),
    # "是怎样评估新药能否纳入医保的？" asks how, not whether
    ("yesno", re.compile(rf"^{AUXILIARY}\b|"
                        r"^(?!.*(?:怎样|怎么|如何|什么|哪)).*(?:吗[？?]?$|是否|有没有|能否|可否|能不能|会不会|"
                        r"是不是|可不可以|要不要|有无)", re.I)),
    ("list", re.compile(r"哪些|哪几|哪[类种]|\bwhich\b|\bwhat (?:are|were|kinds?|types?)\b|\blist\b", re.I)),
    # nouns that name a quantity ("数量", "上限") are weaker cues than the question words above: "能否以
    # 用药目录数量为由…" is a yes/no question about a count, not a question for one
    ("quantity", re.compile(r"比例|幅度|上限|下限|金额|规模|数量|最高|最低|预算")),
)
MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
_DATE = re.compile(r"(?<!\d)(?:1[5-9]|20)\d\d(?!\d)|\d{1,2}\s*[月日]|年底|年初|年内|月底|上半年|下半年|"
                   r"(?:周|星期)[一二三四五六日天]|\b(?:January|February|March|April|May|June|July|August|"
                   r"September|October|November|December|Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|"
                   r"Sunday|weekends?|by the end of)\b|"
                   # a deadline ("within 15 working days", 3个月内), not any "within" ("within the scope of")
                   r"\bwithin\s+(?:\d+|[a-z]+)\s+(?:working\s+)?(?:days?|weeks?|months?|years?)\b|"
                   r"[\d一二三四五六七八九十两]+\s*个?(?:工作日|月|日|天|周|年)[以之]?内|"
                   # a century or decade ("the mid-18th century", "the 1990s", 18世纪, 90年代)
                   r"\b\d{1,2}(?:st|nd|rd|th)[- ]century\b|\b\d{3}0s\b|"
                   r"[\d一二三四五六七八九十]+\s*(?:世纪|年代)", re.I)
#: a date question that asks for the day ("哪天", "on what date"), which a year or a month alone does not give
ASKS_DAY = re.compile(r"哪一?天|哪日|什么日期|日期|几月几[日号]|\b(?:what|which) (?:date|day)\b|"
                       r"\bon what day\b", re.I)
DAY = re.compile(rf"\d{{1,2}}\s*[日号]|\d{{4}}-\d{{1,2}}-\d{{1,2}}|\b(?:{MONTHS})\s+\d{{1,2}}\b|"
                  rf"\b\d{{1,2}}\s+(?:{MONTHS})\b", re.I)
#: a date question for a point in a procedure (什么时间节点, "At what stage …?") may be answered by an event
#: ("上市申请获得受理的创新药，企业可同步申请…"); any other only by a date
EVENT_TIME = re.compile(r"时间节点|节点|阶段|环节|\bat what (?:point|stage)\b", re.I)
#: a question for the body that leads or answers for a task (人才保障工作由哪个部门牵头, "Which department
#: leads …?", "Which customs authority shares responsibility for …?"): the plan's "(Led by …)" line answers
ASKS_LEAD = re.compile(
    r"(?:哪[个家些]?|什么)[\u4e00-\u9fff]{0,4}(?:部门|单位|机构|机关)[^？?]{0,6}(?:牵头|负责|主管)|"
    r"\b(?:which|what)\s+(?:[\w-]+\s+){0,2}(?:departments?|authorit(?:y|ies)|agenc(?:y|ies)|bod(?:y|ies)|"
    r"bureaus?|offices?|ministr(?:y|ies))\b[^?]*\b(?:leads?|led|in charge|responsib\w*)\b", re.I)
#: what says who leads or answers for a task
LEADS = re.compile(r"\bled by\b|\blead(?:ing)? (?:agenc|departments?|units?|bod)|\bwill lead\b|"
                   r"\b(?:takes?|taking) the lead\b|\bresponsible (?:units?|departments?|agenc)|"
                   r"牵头|负责(?!人)", re.I)
#: a place question that asks for a city (全球创新药交易平台将设在哪个城市？, "Which city is to host …?"):
#: only a city answers it, not a province nor a world region
ASKS_CITY = re.compile(r"哪(?:一?个|座)?城市|哪(?:一?个|座)市(?![场级民政])|"
                       r"\b(?:which|what) (?:city|cities)\b", re.I)
#: a place question that asks for a venue ("What venue hosted the 2025 … Conference?", 在哪个场馆举办): the
#: hall or centre answers it, not the city that "will take the opportunity of hosting" the event (not "Where
#: is Polonia's home venue located?", which asks where the venue is)
ASKS_VENUE = re.compile(r"\b(?:what|which) venues?\b|\bvenues? (?:of|for)\b|"
                        r"(?:哪[个座家]?|什么)(?:场馆|会场)|举办地|"
                        r"\bwhere (?:was|were|is|will)\b[^?]*\b(?:held|hosted|take place|took place)\b|"
                        r"在哪(?:里|儿|个地方)?(?:举行|召开|举办)", re.I)
#: what names a venue: a building or hall of some sort
VENUE = re.compile(r"\b(?:Cent(?:er|re)|Hall|Hotel|Stadium|Arena|Auditorium|Theat(?:er|re)|Museum|Palace|"
                   r"Guesthouse|Pavilion)\b|中心|会堂|礼堂|酒店|宾馆|饭店|大厦|会展|会议室|体育[馆场]|博物馆|展馆|剧院")
#: what a sentence must contain to state each kind of answer (kinds without one: anything)
#: a quoted title ("Several Measures … (2025)", 《若干措施2025》): the years in it name a document
TITLE = re.compile(r"“[^”]{0,200}”|\"[^\"]{0,200}\"|《[^》]{0,100}》")
#: a fraction written out in Chinese (三分之二多数, 半数): a figure too, once the years are left out
_ZH_FRACTION = r"[零一二三四五六七八九十百千万\d]+\s*分之\s*[零一二三四五六七八九十百千\d]+|半数|过半"
STATES = {"quantity": re.compile(f"{FIGURE.pattern}|{NUMBER_WORDS.pattern}|{_ZH_FRACTION}", re.I),
          "date": _DATE}
YEAR = re.compile(r"(?<!\d)(?:19|20)\d\d(?!\d)")
#: a year the question dates its fact by (2020年, "in 2025", "June 2025"), not one inside a name
#: (《若干措施2025》, "the 2025 High-Quality Development Conference")
DATED_YEAR = re.compile(
    r"(?<!\d)((?:19|20)\d\d)\s*年|"
    r"\b(?:in|by|since|until|till|before|after|during|through|from|to|of|for|end of|"
    rf"(?:{MONTHS})(?:\s+\d{{1,2}},?)?)\s+((?:19|20)\d\d)(?!\d)", re.I)
_N = r"(?:\d[\d,.]*|[零一二三四五六七八九十百千万亿两]+)"
_EN_N = r"(?:\d[\d,.]*|two|three|four|five|six|seven|eight|nine|ten|twelve|twenty|thirty|fifty|hundreds?)"
#: the unit a quantity question asks in, tried in this order: (unit, question cue, a figure in that unit).
#: A count of people is no sum of money: "How many people attended?" is not answered by "2 billion yuan".
UNITS = tuple((unit, re.compile(cue, re.I), re.compile(figure, re.I)) for unit, cue, figure in (
    # a rank or ordinal: "a leading position … for several years" gives none, "ranks second", "the fifth
    # China … Conference", 第三, "top 10" do
    ("rank",
     _RANK,
     r"\b\d+(?:st|nd|rd|th)\b|\b(?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|"
     r"eleventh|twelfth|twentieth|top\s+\d+|top\s+(?:three|five|ten|twenty)|No\.\s*\d+|number\s+(?:one|\d+))\b|"
     r"第\s*[一二三四五六七八九十百\d]+|前\s*[一二三四五六七八九十百\d]+|首位|榜首|首届"),
    # how often: "按季度或月" is a frequency, a deadline ("3个月内召开药事会") is none
    ("frequency",
     rf"{_ONCE_EVERY}|\bhow (?:often|frequently)\b|频率|频次",
     r"[按每]\s*(?:[\d一二三四五六两半]+\s*个?)?(?:季度|月|年|周|天|日)|[\d一二三四五六两]+\s*(?:年|个月|季度|周)\s*一次|"
     r"\b(?:quarterly|monthly|annually|yearly|weekly|daily|every\s+(?:\w+\s+)?(?:quarters?|months?|years?|weeks?|"
     r"days?)|(?:once|twice)\s+(?:a|an|every)|\w+\s+times\s+a\s+(?:year|month|week|day))\b"),
    ("duration",
     r"多久|多长时间|多少时间|几天|多少天|几个月|多少个?月|多少年|(?:多少|几)个?工作日|时限|"
     # "how fast will the market grow" asks for a rate (below), not a time
     r"\bhow (?:long|soon)\b|\bhow (?:quickly|fast)\b(?!.*\b(?:grow|increas|ris|expand))|"
     r"\bhow many (?:years|months|weeks|days|working days)\b|" + _TIME_NOUNS,
     rf"{_N}\s*(?:个多|多个|个|多)?\s*(?:工作日|天|日|月|年|周|星期|小时|钟头|分钟|秒|世纪)|"
     rf"{_EN_N}\s+(?:working\s+)?(?:days|months|years|weeks|hours|minutes|seconds|decades|centuries)\b|"
     # a period answers a time asked for ("按季度或月组织专家…评议" for "多长时间内…评议？"); how often is
     # the frequency unit's
     r"[按每](?:季度|月|年|周|半年)|"
     r"\b(?:quarterly|monthly|annually|yearly|weekly|every (?:quarter|month|year|week))\b"),
    ("percent",
     # "share" as a noun ("what share of", "the share"), not the verb ("hospitals that share their data")
     r"比例|配比|比率|比值|百分|幅度|降幅|增幅|占比|增速|增长率|\b(?:percent(?:age)?|proportion|rate|ratio)\b|"
     r"\b(?:what|which|the|a|its|their)\s+(?:\w+\s+)?share\b|\bshare\s+of\b|"
     r"\bhow (?:quickly|fast)\b",
     rf"{_N}\s*(?:%|％|个百分点)|百分之|\d[\d.]*\s*(?:percent|percentage points)\b|"
     r"\d[\d.]*\s*[:：比]\s*\d"),  # a ratio: 1:0.6, 1比2
    ("people",
     # not a rank ("排名前多少位的医药企业": the top 100 companies)
     r"(?<!前)(?:多少[人名位]|几[名位])|人数|"
     r"\bhow many (?:\w+ )?(?:people|persons|attendees|participants|experts|representatives|entrepreneurs|"
     r"employees|patients|residents|citizens|individuals)\b",
     rf"{_N}\s*(?:余|多)?\s*(?:万|千|百)?\s*(?:人|名|位)|{_EN_N}\+?\s+(?:million\s+|thousand\s+)?"
     r"(?:people|persons|attendees|participants|"
     r"representatives|experts|entrepreneurs|employees|patients)\b"),
    ("money",
     r"资金|补贴|金额|奖励|投入|营收|收入|市场规模|基金|贷款|价格|多少(?:万|亿)?元|多少钱|保费|费用|收费|补偿|赔偿|成本|预算|"
     # a value in money: "the total value of deals signed", 产值, 成交额 (not "clinical value")
     r"产值|交易额|成交额|销售额|签约额|研发券|\bvouchers?\b|\b(?:total|deal|output|transaction|contract|market|trade)\s+value\b|"
     r"\bvalue of\b|\bworth\b|\bturnover\b|"
     r"\b(?:money|funding|funds?|subsid(?:y|ies)|rewards?|grants?|loans?|revenue|market size|"
     r"budget|investment|prices?|yuan|costs?|fees?|premiums?|compensation|pay|paid)\b",
     rf"{_N}\s*(?:万|亿|千)?\s*(?:元|美元)|\d[\d,.]*\s*(?:billion|million|trillion|thousand)?\s*"
     r"(?:yuan|RMB|dollars|USD)\b|(?:RMB|\$|USD)\s*\d"),
    # any other count ("how many departments", 多少个园区; not "缩短了多少？", a change asked in any unit):
    # a number that is no year, share or date, so a plan's title year ("Measures 2025") is not the count
    ("count",
     rf"多少(?![？?。，,]|$)|(?<!哪)几[{CLASSIFIERS}]|\bhow many\b|\bnumber of\b",
     # nor a time ("in just 19 working days" counts no applications)
     r"(?<![\d.,])(?!(?:19|20)\d\d(?!\d|,\d))\d[\d,]*(?:\.\d+)?(?![\d.,]*\s*(?:%|％|年|月|日|个月|"
     r"(?:working\s+)?(?:days?|weeks?|months?|years?|hours?)\b))|"
     rf"{NUMBER_WORDS.pattern}|[零一二三四五六七八九十百千两]+\s*(?:个|家|项|种|条|批|所|款|类|部|只|座|台|张)"),
))


#: a number that names rather than counts: a level, phase or class ("Biosafety Level 3 (P3) labs", "Phase
#: III", 三级实验室, Ⅲ期), or a day of a month ("On December 7, …")
LABEL = re.compile(
    r"\b(?:levels?|phases?|class(?:es)?|grades?|tiers?|categor(?:y|ies)|types?|No\.)\s*(?:\d+|[IVX]+\b)|"
    r"\b(?:P|BSL-?)[1-4]\b|"
    rf"\b(?:{MONTHS})\.?\s+\d{{1,2}}(?:st|nd|rd|th)?\b|\b\d{{1,2}}(?:st|nd|rd|th)?\s+(?:{MONTHS})\b|"
    r"[\d一二三四五六七八九十两IVXⅠⅡⅢⅣ]+\s*(?:级|期)", re.I)


def no_labels(sentence: str) -> str:
    """The sentence with the numbers that name (a level, phase, class, a day of a month) blanked out, for
    a count: "Biosafety Level 3 (P3) labs" gives no number of labs, nor "On December 7" of attendees."""
    return LABEL.sub(lambda m: " " * len(m.group()), sentence)


#: what a sum of money measures, as a question asks it, and the words (either language) a sentence stating
#: it names: "2024年…人均保费是多少？" is not answered by "claim payments reaching 976 million yuan", nor
#: "CAR-T细胞治疗产业…产值目标" by a revenue target, nor an R&D voucher's cap by an M&A loan subsidy's
MEASURES = tuple((re.compile(cue, re.I), forms) for cue, forms in (
    (r"保费|\bpremiums?\b", ("保费", "premium")),
    (r"产值|\boutput value\b", ("产值", "output", "value")),
    (r"预算|\bbudgets?\b", ("预算", "budget")),
    (r"贷款|\bloans?\b", ("贷款", "loan")),
    (r"赔偿|补偿|\bcompensation\b", ("赔偿", "补偿", "compensat")),
    (r"研发券|\bvouchers?\b", ("研发券", "券", "voucher")),
    # "What is the price of CAR-T therapy?" is not answered by Hubei's revenue target for CAR-T
    (r"价格|售价|定价|\bprices?\b|\bpriced\b", ("价", "price", "cost")),
))
#: the procedure a sum or a time is asked for: "北京挂网审核需要多少个工作日？" is not answered by the 19
#: working days of one company's supplementary application, nor a clinical trial's subsidy by a listing's
PROCEDURES = tuple((re.compile(cue, re.I), forms) for cue, forms in (
    (r"挂网|\b(?:online |network )?listing\b", ("挂网", "listing")),
    (r"补充申请|\bsupplement(?:ary|al)? applications?\b", ("补充申请", "supplement")),
    (r"临床试验|\bclinical trials?\b", ("临床试验", "clinical trial")),
))


#: alternatives asked together ("审评审批或挂网审核"): any of them answers
_EITHER = re.compile(r"或|\bor\b", re.I)


def measure_of(question: str, unit: str) -> tuple[tuple[str, ...], ...]:
    """What the question's sum (MEASURES) or time measures: per measure it names, the words of which a
    sentence stating it names one; () for none. A procedure (PROCEDURES) counts when the question names
    one and no alternative ("各地对药品审评审批或挂网审核规定了多少个工作日…" is answered by each
    procedure's days)."""
    sums = tuple(forms for cue, forms in MEASURES if cue.search(question)) if unit == "money" else ()
    procedures = tuple(forms for cue, forms in PROCEDURES if cue.search(question))
    alone = len(procedures) == 1 and not _EITHER.search(question)
    return sums + procedures if alone and unit in ("money", "duration") else sums
