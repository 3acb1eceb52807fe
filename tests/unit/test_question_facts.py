"""What a question asks for (answer/facts.py): its kind, a quantity's unit, and whether a sentence states
it; places abroad (text/places.py) and drug names (text/drugs.py) that make a question about them
declinable."""

from __future__ import annotations

import pytest

from policyqa.answer.evidence import (
    DATELINE,
    NUMBERED,
    WHOLE_CHARS,
    defines,
    is_heading,
    is_title_line,
    whole_sentence,
)
from policyqa.answer.extractive import _mid_marks
from policyqa.answer.facts import analyse, asked_person, asked_term, asks_across_regions
from policyqa.retrieve.lexicon import Lexicon, packaged_dictionary
from policyqa.text.drugs import drugs_named, unmentioned_drugs
from policyqa.text.people import is_roster, names_romanised, romanised_names
from policyqa.text.places import abroad_named


@pytest.mark.parametrize(("question", "kind", "unit"), [
    # an auxiliary verb first asks yes or no, whatever wh-words follow
    ("Did the governor act on what business leaders told him at the forum?", "yesno", ""),
    ("Is there a deadline for when hospitals must hold the meeting?", "yesno", ""),
    ("广东想吸引国内排名前多少位的医药企业来粤设生产基地？", "quantity", "count"),  # a rank, not people
    ("How many of the 35 hospitals share their sample data?", "quantity", "count"),  # share, the verb
    ("What does being an MSP share with the House of Commons?", "other", ""),
    ("How many people attended the 2025 conference?", "quantity", "people"),
    # which month, day or year, with or without its measure word (w20: 哪个月 had been read as "other")
    ("国家医保局和国家卫健委是哪个月联合出台若干措施的？", "date", ""),
    ("若干措施是哪一天印发的？", "date", ""),
    # a word that only starts like a day, month or year (天津, 日本, 天然, 年龄) asks for none
    ("哪个天津企业获批了创新药？", "other", ""),
    ("哪个日本药企在海南设厂？", "other", ""),
    ("哪个年龄段的患者受益最多？", "other", ""),
    # residents are people, named with their place or kind (v03: "17.91 million people … were insured")
    ("How many Guangdong residents were covered by city-customized insurance in 2024?", "quantity", "people"),
    ("How many cancer patients benefit from the catalogue?", "quantity", "people"),
    ("海南对年服务金额超过300万元的奖励最高是多少？", "quantity", "money"),
    ("What share of the fund is paid in advance?", "quantity", "percent"),
    ("How long does a clinical trial review take in Beijing?", "quantity", "duration"),
    ("北京《若干措施2025》是由多少个部门联合印发的？", "quantity", "count"),
    ("In how many scenarios will Beijing support medical AI models?", "quantity", "count"),
    # the measure words of products and kinds (款, 类) ask for a count as 个 and 家 do
    ("国家药监局2025年批准上市的18款生物制品里有几款是疫苗？", "quantity", "count"),
    # a change asked without a unit may be answered in any ("by more than 70%", "from 60 days to 30")
    ("北京药品补充申请试点的审评审批时间缩短了多少？", "quantity", ""),
    # a noun that names a quantity is a weaker cue than a yes/no or list question word
    ("医院能否以用药目录数量或药占比为理由不配备创新药？", "yesno", ""),
    ("目录内创新药触发降价时，调整后的降幅有何上限？", "quantity", "percent"),
    # a ratio is asked and stated like a share (1:0.6, 30%)
    ("三级医院医护人员与床位的配比标准是多少？", "quantity", "percent"),
    ("What ratio of nurses to beds must hospitals keep?", "quantity", "percent"),
    # what a sum is called (a premium, a fee, a cost, what was paid) asks for money; years of it, a duration
    ("广州“穗心保”的年保费是多少元？", "quantity", "money"),
    ("“互联网+护理服务”上门护理的收费标准是多少？", "quantity", "money"),
    ("How much did the group pay to acquire the company?", "quantity", "money"),
    # prices are figures, however many words stand between "what are the" and the noun
    ("What are the volume-based procurement prices for coronary stents?", "quantity", "money"),
    ("Which regions give money to companies for clinical trials, and how much?", "quantity", "money"),
    ("临床试验能拿到多少钱？", "quantity", "money"),
    ("How many years of regulatory data exclusivity do new chemical entities get?", "quantity", "duration"),
    # how fast something grows is a rate, how fast something is done a time
    ("How fast is China's biopharmaceutical market expected to grow?", "quantity", "percent"),
    ("How fast will Beijing review a clinical trial application?", "quantity", "duration"),
    # how often: a frequency, which a deadline does not give (商保创新药目录多久调整一次？ had been
    # answered by "于药品目录更新公布后3个月内召开药事会")
    ("商保创新药目录多久调整一次？", "quantity", "frequency"),
    ("How often are cases reviewed?", "quantity", "frequency"),
    ("How frequently should experts review the cases?", "quantity", "frequency"),  # questions q105
    # a target for a sum asks for a figure ("What is Guangzhou's target for … revenue?" had been a definition
    # question, led by the digest's "12月22日,粤商·省长面对面协商座谈会在广州召开…")
    ("What is Guangzhou's target for biomedicine industry revenue?", "quantity", "money"),
    ("Which regions have set revenue targets for their industry?", "place", ""),
    # "up to" a limit asks for one; "own up to", "live up to" are verbs
    ("Subsidies of up to what amount can a Hainan company receive?", "quantity", "money"),
    ("What weaknesses did Guangdong's plan own up to?", "other", ""),
    # "这几年" (these years) asks for no count; national ministries, provincial departments, markets and
    # what something rests on are no places, a city or a province is
    ("两家单位合作这几年取得了哪些成果？", "list", ""),
    ("还有哪些国家部委参加了会议？", "list", ""),
    ("北京市医保局和哪些市级部门联合发文？", "list", ""),
    ("这项改革建在哪些已有工作基础上？", "list", ""),
    ("交易平台设在哪个城市？", "place", ""),
    ("哪些省份出台了支持政策？", "place", ""),
    # national programmes (国家科技计划) are no countries; a yes/no form asks whether, unless the
    # question asks how or what (是怎样评估…能否…)
    ("项目可以依托哪些国家科技计划？", "list", ""),
    ("这类药品会不会被纳入集采？", "yesno", ""),
    ("这项措施是不是只适用于本市企业？", "yesno", ""),
    ("医保部门是怎样评估新药能否纳入报销的？", "other", ""),
    # a procedure's time named as a noun asks for a duration, not for a definition of the term
    ("What is the Beijing approval time for clinical trials?", "quantity", "duration"),
    ("What is the processing time for a listing application in Guangdong?", "quantity", "duration"),
    ("What is the standard review period for a new drug application?", "quantity", "duration"),
    # "what is the <figure noun>" asks for the figure; "what is the deadline" for a date
    ("What is the cap on Hainan's reward for companies in volume-based procurement?", "quantity", "money"),
    ("What is the application deadline for Hainan's R&D voucher rewards?", "date", ""),
    ("What is the purpose of the R&D vouchers?", "other", ""),
    ("When was the notice issued?", "date", ""),
    # which person (哪位, "what leader", "what alumni"), but not any question that mentions people
    ("哪位巴基斯坦总理是哈佛校友?", "person", ""),
    ("What Harvard Alumni was the Palestine Prime Minister?", "person", ""),
    ("What do some people protest against?", "other", ""),
    # "when" as a conjunction asks for no date; a "who" question asks for a person or body, not a place
    ("Which technical methods should be used when setting payment standards?", "list", ""),
    ("On what date do the measures take effect, and until when are they valid?", "date", ""),
    ("Who decides which province first accepts the listing of a new drug?", "other", ""),
    # who did what people do at a meeting or in an office asks for a name
    ("粤商·省长面对面协商座谈会由谁主持？", "person", ""),
    ("Who chaired the December 22 consultation forum?", "person", ""),
    ("在大会上讲话的国家医保局局长是谁？", "person", ""),
    ("Which senior provincial leader attended the forum?", "person", ""),
    ("在科技创新方面，孟凡利强调要突出谁的主体地位？", "other", ""),
    # 哪几个 asks which ones, not how many
    ("粤港澳大湾区内地九市是指哪几个城市？", "place", ""),
    ("Which regions should the trading platform target?", "place", ""),
    # a budget is a sum of money, however it is asked
    ("What is the budget of the national major science and technology project?", "quantity", "money"),
    ("国家科技重大专项的预算是多少？", "quantity", "money"),
    # ... after an adjective too (audit, helper h68: answered by three catalogue sentences with no sum)
    ("What is the exact budget in yuan allocated by the NHSA to the commercial insurance catalogue?",
     "quantity", "money"),
    ("What is the main aim of the plan?", "other", ""),
    # companies counted by their revenue: the companies are counted, the sum says which ones
    ("广东行动计划提出培育多少家营收超百亿元的企业？", "quantity", "count"),
    ("How many companies have revenue above 10 billion yuan?", "quantity", "count"),
    # "what revenue" asks for a figure with an adjective or two between
    ("What industrial revenue target does the Guangdong plan set?", "quantity", "money"),
    # a price mechanism is no price; what an official said is no person
    ("What is the settlement price mechanism for drugs in the catalogue?", "other", ""),
    ("What did Governor Meng Fanli say about shortcomings in the industry?", "other", ""),
])
def test_kind_and_unit(question: str, kind: str, unit: str) -> None:
    facts = analyse(question)
    assert (facts.kind, facts.unit) == (kind, unit)


@pytest.mark.parametrize(("question", "sentence", "states"), [
    ("How many people attended?", "totaling over 1,200 attendees", True),
    ("医护人员与床位的配比标准是多少？", "床护比不低于1:0.6", True),
    ("医护人员与床位的配比标准是多少？", "目前北京有35家三级医院", False),  # a count, not a ratio
    ("How many people attended?", "a fund of 2 billion yuan", False),  # a figure, not a count of people
    ("How many applications were approved?", "approved in just 19 working days", False),  # a time
    # a count of another thing, when the counted thing could have been named: varieties are no applications
    # (heldout hu20), 生物医药企业 no 上市公司; a count of it is
    ("How many applications were approved?", "officially approved 2 varieties", False),
    ("How many applications were approved?", "it approved 2 applications", True),
    ("成都高新区有多少家上市公司？", "高新区聚集了3900余家生物医药企业", False),
    # a count in another language whose counted word has no translation cannot be told apart: any number
    ("How many balls did he intercept?", "他完成了四次拦截", True),
    ("海南的奖励最高是多少元？", "with a maximum of 500,000 yuan", True),
    ("海南的奖励最高是多少元？", "共有35家医院", False),
    ("北京《若干措施2025》是由多少个部门联合印发的？", "nine departments including the bureau", True),
    ("北京《若干措施2025》是由多少个部门联合印发的？", "九部门联合印发", True),
    ("北京《若干措施2025》是由多少个部门联合印发的？", "the departments jointly issued it", False),
    ("How soon will approvals be given?", "from 200 working days to 60", True),
    ("How long did the flight take?", "it landed after two hours", True),
    ("How long does a clinical trial review take in Beijing?", "审评用时两个多小时", True),
    # a plan's title year or a share is not the count asked for
    ("北京《若干措施2025》是由多少个部门联合印发的？", "jointly issued the Several Measures (2025)", False),
    ("How many new drug approvals does the action plan aim to secure?", "a growth rate of 8.12%", False),
    ("How many new drug approvals does the action plan aim to secure?", "Secure 20 new drug approvals", True),
    # a sentence that names the counted thing states the count only with a number right before it
    ("How many new measures are in Beijing's Several Measures 2025?", "launching 32 new measures", True),
    # "how many of X's Y" counts Y; a gloss in brackets is read past
    ("How many top-tier (tertiary) hospitals in Beijing already run a biobank?",
     "At present, 35 tertiary hospitals in Beijing have established biological sample banks", True),
    ("How many of Beijing's top-tier hospitals already run biobanks?",
     "At present, 35 tertiary hospitals in Beijing have established biological sample banks", True),
    ("How many new measures are in Beijing's Several Measures 2025?",
     "the bureau and nine other departments jointly issued the Several Measures", False),
    ("北京《若干措施2025》是由多少个部门联合印发的？", "北京市医保局等9个部门联合印发", True),
    ("北京《若干措施2025》是由多少个部门联合印发的？", "2025年，各部门联合印发了若干措施", False),
    ("How many people were covered in 2024?", "a total of 17.91 million people were insured", True),
    ("有多少人参保？", "共1791万人参保", True),
    # the counted noun may come before the question word: "X有多少条？"
    ("成都高新区已获批的三类医疗器械有多少个？", "3,900家企业参与医疗器械研发", False),
    ("成都高新区已获批的三类医疗器械有多少个？", "累计获批三类医疗器械100余个", True),
    # a place answer may lie abroad or be a world region
    ("Which regions should the trading platform target?", "面向东南亚、中亚和其他共建“一带一路”国家", True),
    ("Which regions should the trading platform target?", "expanding into Southeast Asian markets", True),
    ("Which regions should the trading platform target?", "加强国际推广", False),
    # a name among the words that mark one: a title or company before it, a speech verb or list comma after
    ("粤商·省长面对面协商座谈会由谁主持？", "省委副书记、省长孟凡利出席并讲话,省政协主席林克庆主持。", True),
    ("粤商·省长面对面协商座谈会由谁主持？", "会上,一品红集团李捍雄、新济药业吴传斌等12位粤商代表发言", True),
    ("粤商·省长面对面协商座谈会由谁主持？", "推动生物医药产业高质量发展,企业家代表与省领导深入交流", False),
    ("Who spoke at the conference?", "Zhang Ke, Party Secretary and Director of the NHSA, spoke", True),
    ("Who spoke at the conference?", "Director General Li Ming attended the forum", True),
    ("Who spoke at the conference?", "Guangzhou will host the High-Quality Development Conference", False),
    # a transliterated foreign name, but not a dotted event name
    ("这首赞美诗的英语翻译者是谁?", "黑豹队的防线上有经验丰富的防守端锋贾里德·艾伦", True),
    ("粤商·省长面对面协商座谈会由谁主持？", "粤商·省长面对面协商座谈会在广州召开", False),
    ("临床试验审批需要多长时间？", "审批时限由60个工作日压缩至30个工作日", True),
    # a deadline states a "when"; "within" alone does not ("within the scope of medical insurance payment")
    ("When must hospitals hold the meeting?", "于药品目录更新公布后3个月内召开药事会", True),
    ("When are listing reviews completed?", "completing listing reviews within 15 working days", True),
    ("商保创新药目录什么时候开始实施？", "drugs within the scope of insurance payment", False),
    ("When did the movement begin?", "It began in the mid-18th century within the Church of England.", True),
    ("这场运动是什么时候开始的？", "这场运动始于18世纪中叶", True),
    # a number the question gives itself is no answer to it
    ("北京已建生物样本库的35家三级医院中，有多少家已经实现样本数据共享？",
     "At present, 35 tertiary hospitals in Beijing have established biological sample banks", False),
    ("北京已建生物样本库的35家三级医院中，有多少家已经实现样本数据共享？", "35家医院中已有12家实现共享",
     True),
    ("How many of the 1,200 attendees came from companies?", "about 300 of the 1,200 attendees", True),
    ("How many of the 1,200 attendees came from companies?", "more than 1,200 attendees came", False),
    ("How many of the 35 hospitals have opened their sample data?", "135 hospitals have opened it", True),
    ("How many of the 35 hospitals have opened their sample data?", "all 35 hospitals have opened it", False),
    # how long or how often: a frequency answers
    ("医保部门应在多长时间内对特例单议病例组织专家评议？", "按季度或月组织专家对特例单议病例进行评议", True),
    ("How often should experts review special cases?", "experts review them quarterly", True),
    ("How often should experts review special cases?", "experts review special cases", False),
])
def test_a_sentence_states_the_asked_figure(question: str, sentence: str, states: bool) -> None:
    assert analyse(question).states(sentence) is states


@pytest.mark.parametrize(("question", "sentence", "counts"), [
    ("How many people attended?", "totaling over 1,200 attendees", True),
    ("Roughly how many people took part in the conference?", "totaling over 1,200 attendees", True),
    ("大会有多少人参会？", "共1200余人参会", True),
    ("大会有多少人参会？", "参会人员来自各地，共有1200余家企业", False),
    # the insured of the same report are no attendees: the sentence does not count the asked thing
    ("How many people attended the conference?", "a total of 17.91 million people were insured", None),
    ("大会有多少人参会？", "共1791万人参保", None),
])
def test_an_attendance_counts_the_attendees(question: str, sentence: str, counts: bool | None) -> None:
    """"How many people attended …?" counts attendees (in either language), not any number of people."""
    assert analyse(question).counts(sentence) is counts


def test_an_attendance_question_names_its_event_in_both_languages() -> None:
    assert {"conference", "大会"} <= set(analyse("How many people attended the conference?").event)
    assert "forum" in analyse("粤商座谈会有多少人参加？").event
    assert analyse("How many people were insured in 2024?").event == ()


def test_places_abroad_in_both_languages_and_acronyms_only_in_capitals() -> None:
    assert abroad_named("美国FDA对细胞疗法的加速审批通道有哪些条件？") == {"美国"}
    assert abroad_named("What is the capital of France?") == {"法国"}
    assert abroad_named("EMA rules in the EU") == {"欧盟"}
    assert abroad_named("Let us know what the plan says about Hainan") == set()
    assert abroad_named("广东支持创新药企业借助香港、澳门优势") == set()  # Hong Kong and Macao are home


def test_a_count_in_the_other_language_names_the_counted_thing_through_its_translation() -> None:
    facts = analyse("成都高新区累计获批了多少个一类新药？")
    assert facts.counts("The zone has approved 12 Class I new drugs") is None  # cannot tell alone
    translated = facts.with_translations([("一类新药", ["class i new drugs"]), ("获批", ["approved"])])
    assert translated.counts("The zone has approved 12 Class I new drugs") is True
    assert translated.counts("over 3,900 biopharmaceutical companies") is None
    assert translated.counts("Class I new drugs were approved in 2024") is False


def test_the_counted_thing_is_the_head_noun_after_a_threshold_clause() -> None:
    assert analyse("广东行动计划要培育几家销售收入超千亿元的龙头企业？").counted == ("龙头企业",)
    assert analyse("成都高新区有多少个产品的产值超过1亿元？").counted[0] == "产品"  # the products are counted
    # "one" is a count before the counted thing
    leader = analyse("How many industry leaders will Guangdong cultivate?")
    assert leader.counts("cultivate one industry leader with sales revenue exceeding 100 billion") is True
    assert leader.counts("the industry leader, one of a kind") is False


@pytest.mark.parametrize("question", ["How many national clinical research centers does Guangdong have?",
                                      "广东行动计划提出要建设多少个国家临床医学研究中心？"])
def test_a_count_of_another_level_does_not_count_the_asked_one(question: str) -> None:
    """The asked level (national) against a figure of another (provincial-level): the fourth user audit's
    question was led by "30 provincial-level clinical research centers"; the same level, or none named
    after the figure, still counts."""
    terms = [("国家临床医学研究中心", ["national clinical research centers"]),
             ("临床医学研究中心", ["clinical research centers"])]
    facts = analyse(question).with_translations(terms)
    assert facts.counts("establish 30 provincial-level clinical research centers") is False
    assert facts.counts("home to three national clinical research centers") is True
    assert facts.counts("establish 30 clinical research centers") is True
    unlevelled = analyse("How many clinical research centers will Guangdong establish?")
    assert unlevelled.counts("establish 30 provincial-level clinical research centers") is True


def test_a_chinese_count_written_after_its_noun_counts_it() -> None:
    """Chinese policy text often writes the number after the noun, with its measure word (新增上市创新药10个):
    that had been read as no count, and the question asking it declined as giving no figure. A measure
    word of time after the number (10个工作日) counts no drugs."""
    facts = analyse("四川省力争到2026年新增多少个上市创新药？")
    assert facts.counts("到2026年，四川省力争新增上市创新药10个。")
    assert facts.counts("到2026年，四川省力争新增10个上市创新药。")
    assert facts.counts("上市创新药达到十个")
    assert not facts.counts("新增上市创新药，10个工作日内完成受理")
    assert not facts.counts("新增上市创新药，十个工作日内完成受理")  # the numeral with its measure word
    assert not facts.counts("上市创新药三个月内完成注册")
    assert not facts.counts("上市创新药数量增长30%")


def test_a_class_label_may_open_the_counted_noun() -> None:
    """w19 "成都高新区已经获批了多少个1类新药?" had counted nothing (a digit after 多少个) and led with the
    zone's 3,900 companies instead of its "12 Class I new drugs"."""
    facts = analyse("成都高新区已经获批了多少个1类新药?")
    assert facts.counted == ("新药",)
    assert analyse("有几个Ⅲ类医疗器械获批？").counted[0] == "医疗器械"


def test_a_counted_word_is_matched_by_its_stem_not_by_a_look_alike() -> None:
    """穗心保覆盖多少种药品？ was answered by "nine departments including Beijing Medical Security Bureau":
    the dictionary's "medicaments" cut to five letters was "medic", and "In 2024," read as a count."""
    facts = analyse("穗心保覆盖多少种药品？").with_translations([("药品", ["medicaments", "medicine"])])
    assert facts.counts("Recently, nine departments including Beijing Medical Security Bureau") is None
    assert facts.counts("In 2024, the Beijing Municipal Medical Security Bureau listed medicines") is False
    assert facts.counts("covering 120 medicines and devices") is True
    # a longer word that starts or ends with the stem is still the counted thing
    exams = analyse("印度有多少个考试委员会?").with_translations([("考试", ["exam"])])
    assert exams.counts("this has resulted in 30 different Examination Boards") is True
    tons = analyse("How many tons of carbon are absorbed?")
    assert tons.counts("the Amazon absorbs 1.5 gigatons of carbon dioxide") is True
    # a hyphenated word is its parts, as a sentence's words are read: "Guangdong-Hong Kong-Macao laboratories"
    # had named none of "joint", "guangdong-hong", "kong-macao" (fresh5 nu29, answered by "Level 4 (P4)")
    joint = analyse("How many joint Guangdong-Hong Kong-Macao laboratories does Guangdong plan to set up?")
    assert joint.counts("establish 3 joint Guangdong-Hong Kong-Macao laboratories") is True
    assert analyse("How many provincial-level centers?").counted == ("provinci level", "center")
    # a name with a digit is a word of the counted thing, a number is not (fresh5 nu22 had counted nothing,
    # so "nine other departments" stated its count of Class 1 drugs)
    assert analyse("How many Class 1 innovative drugs were approved?").counted == ("class", "innov", "drug")
    assert analyse("How many of the 204 innovative drugs are Chinese?").counted == ("innov", "drug")


def test_a_part_of_a_whole_is_counted_by_any_word_for_one() -> None:
    """"In how many areas …?" had been declined: its answer counts "three dimensions". An area, aspect,
    dimension or field (方面, 领域, 维度) is the same count, but "research areas" are not aspects."""
    areas = analyse("In how many areas will the new models make a difference?")
    assert areas.counts("they will play an important role in three dimensions.") is True
    assert analyse("措施从几个方面支持创新药？").counts("从五个领域提出16条措施") is True
    assert analyse("How many research areas are funded?").counts("in three dimensions") is None
    # a part (部分) or a section too (措施分为几个部分？ had been declined against "… across five areas")
    parts = analyse("国家医保局和国家卫生健康委的措施分为几个部分？")
    assert parts.counts("proposing 16 initiatives across five areas") is True
    assert analyse("How many sections does the plan have?").counts("set out in five sections") is True


@pytest.mark.parametrize(("question", "dated"), [
    ("2020年广东生物医药与健康产业营业收入是多少？", {"2020"}),
    ("How many drugs did NMPA approve in 2025?", {"2025"}),
    ("How many initiatives does the June 2025 NHSA notice set out?", {"2025"}),
    # a year inside a name dates nothing
    ("北京《若干措施2025》是由多少个部门联合印发的？", set()),
    ("How many people attended the 2025 High-Quality Development Conference?", set()),
])
def test_the_years_that_date_the_asked_fact(question: str, dated: set[str]) -> None:
    assert analyse(question).dated == dated


def test_a_figure_dated_by_other_years_only_does_not_answer() -> None:
    facts = analyse("2020年广东生物医药与健康产业营业收入是多少？")
    assert facts.other_year(["By 2019, revenue had surpassed 500 billion yuan"]) == ["2019"]
    assert facts.other_year(["By 2019 it passed 500 billion, and 600 billion in 2020"]) == []
    assert facts.other_year(["Revenue passed 500 billion yuan"]) == []  # undated: cannot tell
    assert analyse("广东的营业收入是多少？").other_year(["By 2019, revenue passed 500 billion"]) == []
    # a revenue target is a figure, and one for 2030 is not one for 2027
    target = analyse("What is Hubei's biopharmaceutical revenue target for 2030?")
    assert target.kind == "quantity"
    assert target.other_year(["aiming for 250 billion yuan by 2027"]) == ["2027"]


def test_drug_names_by_their_naming_conventions_in_both_languages() -> None:
    assert drugs_named("What is the negotiated price of Akeso's ivonescimab?") == {"ivonescimab"}
    assert drugs_named("关于阿达木单抗的支付标准") == {"阿达木单抗"}
    assert drugs_named("普基奥仑赛注射液的医保支付价格是多少？") == {"普基奥仑赛"}
    assert drugs_named("复方氨基酸注射液的补充申请") == {"氨基酸注射液"}
    # ordinary words with a drug-like ending are none
    assert drugs_named("Except for the concept, what did the April notice accept?") == set()
    assert unmentioned_drugs("ivonescimab price?", "Akeso's IVONESCIMAB was approved") == set()
    assert unmentioned_drugs("ivonescimab price?", "drugs are priced by negotiation") == {"ivonescimab"}


def test_a_drug_written_in_the_other_language_counts_as_mentioned() -> None:
    """Through the packaged CC-CEDICT lexicon: an English INN the dictionary knows, and a Chinese name whose
    words before the ending it knows; a coined name it cannot translate word by word stays unmentioned."""
    lexicon = Lexicon(None, packaged_dictionary())

    def translate(text: str) -> list[tuple[str, list[str]]]:
        return [(term.source, term.forms) for term in lexicon.terms(text)]

    def unmentioned(question: str, passages: str) -> set[str]:
        return unmentioned_drugs(question, passages, translate)

    assert unmentioned("What does amoxicillin cost?", "阿莫西林胶囊的挂网价格") == set()
    assert unmentioned("What does amoxicillin cost?", "青霉素的挂网价格") == {"amoxicillin"}
    assert unmentioned("复方氨基酸注射液的补充申请", "a compound amino acid injection") == set()
    assert unmentioned("复方氨基酸注射液的补充申请", "an injection") == {"氨基酸注射液"}
    assert unmentioned("普基奥仑赛注射液的价格", "the general arrangement of competitions") == {"普基奥仑赛"}


@pytest.mark.parametrize(("text", "heading"), [
    ("(六)合理确定创新药医保支付标准。", True),
    ("一、加大创新药研发支持力度", True),
    ("2025 High-Quality Development Conference for Innovative Drugs Successfully Held in Guangzhou", False),
    ("Support for Innovative Drugs", True),
    ("医保部门应简化程序、优化流程,按季度或月组织专家对特例单议病例进行评议。", False),
    # a digest's numbered label, which supports no lead (audit, helper h68: quoted in a Hainan answer)
    ("Group 1: Support for R&D and Innovation", True),
])
def test_headings_numbered_or_unfinished_are_told_from_sentences(text: str, heading: bool) -> None:
    assert is_heading(text) is heading
    numbered = text.startswith(("(六)", "一、", "Group 1"))
    assert bool(NUMBERED.match(text)) is numbered


TITLE = "Guangdong Province's Action Plan for Developing Strategic Pillar Industry Clusters (2021–2025)"


@pytest.mark.parametrize(("passage", "line"), [
    (f"Big news!\n\n{TITLE}\n\nRecently, five departments released it.", True),  # a title of any length
    (f"{TITLE}\nRecently, five departments released it.", True),
    (f"Recently, five departments released the {TITLE}, which sets goals.", False),  # inside a sentence
    (f"Big news!\n\n{TITLE}.\n", False),  # a line that ends in a stop is a sentence
])
def test_a_line_of_its_own_without_a_stop_is_a_title(passage: str, line: bool) -> None:
    start = passage.index(TITLE)
    end = start + len(TITLE) + (passage[start + len(TITLE)] == ".")
    assert is_title_line(passage[start:end], passage, (start, end)) is line


@pytest.mark.parametrize(("sentence", "roster"), [
    ("会上,一品红集团李捍雄、新济药业吴传斌、华大智造刘心、康方生物李百勇等12位粤商代表发言", True),
    ("省委副书记、省长孟凡利出席并讲话,省政协主席林克庆主持。", False),  # two people: who chaired, who spoke
    ("Zhang Ke, Director of the NHSA, Li Ming, and Wang Fang, Vice Governor, attended", True),
    ("Guangzhou will host the High-Quality Development Conference", False),
])
def test_a_sentence_naming_three_people_is_a_roster(sentence: str, roster: bool) -> None:
    assert is_roster(sentence) is roster


@pytest.mark.parametrize(("question", "may"), [
    ("Who were the painters of the period?", True),
    ("这一时期的代表艺术家有哪些？", True),
    # one person chaired: the roster of the twelve who spoke names nobody who did (fresh9 t10)
    ("粤商·省长面对面协商座谈会由谁主持？", False),
    ("粤商·省长面对面协商座谈会上谁发了言？", True),
    ("孟凡利如何评价广东生物医药产业的发展现状？", False),
    # a list of things is not a list of people: the forum's speakers answer no "which areas" question
    ("广东的生物医药与健康产业主要包括哪些领域？", False),
    ("Which players were named to the Pro Bowl?", True),
    ("Does Governor Meng Fanli think the industry still has weaknesses?", False),
])
def test_only_who_and_list_questions_may_be_answered_by_a_roster(question: str, may: bool) -> None:
    assert analyse(question).may_list_people is may


def test_a_part_of_an_overlong_sentence_is_quoted_with_an_ellipsis_where_it_was_cut() -> None:
    # three clauses of one sentence, cut at commas; the whole is over WHOLE_CHARS, so the tail is quoted
    # from its own clause, marked as cut, while its quote for highlighting stays an exact slice
    head, middle, tail = "Head " * 50 + "x,", " middle " * 30 + "y,", " supporting the tail clause."
    text = head + middle + tail
    spans = [(0, len(head)), (len(head), len(head + middle)), (len(head + middle), len(text))]
    assert len(text) > WHOLE_CHARS >= len(middle + tail)
    shown, quote = whole_sentence(text, spans, 2)
    assert quote in text and shown.startswith("… ") and shown.endswith("supporting the tail clause.")
    assert whole_sentence("A short one. Another one.", [(0, 12), (13, 25)], 1) is None


def test_a_quote_cut_between_two_words_is_marked_on_that_side() -> None:
    """An overlong sentence with no comma in reach is cut where a space is (text/sentences.py): its second
    part had been quoted as "industry in Beijing, but also …" with nothing to say it was cut."""
    passage = ("The release is not only a layout for the development of the biopharmaceutical industry in "
               "Beijing, but also a practice. Next sentence.")
    cut = passage.index("biopharmaceutical") + len("biopharmaceutical")
    head, tail = passage[:cut], passage[cut + 1 : passage.index("practice.") + len("practice.")]
    assert head.endswith("biopharmaceutical") and tail.startswith("industry")
    assert _mid_marks(tail, tail, passage) == "… " + tail
    assert _mid_marks(head, head, passage) == head + " …"
    assert _mid_marks("Next sentence.", "Next sentence.", passage) == "Next sentence."
    chinese = "九部门联合印发措施，支持创新药"  # a comma cut is whole_sentence's and _ellipsis's to mark
    assert _mid_marks("…支持创新药", "支持创新药", chinese) == "…支持创新药"


@pytest.mark.parametrize(("question", "term"), [
    ("What is the NRDL?", "NRDL"),
    ("What's a CAR-T therapy?", "CAR-T therapy"),
    ("What does NRDL stand for?", "NRDL"),
    ("商保创新药目录是什么？", "商保创新药目录"),
    ("什么是“一品两规”？", "一品两规"),
    ("How many drugs does the NRDL hold?", ""),
    # a preface, "exactly", "meant by", a trailing source and a quoted term
    ("What exactly is a biobank, according to the article on Beijing's 2025 measures?", "biobank"),
    ("In Guangdong's action plan, what is meant by the industry's \"four highs and one long\"?",
     "four highs and one long"),
    ("“双通道”是什么意思？", "双通道"),
])
def test_a_definition_question_names_its_term(question: str, term: str) -> None:
    assert asked_term(question) == term


@pytest.mark.parametrize(("sentence", "term", "defined"), [
    ("定期调整优化基本医保药品目录(以下称医保目录)。", "医保目录", True),
    ('the "Measures" (hereinafter referred to as "Several Measures 2025")', "Several Measures 2025", True),
    ("Drug supplement application refers to the application that companies submit", "supplement application",
     True),
    ("统筹做好商保创新药目录与医保目录的衔接。", "医保目录", False),  # names it, defines nothing
    ('A biological sample bank, also known as a "biobank," is a biological application system', "biobank",
     True),
    ('It is characterized by "four highs and one long"—high technology, high investment',
     "four highs and one long", True),
    ('Beijing will build a "biobank" network across its hospitals.', "biobank", False),
])
def test_a_sentence_that_introduces_a_term_defines_it(sentence: str, term: str, defined: bool) -> None:
    assert defines(sentence, term) is defined


@pytest.mark.parametrize(("question", "published"), [
    ("新华网关于北京推出32条创新医药新措施的报道发布于哪一天？", True),
    ("《海南日报》是哪天报道海南出台政策措施支持生物医药产业高质量发展的？", True),
    ("When was the Xinhua report on Beijing's 32 new measures published?", True),
    # "when did X release it" as "when was it released"; not a year the text gives of an earlier version
    ("When did Guangdong release its biomedicine and health action plan?", True),
    ("In what year did Beijing issue the earlier version of its measures?", False),
    # the date under the signatures
    ("国家医保局和国家卫生健康委印发创新药若干措施通知的落款日期是哪天？", True),
    # a notice's issue date is the date it is signed (its dateline), in either language
    ("《支持创新药高质量发展的若干措施》是什么时候印发的？", True),
    ("When was the NHSA-NHC notice on innovative drugs issued?", True),
    ("When will the new catalogue be issued?", False),  # not yet: no dateline answers it
    ("When did Beijing launch its 32 new measures?", False),  # the measures' date, not a report's
    ("How many reports were published in 2025?", False),  # not a date question
])
def test_a_date_question_about_a_report_asks_for_its_publication(question: str, published: bool) -> None:
    assert analyse(question).published is published


@pytest.mark.parametrize(("line", "dateline"), [
    ("2025-07-08", True),
    ("Hai Nan Ri Bao· 2025-08-18 02:08", True),
    ("2025年7月8日", True),
    ("On 2025-07-08, nine departments jointly issued the measures.", False),
    ("Source:Xinhuanet", False),
])
def test_a_dateline_is_a_full_date_after_a_source_name_or_alone(line: str, dateline: bool) -> None:
    assert bool(DATELINE.match(line)) is dateline


ROSTER = ("会上,一品红集团李捍雄、新济药业吴传斌、华大智造刘心、瑞风生物梁峻彬、信立泰药业颜杰"
          "等12位粤商代表发言")


@pytest.mark.parametrize(("question", "named"), [
    ("Which company did Liang Junbin speak for at the forum?", True),  # 梁峻彬
    ("Which company did Li Hanxiong represent?", True),  # 李捍雄
    ("Which company did Yan Jie speak for?", True),  # 颜杰
    ("Which company did Wang Xiaoming speak for?", False),  # a name the sentence does not write
    ("Which companies spoke at the Guangdong forum?", False),  # no romanised name at all
])
def test_a_romanised_chinese_name_is_found_in_characters(question: str, named: bool) -> None:
    assert names_romanised(ROSTER, romanised_names(question)) is named


def test_romanised_names_are_a_pinyin_surname_and_a_capitalised_given_name() -> None:
    names = romanised_names("Did Governor Meng Fanli act? Ask Liang Junbin, not the Hainan Daily.")
    assert names == {"mengfanli", "liangjunbin"}


@pytest.mark.parametrize(("question", "sentence", "states"), [
    # a day is asked: a year, or a plan named after one, gives no day
    ("广东创新药挂网“即报即审”是从哪天开始实行的？", "The province implements the Several Measures 2025.",
     False),
    ("广东创新药挂网“即报即审”是从哪天开始实行的？", "自2025年7月1日起实行。", True),
    ("On what date did the conference open?", "On December 7, the conference was held in Guangzhou.", True),
    ("On what date did the conference open?", "The 2025 conference was held in Guangzhou.", False),
    # a year is asked: a year answers
    ("全球创新药交易平台计划在哪一年建成？", "到2027年建成交易平台。", True),
    # a report's publication day is its dateline's to give, after the sentences decided: any date states it
    ("新华网关于北京推出32条创新医药新措施的报道发布于哪一天？", "The 2025 measures were reported by Xinhua.",
     True),
])
def test_a_question_for_the_day_is_stated_only_by_a_day(question: str, sentence: str, states: bool) -> None:
    assert analyse(question).states(sentence) is states


def test_a_region_row_of_a_comparison_asks_what_else_a_which_regions_question_asks() -> None:
    """In a comparison the rows are the regions: each row's question asks for the targets, not a place."""
    question = ("Which regions have set revenue targets for their biopharmaceutical industry, "
                "and what are the targets?")
    assert analyse(question).kind == "place"
    assert analyse(question, one_region=True).kind == "list"
    assert analyse("哪些地区设立了生物医药产业基金？").kind == "place"
    assert analyse("哪些地区设立了生物医药产业基金？", one_region=True).kind == "list"
    # a city within the region is still a place to name
    assert analyse("Which cities host biopharmaceutical parks?", one_region=True).kind == "place"


@pytest.mark.parametrize(("question", "name"), [
    ("Who is Song Yuqin?", "Song Yuqin"), ("who was Li Baiyong", "Li Baiyong"), ("孟凡利是谁？", "孟凡利"),
    ("Who is responsible for the catalogue?", ""), ("Who was the MVP?", ""),
    ("野马队的总经理是谁？", ""), ("局长是谁？", ""), ("What is the NRDL?", ""),
    # the name first or last (谁是林克庆？ had been declined though "省政协主席林克庆主持" introduces him)
    ("谁是林克庆？", "林克庆"), ("谁是国家医保局局长？", "")])
def test_a_who_is_question_asks_about_a_named_person(question: str, name: str) -> None:
    """Only a name (capitalised words; two to four Chinese characters that are not a role) is asked about
    this way: "局长是谁" and "野马队的总经理是谁" ask for a person, not about one."""
    assert asked_person(question) == name


@pytest.mark.parametrize(("sentence", "states"), [
    ('Nine departments jointly issued the "Several Measures … Medicine in Beijing (2025)".', False),
    ("九部门联合印发了《若干措施2025》。", False),
    ("In June 2025, the NHSA and the NHC jointly issued the measures.", True),
    ('The "Measures (2024)" were issued on 8 July 2025.', True)])
def test_a_year_inside_a_quoted_title_dates_nothing(sentence: str, states: bool) -> None:
    """A date question is not answered by a document's name: "若干措施什么时候印发的？" had been answered with
    "Recently, nine departments … issued the "… (2025)"", which gives no date."""
    assert analyse("When were the measures issued?").states(sentence) is states


def test_a_sum_of_money_counts_nothing() -> None:
    """"How many biopharmaceutical companies are there in Shenzhen?" was answered by "revenue had surpassed
    500 billion yuan, with the biopharmaceutical segment contributing …": "billion" before the counted word
    read as a count of it."""
    facts = analyse("How many biopharmaceutical companies are there in Shenzhen?")
    revenue = ("By 2019, the industry's total operating revenue had surpassed 500 billion yuan, with the "
               "biopharmaceutical segment contributing over 250 billion yuan.")
    assert facts.counts(revenue) is False
    assert not facts.states(revenue)
    assert facts.counts("Chengdu High-tech Zone has gathered over 3,900 biopharmaceutical companies") is True
    # a sum may still qualify what is counted
    firms = analyse("广东行动计划提出培育多少家营收超百亿元的企业？")
    assert firms.states("20 enterprises boasting revenues surpassing 10 billion yuan")
    assert not analyse("成都高新区有多少家企业？").states("基金总规模340亿元")


def test_a_number_the_question_gives_is_no_count_of_what_it_asks_whatever_its_separators() -> None:
    """"成都高新区160多个功能平台中有多少个是国家级平台？" was answered by "建成160多个功能平台", the
    question's own premise; "3900多家" is the passage's "over 3,900" and "1200" its "1,200"."""
    facts = analyse("成都高新区160多个功能平台中有多少个是国家级平台？")
    assert facts.counts("成都高新区建成160多个功能平台") is False
    assert facts.counts("其中12个国家级平台") is True
    english = analyse("How many of the 1200 attendees came from pharmaceutical companies?")
    assert not english.states("totaling over 1,200 attendees")
    assert english.states("about 300 came from pharmaceutical companies")


def test_a_sum_the_question_gives_is_no_answer_in_the_other_language_s_units() -> None:
    """"海南对产业带动作用大的单个项目奖励3000万元,项目投资额要达到多少才算?" was led by "A reward of 30
    million yuan will be provided …", the question's own premise in English units; another sum, or the
    same digits at another scale, still states a figure."""
    facts = analyse("海南对产业带动作用大的单个项目奖励3000万元,项目投资额要达到多少才算?")
    premise = "A reward of 30 million yuan will be provided to municipalities for single projects."
    assert not facts.states(premise)
    assert not facts.states("单个项目奖励3000万元")
    assert facts.states("项目投资额需达到5亿元")
    assert facts.states("projects investing over 300 million yuan")
    english = analyse("How much must a project invest to win Hainan's 30 million yuan reward?")
    assert not english.states("对产业带动作用大的单个项目奖励3000万元")
    assert english.states("项目投资额需达到5亿元")


@pytest.mark.parametrize(("question", "sort"), [
    ("广州“穗心保”是由哪家保险公司承保的？", "insurer"),
    ("Which hospital will pilot Beijing's specialised-disease biobank?", "hospital"),
    ("北京专病样本库准备先在哪家医院试点？", "hospital"),  # 在哪… would ask for a place
    # in the plural too: "Which hospitals in Guangzhou pilot cell therapy?" had been a list question
    # answered by "…cell therapy technology clinical applications in Nansha", which names no hospital
    ("Which hospitals in Guangzhou pilot cell therapy?", "hospital"), ("有哪些医院参加试点？", "hospital"),
    ("Which insurers sell Suixinbao?", "insurer"),
    ("Which company makes the test kit?", ""),  # a company's name often does not say it is one
    ("Which hospital did Dr Zhang Ke represent?", ""),  # the list of speakers answers
])
def test_a_question_for_a_hospital_or_an_insurer_asks_for_a_name_of_that_sort(question: str, sort: str):
    facts = analyse(question)
    assert facts.organisation == sort and (facts.kind == "organisation") == bool(sort)


def test_a_sentence_names_a_hospital_or_an_insurer_by_how_their_names_are_written() -> None:
    hospital = analyse("Which hospital will pilot the biobank?")
    assert hospital.states("the First Affiliated Hospital of Guangzhou Medical University shared")
    assert not hospital.states("35 tertiary hospitals in Beijing have established biological sample banks")
    insurer = analyse("穗心保由哪家保险公司承保？")
    assert insurer.states("由中国人寿保险股份有限公司广州分公司承保")
    assert not insurer.states('The "Suixinbao" commercial insurance product has been launched')


@pytest.mark.parametrize(("question", "part"), [
    ("2025年国家药监局批准上市的56款创新药中有多少款是中药？", True),
    ("北京药监局收到的14个补充申请试点品种中有几个是儿童用药？", True),
    ("How many of the more than 1,200 attendees came from pharmaceutical companies?", True),
    ("在2010年的干旱中，有多少地区受到了植物死亡的影响？", False),  # a year, not a number of things
    ("有多少户有不到18岁的孩子？", False),
])
def test_a_count_of_a_part_of_a_given_number_is_stated_only_by_a_count_of_that_part(question, part) -> None:
    """"56款创新药中有多少款是中药？" had been answered by "Among the 56 innovative drugs…, 18 are
    biopharmaceutical products": a number, but of another part."""
    facts = analyse(question)
    assert facts.part is part
    if part and facts.counted:
        assert not facts.states("Among the 56 innovative drugs approved, 18 are biopharmaceutical products")



def test_a_listed_government_body_is_found_in_either_language_and_acronyms_only_in_capitals() -> None:
    """A question about a body no passage mentions (财政部, the Ministry of Finance) is declined naming it."""
    from policyqa.text.bodies import bodies_named, unmentioned_bodies

    assert bodies_named("财政部在商保创新药目录工作中承担什么职责？") == {"财政部"}
    assert bodies_named("What role does the Ministry of Finance play?") == {"财政部"}
    assert bodies_named("香港卫生署如何审批内地研发的创新药？") == {"香港卫生署"}
    assert not bodies_named("most of the funds; the Department of Commerce of Guangdong")
    assert unmentioned_bodies("What does the MOF fund?", "财政部负责……") == set()
    assert unmentioned_bodies("What does the Ministry of Finance fund?", "The NHSA funds …") == {"财政部"}


def test_a_value_of_deals_asks_for_money_and_a_chinese_fraction_is_a_figure() -> None:
    """"What was the total value of deals signed at the 2025 … Conference?" had been answered by "On
    December 7, the "2025 … Conference" … was held": a value of deals asks for money, which a day is not;
    "clinical value" asks for none."""
    facts = analyse("What was the total value of deals signed at the 2025 High-Quality Development "
                    "Conference?")
    assert (facts.kind, facts.unit) == ("quantity", "money")
    assert not facts.states('On December 7, the "2025 High-Quality Development Conference" was held.')
    assert analyse("What is the clinical value of the drug?").kind != "quantity"
    assert analyse("How many products are valued at over 100 million yuan?").unit == "count"
    majority = analyse("How much of a voting majority must there be to censure the Commission?")
    assert majority.states("并以三分之二多数对整个委员会提出批评")  # XQuAD's answer, written out


def test_a_label_s_number_or_a_day_s_is_no_count() -> None:
    """"How many heads … attended the Guangzhou conference?" had been answered by "On December 7, the "2025
    … Conference" … was held", and 广东省计划建设多少个生物安全三级（P3）实验室？ by "Biosafety Level 4 (P4)
    laboratories and a network of Biosafety Level 3 (P3) labs": a day, a level or a phase names, it does not
    count. A count stated next to a label still counts ("12 Class I new drugs")."""
    heads = analyse("How many heads of provincial medical insurance departments attended the conference?")
    assert not heads.states('On December 7, the "2025 Conference" was held in Guangzhou.')  # names no heads
    assert not heads.states_figure('On December 7, the "2025 Conference" was held in Guangzhou.')
    assert heads.states_figure("On December 7, 31 heads of provincial departments attended.")
    labs = analyse("广东省计划建设多少个生物安全三级（P3）实验室？")
    assert not labs.states_figure("a network of Biosafety Level 3 (P3) labs and Phase III trials")
    assert not labs.states_figure("推进生物安全三级实验室建设")
    assert labs.states_figure("建设10个生物安全三级实验室")
    drugs = analyse("成都高新区累计获批了多少个一类新药？")
    drugs = drugs.with_translations([("一类新药", ["Class I new drugs"])])
    assert drugs.states_figure("The zone has approved 12 Class I new drugs")
    assert analyse("How much funding is given?").states_figure("On December 7, 5 million yuan was given")
    # nor does a level's number count the thing it names
    joint = analyse("How many laboratories does Guangdong plan to set up?")
    assert joint.counts("national-level Biosafety Level 4 (P4) laboratories") is False
    assert joint.counts("set up 10 Biosafety Level 3 laboratories")


@pytest.mark.parametrize(("question", "unit"), [
    ("What exact rank did Chengdu High-tech Zone reach in the competitiveness ranking?", "rank"),
    ("国家药监局是在第几届中国生物药质量控制大会上介绍药品监管改革的？", "rank"),
    ("What is the annual output value of Guangzhou International Bio Island?", "money"),
    ("What is the per-capita subsidy for basic public health services in 2025?", "money"),
    ("What is the largest loan that qualifies for the interest subsidy?", "money"),
])
def test_a_rank_a_value_a_subsidy_or_a_loan_asks_for_a_figure(question: str, unit: str) -> None:
    """"What exact rank…?" had been answered by "has maintained a leading position … for several years",
    "What is the annual output value of …?" by a list of parks, "What is the per-capita subsidy…?" by a
    catalogue rule: each asks for a figure, which none of them gives."""
    facts = analyse(question)
    assert (facts.kind, facts.unit) == ("quantity", unit)
    if unit == "rank":
        assert not facts.states("has maintained a leading position in the ranking for several years")
        assert facts.states("The fifth China Biopharmaceutical Quality Control Conference")
        assert facts.states("位列全国第三") and facts.states("ranked 2nd nationally")
    assert analyse("What is the subsidy policy for hospitals?").kind != "quantity"
    assert analyse("What is the value of the new rules?").kind != "quantity"


def test_a_question_for_a_company_or_body_wants_a_sentence_that_names_one() -> None:
    """"Which company commercialised the "rice-based blood" technology?" had been answered by "Significant
    technological advancements include the commercialization of "rice-based blood" technology…", which names
    no company. Any name will do (companies' names often do not say what they are); a body of water is no
    body."""
    from policyqa.text.organisations import names_body

    assert analyse('Which company commercialised the "rice-based blood" technology?').body
    assert analyse("“医保药品云平台”由哪家单位负责建设和运营？").body
    assert not analyse("What body of water sat to the west of the Mongol Empire?").body
    assert not analyse("哪家医院试点生物样本库？").body  # a hospital: answer/facts' organisation kind
    assert not names_body('Significant advancements include the commercialization of "rice-based blood"')
    assert not names_body("推进“医保药品云平台”建设应用,为医疗机构和患者提供药品需求快速响应")
    for named in ("acquisition of Hongming Bosi Pharmaceutical", "led by the NMPA", "一品红集团李捍雄",
                  "感谢省政协组织", "由国家医保局负责", "查尔斯·波特开发了指示器"):
        assert names_body(named), named


def test_a_sum_s_measure_must_be_named_by_the_sentence_that_states_it() -> None:
    """"2024年广东城市定制型商业健康保险的人均保费是多少？" had been answered by "17.91 million people … were
    insured, with claim payments reaching 976 million yuan", and a CAR-T 产值 target by a revenue target:
    a premium, an output value, a budget, a loan or a compensation is named where it is stated. Broader
    measures (reward, subsidy, revenue, price) are paraphrased too often to ask for ("support of …")."""
    premium = analyse("2024年广东城市定制型商业健康保险的人均保费是多少？")
    assert premium.measure and not premium.names_measure("with claim payments reaching 976 million yuan")
    assert premium.names_measure("the annual premium is 69 yuan")
    output = analyse("湖北省CAR-T细胞治疗产业到2027年的产值目标是多少？")
    assert not output.names_measure("set revenue targets, aiming for 250 billion yuan by 2027")
    assert output.names_measure("more than 80 products valued at over 100 million yuan")
    voucher = analyse("What is the maximum total R&D voucher amount a single Hainan company can receive?")
    assert voucher.unit == "money"  # u044: not answered by the M&A loan subsidy's "maximum of 5 million yuan"
    assert not voucher.names_measure("a 50% interest subsidy on loans, with a maximum of 5 million yuan")
    assert voucher.names_measure("R&D vouchers of up to 10 million yuan")
    assert analyse("海南对获得国际认证的企业给予多少一次性奖励？").measure == ()
    assert analyse("How many loans were granted?").measure == ()  # a count, not a sum
    # a price: "What is the price of CAR-T therapy?" had been answered by Hubei's revenue target for CAR-T
    price = analyse("What is the price of CAR-T therapy in China?")
    assert not price.names_measure("set revenue targets, aiming for 250 billion yuan by 2027 (CAR-T therapy)")
    assert price.names_measure("a course of treatment costs 1.2 million yuan")
    paid = analyse("普基奥仑赛注射液的医保支付价格是多少？")
    assert paid.names_measure("医保支付标准为99万元，结算价另行确定")


def test_every_measure_a_question_names_must_be_named() -> None:
    """vu29 "What is the total budget of Hainan's R&D voucher program for 2025?" (unanswerable) had been
    answered by the voucher's own "400,000 to 10 million yuan" rewards: a budget of vouchers is no voucher."""
    budget = analyse("What is the total budget of Hainan's R&D voucher program for 2025?")
    assert len(budget.measure) == 2
    assert not budget.names_measure("an R&D voucher program, giving rewards of 400,000 to 10 million yuan")
    assert budget.names_measure("the R&D voucher program has a budget of 200 million yuan")


@pytest.mark.parametrize("question", ["成都高新区的24只医药健康基金中有几只是政府引导基金？",
                                      "广州建了几座生物岛？", "医院有几台手术机器人？"])
def test_measure_words_of_funds_buildings_and_machines_ask_for_a_count(question: str) -> None:
    """只, 座, 台 and 张 count as 个 and 家 do: "24只医药健康基金中有几只是政府引导基金？" had been an 'other'
    question answered by "24 pharmaceutical health funds totaling 34 billion yuan", the number it gives."""
    facts = analyse(question)
    assert (facts.kind, facts.unit) == ("quantity", "count")
    if facts.part:
        assert not facts.states("24 pharmaceutical health funds totaling 34 billion yuan")
        assert facts.states("其中有5只政府引导基金")  # the part's own number, as with 个 and 家


def test_a_quantity_asked_of_a_version_named_by_its_year_is_not_another_year_s() -> None:
    """"Beijing's 2024 version of the Several Measures" is named, not dated, by 2024: its count is still not
    the one a sentence on the 2025 version gives. Other kinds keep to the years that date the fact."""
    facts = analyse("How many measures did Beijing's 2024 version of the Several Measures contain?")
    assert not facts.dated and facts.other_year(['issued the "Several Measures … (2025)"']) == ["2025"]
    assert facts.other_year(["In 2024, nine departments issued the measures"]) == []
    assert analyse("What did Beijing's 2024 version of the measures do?").other_year(["(2025)"]) == []


@pytest.mark.parametrize(("question", "city"), [
    ("全球创新药交易平台将设在哪个城市？", True), ("Which city is to host the big data centre?", True),
    ("广东要把哪座城市打造成新中心？", True), ("Where was the conference held?", False),
    ("广东要在哪些地区布局原料药生产基地？", False), ("哪个市场增长最快？", False),
])
def test_a_question_for_a_city_is_stated_only_by_a_city(question: str, city: bool) -> None:
    """全球创新药交易平台将设在哪个城市？ had been answered by "…探索面向东南亚、中亚…搭建全球创新药交易平台"
    (heldout hu23): a world region is a place, not a city. A city of cities.tsv (韶关) answers; Hong Kong and
    Macao, which the documents name as regions ("Guangdong-Hong Kong-Macao Greater Bay Area"), do not."""
    facts = analyse(question)
    assert facts.city == city
    if city:
        assert not facts.states("探索面向东南亚、中亚和其他共建“一带一路”国家搭建全球创新药交易平台")
        assert not facts.states("支持创新药企业借助香港、澳门相关优势")
        assert facts.states("支持广州建设大湾区生命科学合作区")
        assert facts.states("建设韶关国家健康医疗大数据中心")
        assert facts.states("Assist Zhuhai in becoming a new center")


@pytest.mark.parametrize(("question", "venue"), [
    ("What venue hosted the 2025 High-Quality Development Conference for Innovative Drugs?", True),
    ("2025创新药高质量发展大会是在广州的哪个场馆举办的？", True),
    ("Where was the fifth China Biopharmaceutical Quality Control Conference held?", True),
    ("座谈会在哪里召开？", True),
    ("Where is Polonia's home venue located?", False), ("Which city is to host the big data centre?", False),
])
def test_a_question_for_a_venue_is_stated_only_by_a_hall_or_centre(question: str, venue: bool) -> None:
    """"What venue hosted the … Conference?" (fresh6 p03, fresh8 s29) had been led by "Guangzhou will take the
    opportunity of hosting the … Conference …": a city is a place, but the venue is the convention centre.
    A question about a venue that asks where it is ("Where is Polonia's home venue located?") asks for a
    street, not a hall."""
    facts = analyse(question)
    assert facts.venue == venue
    if venue:
        assert facts.kind == "place"
        assert not facts.states('Guangzhou will take the opportunity of hosting the "2025 … Conference"')
        assert facts.states("was successfully held at the Guangzhou Baiyun International Convention Center")
        assert facts.states("座谈会在广东大厦召开")


def test_who_chaired_is_not_answered_by_the_roster_of_speakers() -> None:
    """"Who presided over the … symposium?" (fresh9 t10) had been led by the list of the twelve business
    representatives who spoke: one person chaired, and the roster names nobody who did."""
    for question in ("Who presided over the Guangdong governor's symposium with entrepreneurs?",
                     "Who chaired the consultation meeting?", "座谈会由谁主持？"):
        assert not analyse(question).may_list_people, question
    assert analyse("Who spoke at the symposium?").may_list_people


def test_a_number_of_people_is_stated_by_a_number_of_the_people_asked_about() -> None:
    """多少位企业家代表发了言 (fresh6 p23, fresh8 s20, fresh9 t15) had been declined: the sentence framing the
    meeting led, and the roster's "等12位粤商代表发言" was not known to count who was asked about."""
    facts = analyse("座谈会上一共有多少位企业家代表发了言？")
    assert facts.unit == "people" and "代表" in facts.counted
    assert facts.counts("信立泰药业颜杰等12位粤商代表发言,围绕生物医药产业发展政策积极建言献策。")
    assert not facts.counts("企业家代表与省领导和相关部门负责人深入交流")
    assert analyse("How many attendees were there?").counts("news media, totaling over 1,200 attendees")


@pytest.mark.parametrize(("question", "signed"), [
    ("On what date was the NHSA and National Health Commission circular on supporting innovative drugs "
     "signed off?", True),
    ("On what date did the NHSA and the National Health Commission sign off the notice?", True),
    ("国家医保局和国家卫生健康委印发创新药若干措施通知的落款日期是哪天？", True),
    # a report's date is its own dateline's, not the notice's it reports on (fresh5 n08)
    ("According to the report on the Guangzhou conference, in which month did the NHSA put out the measures?",
     False),
    ("《海南日报》的报道是哪天发布的？", False),
])
def test_a_notice_s_own_date_is_asked_apart_from_a_report_s(question: str, signed: bool) -> None:
    facts = analyse(question)
    assert facts.published and facts.signed is signed


@pytest.mark.parametrize(("question", "calendar"), [
    ("《支持创新药高质量发展的若干措施》从哪天起正式施行?", True),
    ("When was Guangzhou's Suixinbao commercial insurance product launched?", True),
    ("广州与国家药监局大湾区分中心的常态化服务机制是哪一年建立的?", True),
    # a point in a procedure is answered by an event: "上市申请获得…受理的创新药，企业可同步申请…"
    ("创新药企业在什么时间节点可以向医保部门申请点对点政策指导？", False),
])
def test_a_date_question_is_answered_by_a_date_unless_it_asks_for_a_point_in_a_procedure(
        question: str, calendar: bool) -> None:
    facts = analyse(question)
    assert facts.kind == "date" and facts.calendar is calendar


def test_a_when_clause_does_not_make_a_date_question() -> None:
    """fresh7 r19 asks who is responsible; its opening "When a company picks …," only sets the case."""
    question = ("When a company picks the province that first accepts its innovative drug's online listing, "
                "who is responsible for handling it?")
    assert analyse(question).kind != "date"
    assert analyse("When was the plan issued?").kind == "date"


@pytest.mark.parametrize(("question", "leads"), [
    ("广东生物医药集群行动计划中的人才保障工作由哪个部门牵头?", True),
    ("Which customs authority shares responsibility for the institutional-reform tasks in the plan?", True),
    ("Which department leads the land-use measures?", True),
    ("哪些部门联合印发了这份文件？", False), ("Which agencies issued the plan?", False),
])
def test_a_question_for_the_lead_body_is_stated_by_who_leads(question: str, leads: bool) -> None:
    """人才保障工作由哪个部门牵头 (fresh7 r23) had been led by the talent measures themselves; the plan's
    "(Led by the Provincial Party Committee Organization Department, …)" line answers it. A person in
    charge (负责人) leads nothing."""
    facts = analyse(question)
    assert facts.leads is leads
    if leads:
        assert facts.typed
        assert facts.states("(Led by the Provincial Party Committee Organization Department, with …)")
        assert facts.states("(Leading agencies: Provincial Department of Science and Technology)")
        assert facts.states("由省财政厅牵头")
        assert not facts.states("企业家代表与省领导和相关部门负责人深入交流")
        assert not facts.states("Increase support for high-level biomedical and health talent")


def test_a_number_of_working_days_is_a_duration() -> None:
    """审核要在几个工作日内办完 (fresh6 p02) had counted "工作日内" things, so "completing listing reviews
    within 15 working days" stated nothing and the question was declined; 近几年 still asks no time."""
    facts = analyse("广东对符合条件的创新药开了挂网快速通道,审核要在几个工作日内办完?")
    assert facts.unit == "duration" and not facts.counted
    assert facts.states("completing listing reviews within 15 working days")
    assert analyse("近几年广东投入了多少资金？").unit == "money"


def test_where_something_stands_asks_for_no_place() -> None:
    """"Where does China's pharmaceutical industry stand in the world rankings?" asks for a rank (fresh3 k12:
    "ranks second globally", which names no place)."""
    assert analyse("Where does China's pharmaceutical industry stand in the world rankings?").kind != "place"
    assert analyse("Where does Guangdong want to build the platform?").kind == "place"


def test_a_frequency_is_stated_by_a_period_not_by_a_deadline() -> None:
    often = analyse("特例单议病例多长时间评议一次？")
    assert often.states("医保部门应按季度或月组织专家对特例单议病例进行评议")
    assert not often.states("鼓励医保定点医疗机构于药品目录更新公布后3个月内召开药事会")
    assert analyse("How often are elections held?").states("elections are held every five years")


@pytest.mark.parametrize(("question", "across"), [
    ("Which regions give money to companies for clinical trials, and how much?", True),
    ("哪些地区对创新药临床试验给予资金支持？", True),
    ("北京和海南对创新药临床试验分别有哪些支持？", True),
    ("How do Beijing and Guangdong each shorten approval times?", True),
    # a city and its own province are one region; one place is one region
    ("广州和广东对创新药的支持有什么不同？", False),
    ("What does Hainan offer to companies whose innovative drugs are approved?", False),
    ("What does the NHSA measure say about commercial insurance?", False),
])
def test_a_question_across_regions_is_told_apart(question: str, across: bool) -> None:
    """The plain answer's notice that a comparison answers each region (answer/answerer.py)."""
    assert asks_across_regions(question) is across



@pytest.mark.parametrize(("question", "sentence", "named"), [
    # a time asked for a procedure is that procedure's: the 19 days were a supplementary application's
    ("北京挂网审核需要多少个工作日？", "In just 19 working days, the Beijing Municipal Drug Administration "
     "efficiently completed pre service tasks", False),
    ("How many working days does Guangdong take to complete listing reviews?",
     "completing listing reviews within 15 working days", True),
    ("北京药品补充申请审评时限压缩到多少个工作日？",
     "compress the review time limit from 200 working days to 60 for drug supplementary applications", True),
    # a question naming no procedure asks any time
    ("How long does the review take?", "within 15 working days", True),
])
def test_a_time_asked_for_a_procedure_is_that_procedures(question: str, sentence: str, named: bool) -> None:
    assert analyse(question).names_measure(sentence) is named


def test_procedures_asked_as_alternatives_are_each_answered() -> None:
    """"审评审批或挂网审核…多少个工作日" (a comparison's question) is answered by each procedure's days:
    with an alternative, a named procedure does not have to be named by the sentence."""
    facts = analyse("各地对药品审评审批或挂网审核规定了多少个工作日的办理时限？")
    assert facts.names_measure("shorten the approval time from 60 working days to 30")
    listing = analyse("北京挂网审核需要多少个工作日？")
    assert not listing.names_measure("shorten the approval time to 30 working days")


@pytest.mark.parametrize(("question", "addressees"), [
    ("国家医保局那份支持创新药的通知是发给哪些单位的?", True),
    ("通知是下发给哪些单位的？", True),
    ("To whom was the notice addressed?", True),
    ("Who are the recipients of the notice?", True),
    ("北京发给企业多少补贴？", False),  # what is given to firms, not whom a notice is sent to
    ("Which documents were sent out in 2025?", False),
])
def test_a_question_for_a_notices_addressees(question: str, addressees: bool) -> None:
    assert analyse(question).addressees is addressees


@pytest.mark.parametrize(("question", "limit"), [
    ("调整支付标准的降幅有什么上限？", True),
    ("降幅最多能到多少?", True),
    ("How deep can the cut be at most?", True),
    ("What is the cap on Hainan's reward?", True),
    ("降幅是多少？", False),
    ("What are the upper limits of the plan's ambitions?", False),  # not a figure question
])
def test_a_figure_question_for_a_limit(question: str, limit: bool) -> None:
    assert analyse(question).limit is limit


def test_a_gloss_in_brackets_does_not_hide_the_counted_noun() -> None:
    """"How many top-tier (tertiary) hospitals …" counts hospitals: the bracket had ended the counted
    phrase, so no sentence counted anything and two writers' right answers were declined."""
    facts = analyse("How many top-tier (tertiary) hospitals in Beijing already run a biobank?")
    assert "hospit" in facts.counted
    assert facts.counts("At present, 35 tertiary hospitals in Beijing have established biobanks")
