"""What a question asks for: the kind of answer, and the places and years it is about.

The answer layer keeps only sentences that meet these constraints. The patterns are plain (both
languages, no model): a wrong guess costs little, because the kind only ranks sentences and decides
which ones may support the lead; it never empties an answer.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from pydantic import BaseModel

from ..text.language import detect_language
from ..text.organisations import asked_organisation, asks_body
from ..text.people import romanised_names
from ..text.places import places_named, region_of, with_provinces
from . import stating
from .counting import attended_event, counted, stem
from .kinds import (
    ASKS,
    ASKS_CITY,
    ASKS_DAY,
    ASKS_LEAD,
    ASKS_VENUE,
    AUXILIARY,
    CLASSIFIERS,
    DATED_YEAR,
    EVENT_TIME,
    STATES,
    UNITS,
    YEAR,
    measure_of,
    no_labels,
)

#: a date question about when a report or article came out, or the date a notice is signed (落款): its
#: answer is the source's dateline
_PUBLISHED = re.compile(r"报道|刊发|刊登|刊出|发表|文章|新闻|落款|成文日期|发文日期|印发|签发|"
                        r"\b(?:published|report(?:s|ed)?|posted|articles?|news (?:reports?|stor(?:y|ies))|"
                        r"(?:was|were)\b[^?]*\b(?:issued|signed|released)|sign(?:ed)? off|"
                        # "When did Guangdong release its action plan?", as "When was … released?" (not "In
                        # what year did Beijing issue the earlier version…", a year the text gives)
                        r"^\W*when did\b[^?]*\b(?:release|publish)\b|"
                        r"date (?:is |appears )?on (?:the|this|that)\b)\b", re.I)

#: a figure question for a limit: 上限, 最多能到多少, 降幅有何上限, "What is the cap on …"
_LIMIT = re.compile(r"上限|下限|最多|最高|最低|"
                    r"\b(?:cap|ceiling|maximum|minimum|upper limit|lower limit|at most)\b", re.I)

#: a question for whom a notice was sent to: 发给哪些单位, 下发给谁, 主送, "addressed to", "recipients"
_ADDRESSEES = re.compile(r"(?:下?发|印发|下达|抄送)(?:给|到|至)(?:了)?(?:哪些|哪几|谁)|主送|"
                         r"\b(?:addressed|sent|circulated) to\b|"
                         r"\bto whom\b[^?]*\b(?:addressed|sent|circulated)\b|\brecipients?\b|\baddressees?\b",
                         re.I)

#: what a notice's own date is asked by (its sign-off, 落款), and what asks about a report on it instead
_SIGNED = re.compile(r"落款|成文日期|发文日期|签发|通知|\bsign(?:ed)?\b|\b(?:circular|notice)s?\b", re.I)
_REPORTED = re.compile(r"报道|文章|新闻|\breport|\barticles?\b|\bnews\b", re.I)

class QuestionFacts(BaseModel):
    """The constraints a sentence must meet to answer the question."""

    lang: str
    kind: str = "other"  # quantity, date, place, person, yesno, list or other
    #: the question asks who (谁, "who", "whose"), or for a list, which a list of people may answer
    #: ("Who were the painters?", 哪些艺术家…); other questions are not answered by a roster of speakers
    may_list_people: bool = False
    #: the question asks who spoke ("Which companies spoke at the forum?", 哪些企业在会上发言？): the list of
    #: speakers is the answer, and leads
    speakers: bool = False
    places: frozenset[str] = frozenset()  # Chinese names, a city together with its province
    years: frozenset[str] = frozenset()
    dated: frozenset[str] = frozenset()  # the years that date the asked fact (DATED_YEAR)
    unit: str = ""  # a quantity question's unit (UNITS), '' when it names none
    #: a count question's counted words ("measures", "部门"), or those of a question for a number of people
    #: (多少位企业家代表发了言: 代表, 发言): a sentence that names them states the count only with a number
    #: right before them ("32 new measures", not "nine departments issued the Measures"; "等12位粤商代表发言")
    counted: tuple[str, ...] = ()
    #: the event an attendance question names, in both languages (counting.attended_event): its count is
    #: the event's, so only a document about that event gives it
    event: tuple[str, ...] = ()
    #: a figure question for a limit (上限, 最多能到多少, "the cap"): a sentence that sets it by another rule
    #: ("可不高于简易续约规定的降幅") answers it without a number of its own
    limit: bool = False
    #: the question asks whom a notice was sent to (发给哪些单位, "addressed to"): its addressee line
    #: ("各省、自治区、直辖市…医保局、卫生健康委：") answers it
    addressees: bool = False
    #: the term a definition question asks about ("What is the NRDL?", 商保创新药目录是什么？), '' otherwise
    term: str = ""
    #: a date question about when a report or article was published ("报道发布于哪一天？"): its dateline
    #: answers it, a line that answers no other question
    published: bool = False
    #: a publication-date question about a notice's own date (落款日期, "On what date was the … circular
    #: signed off?"), not a report's: the notice's header dates it even when a report on it leads
    signed: bool = False
    #: the numbers a quantity question gives itself ("Of the 35 hospitals with a biobank, how many share
    #: their data?"): a sentence that repeats them has not stated the asked figure
    given: tuple[str, ...] = ()
    #: a date question that asks for the day: only a day states it ("2025年6月30日", "December 7"), not
    #: the year of "Several Measures 2025". Not one about a report's publication, which its dateline
    #: answers once the sentences have decided that the passages are about the report
    day: bool = False
    #: a date question that only a date answers: not one for a point in a procedure (kinds.EVENT_TIME)
    calendar: bool = False
    #: a place question that asks for a city (kinds.ASKS_CITY): only a city states it
    city: bool = False
    #: a place question that asks for a venue (kinds.ASKS_VENUE): only a hall or centre states it
    venue: bool = False
    #: a question for the body that leads a task (kinds.ASKS_LEAD): only a sentence saying who leads states it
    leads: bool = False

    #: the question asks which company or public body did something ("Which company makes …?",
    #: 由哪个单位主办): an answer names one, whatever its sort (text/organisations.names_body)
    body: bool = False

    #: a sum's (or a time's) measures ("保费", "voucher", 产值, 挂网): per measure the question names,
    #: the words (either language) of which a sentence stating the asked figure names one (MEASURES); ()
    #: when it names none. Each one: the "total budget of the R&D voucher programme" is not the voucher's
    #: "400,000 to 10 million yuan", nor a listing review's working days a supplementary application's
    measure: tuple[tuple[str, ...], ...] = ()

    #: a count question asks how many of a number it gives are something ("56款创新药中有多少款是中药？",
    #: "How many of the 1,200 attendees…?"): only a sentence counting that part answers it
    part: bool = False
    #: an organisation question's sort ('hospital' or 'insurer': text/organisations.py)
    organisation: str = ""

    def states(self, sentence: str) -> bool:
        """Whether a sentence states the asked kind of answer (a quantity in the asked unit, other than a
        number the question gives itself)."""
        asked = stating.Asked(self.kind, self.unit, self.given, self.counted, self.part, self.leads,
                              self.venue, self.city, self.day, self.organisation)
        return stating.states(asked, sentence)

    def states_figure(self, sentence: str) -> bool:
        """Whether a sentence states the asked figure by a number that counts: for a count, a level's, a
        phase's or a day's number ("Biosafety Level 3 (P3) labs", "On December 7") is a name, not a figure."""
        if self.unit == "count" and (counts := self.counts(sentence)) is not None:
            return counts  # which skips a label's number itself ("12 Class I new drugs" counts)
        return self.states(no_labels(sentence) if self.unit == "count" else sentence)

    def names_measure(self, sentence: str) -> bool:
        """Whether a sentence names what the asked sum measures (True when the question names no measure)."""
        text = sentence.lower()
        return all(any(form in text for form in forms) for forms in self.measure)

    def counts(self, sentence: str) -> bool | None:
        """Whether a number stands right before a counted word (up to three words or eight characters
        between); None when the sentence names no counted word, so cannot tell."""
        return stating.counts(self.counted, self.given, sentence) if self.counted else None

    def with_translations(self, terms: Iterable[tuple[str, list[str]]]) -> QuestionFacts:
        """These facts with the counted words' translations (term, forms) added, so a sentence in the
        other language can name the counted thing too ("一类新药" -> "class i new drugs")."""
        forms = [stem(form) for source, alternatives in terms for form in alternatives
                 if any(word in source or source in word for word in self.counted)]
        return self.model_copy(update={"counted": tuple(dict.fromkeys((*self.counted, *forms)))})

    def other_year(self, sentences: list[str]) -> list[str]:
        """The years the sentences date their figures by, when the question dates its own by others
        ("2020年…营业收入" answered by "By 2019, revenue had surpassed 500 billion yuan"); [] otherwise."""
        found = {year for sentence in sentences for year in YEAR.findall(sentence)}
        asked = self.asked_years
        return sorted(found) if asked and found and not found & asked else []

    @property
    def asked_years(self) -> frozenset[str]:
        """The years the asked fact is dated by; for a figure also a year that names a document's version
        ("Beijing's 2024 version of the Several Measures" is not the version "…in Beijing (2025)")."""
        return self.dated or (self.years if self.kind == "quantity" else frozenset())

    @property
    def typed(self) -> bool:
        """Kinds whose answer a sentence visibly states or not (a figure, a date, a place, a name)."""
        return self.kind in TYPED or self.leads

    @property
    def strict(self) -> bool:
        """Kinds a supporting sentence must state too: a figure or date question wants figures."""
        return self.kind in STATES


TYPED = ("quantity", "date", "place", "person", "organisation")


#: a question for a person or body ("Who decides which province …?", 由谁主持): its other cues are
#: part of the description, not the answer
_WHO = re.compile(r"^\W*(?:who|whom|whose)\b|谁", re.I)
#: one that asks for a person by name: who did what people do at a meeting or in an office (spoke,
#: chaired, 由谁发言, 局长是谁), or which leader or official; "Who decides …" may be answered by a body
_PERSON = re.compile(
    r"^\W*who\b.*\b(?:sp[eo]a?ke?s?|chair(?:s|ed)?|presided?|attended|delivered|hosted|led|heads?|headed|"
    r"represented|addressed|signed)\b|\b(?:which (?:\w+ ){0,2}|what (?!(?:did|does|do|is|was|were|are|will|"
    r"has|have|had)\b)(?:\w+ )?)(?:leaders?|officials?|"
    r"speakers?|persons?|people|representatives?|governors?|ministers?|directors?|alumn(?:i|us|a|ae))\b|"
    r"由谁|谁(?:发言|主持|讲话|出席|致辞|代表)|是谁[？?]?$|哪几?位|哪些(?:领导|嘉宾|代表)", re.I)


#: a question for what a term is: "What is the NRDL?", "What does NRDL stand for?", 什么是X, X是什么
_DEFINE = re.compile(
    r"^(?:[^?,]{0,60},\s*)?\W*what(?:\s+exactly)?(?:'s|\s+is|\s+are)\s+(?:meant\s+by\s+)?(?:the\s+|an?\s+)?"
    r"(?P<en>[^?,]{2,60}?)"
    r"(?:,[^?]*)?\s*\??\s*$|"  # "…, according to the article?"
    r"^\W*what\s+does\s+(?:the\s+)?(?P<en2>[^?]{2,40}?)\s+(?:stand for|mean)\s*\??\s*$|"
    r"^\W*(?:什么是|何为|何谓)(?P<zh>[^？?，,]{2,20})[？?]?$|"
    r"^\W*(?P<zh2>[^？?，,]{2,20}?)(?:是什么|指的是什么|是指什么|是啥)(?:意思)?[？?]?$", re.I)
_QUOTED = re.compile(r"[“\"「]([^”\"」]{2,40})[”\"」]")


def asked_term(question: str) -> str:
    """The term a definition question asks about, as written ('' for any other question): what it quotes,
    if anything ("what is meant by the industry's "four highs and one long"?"), else the whole phrase."""
    match = _DEFINE.search(question.strip())
    if not match:
        return ""
    phrase = next((g for g in match.groups() if g), "")
    quoted = _QUOTED.search(phrase)
    return (quoted.group(1) if quoted else phrase).strip(" “”\"'")


#: "Who is Song Yuqin?", 孟凡利是谁？, 谁是林克庆？: a person asked about by name, answered by the sentence
#: that introduces them ("Song Yuqin, Vice President of Peking University Cancer Hospital, analyzed …")
_WHO_IS = re.compile(r"^\W*(?i:who\s+(?:is|was))\s+(?P<en>[A-Z][\w.'-]*(?:\s+[A-Z][\w.'-]*){0,3})\s*\??\s*$|"
                     r"^\W*(?P<zh>[\u4e00-\u9fff]{1,3}[^\W\d_的长人者员家师官手])是谁[？?]?$|"
                     r"^\W*谁是(?P<zh_first>[\u4e00-\u9fff]{1,3}[^\W\d_的长人者员家师官手])[？?]?$")


def asked_person(question: str) -> str:
    """The name a "who is X?" question asks about ('' for any other question)."""
    match = _WHO_IS.match(question.strip())
    return next((g for g in match.groups() if g), "") if match else ""


#: a count of things, which a sum may qualify ("多少家营收超百亿元的企业"): the unit stays a count
_COUNTED_THINGS = re.compile(rf"(?:多少|几)[{CLASSIFIERS}]|"
                             r"\bhow many\b(?!\s+(?:yuan|dollars)\b)",
                             re.I)
#: a question about who spoke: the list of speakers answers it
_SPEAKERS = re.compile(r"发言|\b(?:spoke|speak|speakers?)\b", re.I)
#: a question for one official ("Which senior provincial leader attended and spoke…?"), or for who chaired
#: ("Who presided over the … symposium?", 由谁主持): a roster of the business representatives who spoke
#: does not name them
_ONE_OFFICIAL = re.compile(r"\bwhich (?:[\w-]+ ){0,2}(?:leader|official|governor|minister|director|mayor)\b|"
                           r"^\W*who\b.*\b(?:chair(?:s|ed)?|presided?|moderated)\b|谁主持|主持人", re.I)
#: a list question's noun that names people ("Who were the painters?", 哪些艺术家): only such a list may be
#: a roster of names; "What are the goals of the plan?" is not answered by the speakers at a forum
_PEOPLE = re.compile(
    r"艺术家|画家|代表|嘉宾|领导|专家|企业家|人物|人员|人士|成员|官员|学者|科学家|作家|演员|球员|选手|教练|校友|人[？?]?$|"
    r"\b(?:people|persons?|alumn(?:i|us|a|ae)|(?:painter|artist|representative|speaker|official|leader|expert|"
    r"member|player|scientist|writer|author|entrepreneur|guest|delegate|attendee|participant|individual|"
    r"figure|name|coach|composer|poet|philosopher|king|emperor|president|ruler|general|commander)s?)\b",
    re.I)


#: an English question opened by an auxiliary verb asks yes or no, whatever wh-words it embeds
_ASKS_YES_NO = re.compile(rf"\W*{AUXILIARY}\s", re.I)


#: a question for which regions ("Which regions have set revenue targets…?", 哪些地区…): in a comparison the
#: rows are the regions, so each row's question asks what else it asks
_WHICH_REGIONS = re.compile(r"哪(?:[个些]|几个)?(?:地区|省份?|地方|区域)|\bwhich (?:provinces?|regions?)\b",
                            re.I)


#: a count of a part of a number the question gives: "56款创新药中有多少款…", "14个…品种中有几个…", "How
#: many of the 1,200 attendees…"; not "还剩多少时间" after a score, "不到18岁的孩子", "在2010年的干旱中，
#: 有多少地区"
_PART = re.compile(r"\d[\d,.]*\s*[多余]?[个家款项种条位名所只件批类][^，。？?、]{0,20}?(?:中|里|当中|之中)"
                   r"[，,]?\s*(?:共|一共)?有?\s*(?:多少|几)|"
                   r"\bhow many of (?:the |these |those |its |their )?"
                   r"(?:more than |over |about |nearly |some )?\d", re.I)


def asks_across_regions(question: str) -> bool:
    """Whether a question asks which regions do something, or about two provinces or more (a city counts
    for its province): a comparison answers it region by region (answer/compare.py). "Which province…"
    counts too: the answer is one region, and a comparison shows it beside the others."""
    regions = {region_of(place) for place in places_named(question)}
    return bool(_WHICH_REGIONS.search(question)) or len(regions) > 1


def analyse(question: str, one_region: bool = False) -> QuestionFacts:
    """What the question asks. `one_region`: the question is asked of one region's passages for its row of a
    comparison (answer/compare.py), so "which regions" is the row itself, not the kind of answer: "Which
    regions have set revenue targets…, and what are the targets?" asks for the targets (a list), and its
    sentences are not ranked by whether they name a place."""
    who = bool(_WHO.search(question))
    if _ASKS_YES_NO.match(question):  # "Did the governor act on what business leaders told him?"
        kind = "yesno"
    elif _PERSON.search(question):
        kind = "person"
    elif who:
        kind = "other"
    else:
        # in a region's row, "which regions" is the row itself: the question asks what else it asks
        skip = ("place",) if one_region and _WHICH_REGIONS.search(question) else ()
        kind = next((name for name, pattern in ASKS if name not in skip and pattern.search(question)),
                    "other")
        if kind in ("other", "list") and ASKS_VENUE.search(question):  # "Which venue hosted …?"
            kind = "place"
    # 哪家保险公司承保…, 在哪家医院试点…: a name of that sort answers; not "Which hospital did Dr Li speak
    # for?", which the list of speakers answers
    organisation = asked_organisation(question) if kind in ("other", "list", "place") and not who else ""
    if organisation and not asked_person(question) and not romanised_names(question):
        kind = "organisation"
    unit = ""
    if kind == "quantity":
        units = [unit for unit, cue, _figure in UNITS if cue.search(question)]
        unit = units[0] if units else ""
        # "培育多少家营收超百亿元的企业？" counts companies; the sum only says which ones are counted
        if unit == "money" and "count" in units and _COUNTED_THINGS.search(question):
            unit = "count"
    published = kind == "date" and bool(_PUBLISHED.search(question))
    return QuestionFacts(lang=detect_language(question), kind=kind, unit=unit,
                         may_list_people=(who or kind == "person" or (kind == "list" and bool(
                             _PEOPLE.search(question) or _SPEAKERS.search(question))))
                         and not _ONE_OFFICIAL.search(question),
                         speakers=kind in ("list", "person") and bool(_SPEAKERS.search(question))
                         and not _ONE_OFFICIAL.search(question),
                         counted=counted(question) if unit in ("count", "people") else (),
                         event=attended_event(question) if unit == "people" else (),
                         addressees=bool(_ADDRESSEES.search(question)),
                         limit=kind == "quantity" and bool(_LIMIT.search(question)),
                         term=(asked_term(question) if kind == "other" else "") or asked_person(question),
                         published=published,
                         signed=published and bool(_SIGNED.search(question))
                         and not _REPORTED.search(question),
                         calendar=kind == "date" and not EVENT_TIME.search(question),
                         day=kind == "date" and bool(ASKS_DAY.search(question)) and not published,
                         city=kind == "place" and bool(ASKS_CITY.search(question)),
                         venue=kind == "place" and bool(ASKS_VENUE.search(question)),
                         leads=kind in ("other", "list", "organisation") and bool(ASKS_LEAD.search(question)),
                         places=with_provinces(places_named(question)),
                         organisation=organisation if kind == "organisation" else "",
                         body=kind != "organisation" and asks_body(question),
                         measure=measure_of(question, unit),
                         part=unit == "count" and bool(_PART.search(question)),
                         years=frozenset(YEAR.findall(question)),
                         dated=frozenset(a or b for a, b in DATED_YEAR.findall(question)),
                         given=tuple(stating.GIVEN.findall(question)) if kind == "quantity" else ())

