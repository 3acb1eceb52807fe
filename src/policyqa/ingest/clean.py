"""Cleaning by whole-line rules, keeping a cleaned -> raw offset map."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator

_WIDGET = re.compile(
    r"^(分享(好友|到)?|举报|收藏|打赏|评论|点赞|转发|关注|icon|workflow|search documents|share|print|"
    r"favorites?|comments?|likes?|top|back|links|law|资讯首页.*|返回顶部|打印本页|关闭窗口|【?字体[:：].*|"
    r"上一篇.*|下一篇.*|相关(新闻|阅读|推荐|文章)|recommended reading.*|related (news|articles).*)"
    r"\s*[:：]?\s*\d*\s*$",
    re.IGNORECASE,
)

_BYLINE = re.compile(
    r"^(author|time|reader|views?|edit(or)?|responsible editor|责任编辑|编辑|作者|浏览|阅读|点击)\s*[:：]"
    r"|^\d{4}-\d{2}-\d{2}[\s\d:]*\d+\S{0,30}$"
    r"|\b(reader|views?)\s*[:：]\s*\d+\s*$",
    re.IGNORECASE,
)

_VIEW_COUNT = re.compile(r"^\d+\s*评论\s*\d{4}-\d{2}-\d{2}\d*$|^\d+\s*comments?\s*\d{4}-\d{2}-\d{2}", re.I)

_FOOTER = re.compile(
    r"^(special statement|copyright|版权所有|版权声明|免责声明|特别声明|声明[:：]|©|recommended reading|"
    r"相关推荐|相关阅读|相关新闻|举报$)",
    re.IGNORECASE,
)

_NAV_BAR = re.compile(
    r"^(?=.*(首页|频道|分类|登录|注册|导航|home|menu|sign in))[^。，,.；;！？!?]{1,60}$", re.IGNORECASE
)

#: Kangxi radicals, CJK radicals supplement, CJK compatibility ideographs: PDF text layers made with
#: common CJK fonts map glyphs to these look-alikes of ordinary ideographs (⽅ for 方, ⼒ for 力)
_LOOKALIKE_BLOCKS = ((0x2E80, 0x2EFF), (0x2F00, 0x2FDF), (0xF900, 0xFAFF))

_LOOKALIKE = re.compile("[" + "".join(f"\\u{lo:04x}-\\u{hi:04x}" for lo, hi in _LOOKALIKE_BLOCKS) + "]")


def _ideograph_table() -> dict[int, str]:
    """Each look-alike code point with a one-character NFKC form -> that form (all of them have one
    character, so offsets hold); code points NFKC leaves alone are not in it."""
    table = {}
    for low, high in _LOOKALIKE_BLOCKS:
        for code in range(low, high + 1):
            folded = unicodedata.normalize("NFKC", chr(code))
            if folded != chr(code) and len(folded) == 1:
                table[code] = folded
    return table


_IDEOGRAPHS = _ideograph_table()


def unify_ideographs(text: str) -> str:
    """Radical and compatibility look-alikes replaced by the unified ideographs they stand for.

    Only these code points: NFKC of the whole text would also fold full-width punctuation and digits,
    which citation spans and quoted evidence keep as written. Same length, so offsets still hold.
    """
    return text.translate(_IDEOGRAPHS) if _LOOKALIKE.search(text) else text


_CJK_GAP = re.compile(r"(?<=[\u3400-\u9fff，。、；：！？）》”]) (?=[\u3400-\u9fff（《“])")


def is_boilerplate(line: str) -> bool:
    """A single line that is page furniture rather than policy text."""
    if _WIDGET.match(line) or _BYLINE.search(line) or _VIEW_COUNT.match(line):
        return True
    return bool(_NAV_BAR.match(line)) and len(line.split()) >= 3


Runs = list[tuple[int, int, int]]


def clean(raw: str | Iterable[str], n_lines: int | None = None) -> tuple[str, Runs, int]:
    """Clean raw text line by line; return text, (clean_start, raw_start, length) runs, lines dropped.

    `raw` is the whole text or its lines (split at "\n", as `_stream_lines` yields them) with their
    number, so a large file is cleaned in one pass without holding its raw text. Within a kept line,
    surrounding whitespace is trimmed, single spaces that a line-wrapping export put between two
    Chinese characters are removed and radical look-alikes become ideographs (`unify_ideographs`); every
    kept run of characters is mapped back. Runs are merged across
    line breaks that the raw text has verbatim, so a long document needs few runs.

    The first footer line (copyright, disclaimer ...) in the second half of the document ends it: only
    the tail counts, so a policy paragraph that mentions copyright mid-document is kept.
    """
    if isinstance(raw, str):
        n_lines, lines = raw.count("\n") + 1, raw.split("\n")
    elif n_lines is None:
        lines = list(raw)
        n_lines = len(lines)
    else:
        lines = raw
    tail_from = n_lines // 2
    out = _TextBuilder()
    runs: list[tuple[int, int, int]] = []
    raw_pos = dropped = blanks = 0
    merge_ok = False  # the previous kept line ended its raw line and nothing was dropped since
    in_footer = False
    for i, line in enumerate(lines):
        line_start, raw_pos = raw_pos, raw_pos + len(line) + 1
        # stray NULs read as spaces, radical look-alikes as ideographs: same length, so offsets still hold
        line = unify_ideographs(line.replace("\x00", " "))
        stripped = line.strip()
        if not stripped:
            blanks += 1
            merge_ok = merge_ok and not line
            continue
        in_footer = in_footer or (i >= tail_from and bool(_FOOTER.match(stripped)))
        if in_footer or is_boilerplate(stripped):
            dropped += 1
            merge_ok = False
            continue
        if out.pos:
            sep = "\n\n" if blanks else "\n"
            out.append(sep)
        lead = len(line) - len(line.lstrip())
        for piece_start, piece in _split_cjk_gaps(stripped):
            if piece_start == 0 and merge_ok and lead == 0 and blanks <= 1:
                clean_start, raw_start, length = runs[-1]
                runs[-1] = (clean_start, raw_start, length + len(sep) + len(piece))
            else:
                runs.append((out.pos, line_start + lead + piece_start, len(piece)))
            out.append(piece)
        merge_ok = len(line) == lead + len(stripped)  # no trailing whitespace
        blanks = 0
    return out.build(), runs, dropped


class _TextBuilder:
    """Appends pieces of text, joining them into ~1 MB blocks so millions of small strings are not kept."""

    BLOCK = 2**20

    def __init__(self) -> None:
        self.blocks: list[str] = []
        self.pieces: list[str] = []
        self.pending = 0
        self.pos = 0

    def append(self, piece: str) -> None:
        self.pieces.append(piece)
        self.pending += len(piece)
        self.pos += len(piece)
        if self.pending >= self.BLOCK:
            self.blocks.append("".join(self.pieces))
            self.pieces, self.pending = [], 0

    def build(self) -> str:
        """The whole text; the blocks are released as it is returned (one transient copy)."""
        blocks, self.blocks = self.blocks, []
        blocks.append("".join(self.pieces))
        self.pieces, self.pending = [], 0
        return "".join(blocks)


def _split_cjk_gaps(line: str) -> Iterator[tuple[int, str]]:
    """Pieces of a line between removable CJK wrap spaces, with their offsets in the line."""
    start = 0
    for gap in _CJK_GAP.finditer(line):
        yield start, line[start : gap.start()]
        start = gap.end()
    yield start, line[start:]
