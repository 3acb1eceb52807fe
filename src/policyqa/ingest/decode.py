"""Bytes of unknown encoding to text, or UnreadableFile saying why not."""

from __future__ import annotations

import codecs

STRAY_NUL_SHARE = 0.01  # at most this share of NUL bytes (of the first STRAY_NUL_SAMPLE) is damage

STRAY_NUL_SAMPLE = 2**16


def _common_han_share(codec: str, text: str) -> float:
    """Share of the text's Chinese characters that are in its encoding's first level (most frequent).

    Big5 bytes read as GB18030 (or the reverse) decode to valid but rare characters: 臺灣醫藥 in Big5
    reads as 籓芖洛媚 in GB18030, 40% of them in GB2312's level 1 against 100% of the Big5 reading in
    Big5's. Real text scores near 1 in its own encoding.
    """
    han = [c for c in text[:5000] if "\u4e00" <= c <= "\u9fff"]
    if not han:
        return 0.0
    common = 0
    for char in han:
        try:
            lead, trail = char.encode("gb2312" if codec == "gb18030" else "big5")[:2]
        except (UnicodeEncodeError, ValueError):
            continue
        if codec == "gb18030":
            common += 0xB0 <= lead <= 0xD7  # GB2312 level 1: the 3,755 most used characters
        else:
            common += 0xA4 <= lead <= 0xC6 and not (lead == 0xC6 and trail >= 0xA1)  # Big5 常用字
    return common / len(han)


class UnreadableFile(Exception):
    """A file that cannot become text; the message says why in words a user can act on."""


def decode_bytes(data: bytes) -> str:
    """Decode text of unknown encoding: BOMs first, strict UTF-8, then charset-normalizer's best guess.

    Chinese files from Windows are often GB18030/GBK and UTF-16; short GBK texts fool generic detectors,
    so the CJK-specific codecs are tried before the library's guess when UTF-8 fails.
    """
    return data.decode(detect_codec(data))


def detect_codec(data: bytes, partial: bool = False) -> str:
    """The codec that turns `data` into readable text, or UnreadableFile saying why there is none.

    With `partial`, `data` is the first block of a longer file: a multi-byte character cut at its end
    is not held against a codec.
    """
    if not data.strip():
        raise UnreadableFile("empty file")
    for bom, codec in ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16")):
        if data.startswith(bom):
            return codec
    if b"\x00" in data[:4096]:
        return _nul_text_codec(data, partial)
    if _try_decode(data, "utf-8", partial) is not None:
        return "utf-8"
    chinese = [(codec, text) for codec in ("gb18030", "big5")
               if (text := _try_decode(data, codec, partial)) is not None and _looks_like_text(text)]
    if chinese:  # both may decode a short text; the right one yields common characters (GB on a tie)
        return max(chinese, key=lambda pair: _common_han_share(*pair))[0]
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None or not _looks_like_text(str(best)):
        raise UnreadableFile("not text: no encoding decodes it to readable characters (binary file?)")
    return best.encoding


def _try_decode(data: bytes, codec: str, partial: bool) -> str | None:
    try:
        if partial:
            return codecs.getincrementaldecoder(codec)().decode(data, final=False)
        return data.decode(codec)
    except UnicodeDecodeError:
        return None


def _nul_text_codec(data: bytes, partial: bool) -> str:
    """NUL bytes mean UTF-16 without a BOM, a binary file wearing a text extension, or a few stray NULs
    in UTF-8 text (a bad export or copy): that text is kept and its NULs are read as spaces (`clean`)."""
    for codec in ("utf-16-le", "utf-16-be"):
        text = _try_decode(data, codec, partial)
        if text is not None and _looks_like_text(text):
            return codec
    sample = data[:STRAY_NUL_SAMPLE]
    text = _try_decode(data, "utf-8", partial)
    stray = sample.count(b"\x00") <= max(1, len(sample) * STRAY_NUL_SHARE)
    if stray and text is not None and _looks_like_text(text.replace("\x00", "")):
        return "utf-8"
    raise UnreadableFile("binary content (NUL bytes) in a text file")


def _looks_like_text(text: str) -> bool:
    """Accept a decoding made of the characters real documents use: printable ASCII, CJK, punctuation.

    Binary data decoded as UTF-16 or GB18030 "succeeds" but yields control, private-use and rare
    characters from all over Unicode; that share is the tell.
    """
    sample = text[:20000]
    if not sample:
        return False
    common = sum(1 for c in sample if _is_common(c))
    return common / len(sample) > 0.95


def _is_common(char: str) -> bool:
    code = ord(char)
    return (
        (32 <= code < 127)
        or char in "\r\n\t\f"
        or 0x4E00 <= code <= 0x9FFF  # CJK unified ideographs
        or 0x3000 <= code <= 0x303F  # CJK punctuation
        or 0xFF00 <= code <= 0xFFEF  # full-width forms
        or 0x2000 <= code <= 0x206F  # general punctuation
        or (0xA0 <= code <= 0x24F and char.isprintable())  # Latin-1 and Latin extended
    )
