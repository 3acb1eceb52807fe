"""Everything the answer layer says itself, in English and Chinese."""

from __future__ import annotations

LANG_NAMES = {"zh": {"zh": "中文", "en": "英文"}, "en": {"zh": "Chinese", "en": "English"}}

#: everything the answer layer says itself, in the question's language
MESSAGES = {
    "zh": {
        "declined": "抱歉，现有文件没有涉及这个问题，无法据此作答。下面列出了最接近的段落，供您参考。",
        "unclear": "抱歉，现有文件没有明确回答这个问题，因此不作回答。"
                   "下面列出了最接近的表述和段落，供您参考。",
        "not_found": "抱歉，在现有文件中没有找到能回答这个问题的内容，因此不作回答。"
                     "下面列出了最接近的段落，供您参考。",
        "no_hits": "抱歉，现有文件中没有找到与这个问题相关的段落。",
        "truncated": "问题超过 {limit} 个字符，只使用了前 {limit} 个字符。",
        "spelled": "已按“{text}”检索（更正了拼写）。",
        "empty": "请输入问题。",
        "too_long": "问题长度为 {n:,} 个字符，上限为 {limit:,} 个字符，请精简后再问。",
        "source_lang": "（注：{refs} 的来源为{lang}文件，以上为原文摘录。）",
        "fallback": "{backend} 后端未能回答（{reason}），以下为抽取式答案。",
        "dropped": "已删除指向未提供段落的引用：{refs}。",
        "unsupported": "已删除 {n} 句所引段落不能支持的陈述。",
        "no_sentence": "找到了相关段落，但没有能直接回答问题的句子；请查看下面的段落。",
        "unmentioned": "检索到的段落都没有提到{names}。",
        "year": "检索到的段落只给出了{given}年的情况，没有{asked}年的。",
        "city": "检索到的段落只给出了{provinces}全省的情况，没有{cities}的。",
        "no_figure": "抱歉，检索到的段落提到了相关内容，但没有给出问题所问的数字，无法据此作答。"
                     "下面列出了最接近的段落，供您参考。",
        "no_name": "抱歉，检索到的段落提到了相关内容，但没有给出问题所问的{sort}，无法据此作答。"
                           "下面列出了最接近的段落，供您参考。",
        "partial_places": "文件没有给出{places}的相关内容。",
        "no_kind": "检索到的段落没有给出问题所问的{kind}，以上为最接近的表述。",
        "closest": "最接近的表述（第 {n} 段，不构成答案）：“{quote}”",
        "across_regions": "这个问题涉及多个地区：按地区比较（聊天界面的“按地区比较”、"
                          "`policyqa compare` 或 API 的 compare 选项）会为每个地区分别给出带引用的回答，"
                          "并标出文件未涉及的地区。",
    },
    "en": {
        "declined": "Sorry, the documents do not cover this question, so it cannot be answered from them. "
                    "The closest passages are listed below for reference.",
        "unclear": "Sorry, the documents do not clearly answer this question, so no answer is given. "
                   "The closest statement and passages are below for reference.",
        "not_found": "Sorry, nothing found in the documents answers this question, so no answer is given. "
                     "The closest passages are listed below for reference.",
        "no_hits": "Sorry, no passage in the documents relates to this question.",
        "truncated": "The question is longer than {limit} characters; only the first {limit} were used.",
        "spelled": "Searched for “{text}” (spelling corrected).",
        "empty": "Please type a question.",
        "too_long": "Your question has {n:,} characters; the limit is {limit:,}. Please shorten it.",
        "source_lang": "(Note: {refs} quoted from a source in {lang}.)",
        "fallback": "The {backend} backend could not answer ({reason}); "
                    "showing the extractive answer instead.",
        "dropped": "Removed citations to passages that were not provided: {refs}.",
        "unsupported": "Removed {n} statement(s) that the cited passages do not support.",
        "no_sentence": "Related passages were found, but no sentence in them answers the question directly; "
                       "please check the passages below.",
        "unmentioned": "None of the passages found mentions {names}.",
        "year": "The passages found give this for {given} only, not for {asked}.",
        "city": "The passages found give this for {provinces} as a whole, not for {cities}.",
        "no_figure": "Sorry, the passages found touch on this but state no figure for what the question "
                     "asks, so it cannot be answered from them. The closest passages are listed below for "
                     "reference.",
        "no_name": "Sorry, the passages found touch on this but name no {sort} for what the "
                           "question asks, so it cannot be answered from them. The closest passages are "
                           "listed below for reference.",
        "partial_places": "The documents give nothing on this for {places}.",
        "no_kind": "The passages found state no {kind} for this; the closest statement is quoted above.",
        "closest": "The closest statement (passage {n}, not an answer): “{quote}”",
        "across_regions": "This question asks across regions: a comparison (Compare regions in the chat, "
                          "`policyqa compare`, or the APIs' compare option) gives each region its own cited "
                          "answer and names the regions the documents leave silent.",
    },
}

#: the answer kinds a question can ask for, as `no_kind` names them
KIND_NAMES = {"zh": {"quantity": "数字", "date": "日期", "place": "地点", "person": "人名",
                     "organisation": "机构"},
              "en": {"quantity": "figure", "date": "date", "place": "place", "person": "name",
                     "organisation": "organisation"}}
#: what a question names and the passages do not, as `no_name` says it: the sorts of organisation a question
#: can ask for (text/organisations.py; "" is a company or public body of no named sort, "Which company makes
#: …?", QuestionFacts.body), a place, a city and a date
NAME_SORTS = {"zh": {"hospital": "医院", "insurer": "保险公司", "": "单位", "place": "地点", "city": "城市",
                     "date": "日期"},
              "en": {"hospital": "hospital", "insurer": "insurer", "": "company or body", "place": "place",
                     "city": "city", "date": "date"}}

EMPTY_QUESTION = "请输入一个问题。Please type a question."

NO_WORDS = "这个问题里没有文字，请用中文或英文提问。Please ask your question in words (Chinese or English)."

REASONS = {
    "timeout": ("no answer within {seconds:g} s", "{seconds:g} 秒内没有回应"),
    "stalled": ("the server stopped answering for {seconds:g} s", "服务器中途停止回应超过 {seconds:g} 秒"),
    "broken": ("the connection broke mid-answer: {detail}", "回答中途连接中断：{detail}"),
    "connect": ("cannot connect to {url}", "无法连接 {url}"),
    "closed": ("the server closed the connection", "服务器关闭了连接"),
    "http": ("the server replied HTTP {status} {detail}", "服务器返回 HTTP {status} {detail}"),
    "ended": ("the answer stream ended early", "回答流提前结束"),
    "malformed": ("the server sent malformed data", "服务器返回的数据格式不正确"),
    "server_error": ("the server reported an error: {detail}", "服务器报告错误：{detail}"),
    "uncited": ("the model's answer cites none of the passages", "模型的回答没有引用任何段落"),
    "unsupported": ("the passages do not support the model's claims", "所引段落不能支持模型的陈述"),
    "empty": ("the model returned no text", "模型没有返回任何内容"),
    "leak": ("the model repeated its instructions", "模型复述了系统指令"),
    "network": ("network error: {detail}", "网络错误：{detail}"),
    "internal": ("internal error: {detail}", "内部错误：{detail}"),
}


def join_notices(*notices: str) -> str:
    """The notices in the order given, the empty ones left out: a reply carries the question's, the
    backend's and the app's notices in one line."""
    return " ".join(notice for notice in notices if notice)
