"""Vietnamese administrative text formats (Nghị định 30/2020/NĐ-CP, Phụ lục I).

Pure helpers: no I/O, no clock. Every returned string is NFC so that text compared, searched or
hashed downstream matches what a Vietnamese keyboard produces.
"""

from __future__ import annotations

import datetime
import re
import unicodedata

__all__ = [
    "as_clause",
    "confers_title",
    "format_date_words",
    "format_percent",
    "format_place_date",
    "format_vnd",
    "granting",
    "nfc",
    "number_line",
    "spell_dates",
]

_SHORT_DATE = re.compile(r"\bngày (\d{1,2})[/.](\d{1,2})[/.](\d{4})\b")


# Forms of commendation are given ("tặng"), and so is a Cờ thi đua; the other titles are
# recognised ("công nhận danh hiệu").
_GIVEN = ("Huân chương", "Huy chương", "Bằng khen", "Giấy khen", "Cờ thi đua")


def confers_title(award_name: str) -> bool:
    """Whether a decision recognises this award as a title rather than giving it."""
    return not award_name.strip().startswith(_GIVEN)


def granting(award_name: str) -> str:
    """ "tặng Giấy khen …" / "công nhận danh hiệu Chiến sĩ thi đua cơ sở"."""
    name = nfc(" ".join(award_name.split())).rstrip(" \t;.,")
    return f"công nhận danh hiệu {name}" if confers_title(name) else f"tặng {name}"


def as_clause(text: str) -> str:
    """A reason recorded as a sentence ("Xếp thứ 2/2 …"), written inside a sentence or its
    brackets: the first letter in lower case, unless the first word is an abbreviation or a
    code ("UBND", "NĐ91"), which keeps its capitals."""
    text = nfc(text.strip())
    first = text.split(" ", 1)[0]
    if not first or sum(c.isupper() for c in first) > 1 or any(c.isdigit() for c in first):
        return text
    return first[:1].lower() + text[1:]


def nfc(text: str) -> str:
    """Return `text` in Unicode NFC.

    Vietnamese letters can arrive decomposed (base letter + combining marks, e.g. from macOS or
    copy-paste out of PDFs); printed documents and checks must agree on one form.
    """
    return unicodedata.normalize("NFC", text)


def format_date_words(d: datetime.date) -> str:
    """`ngày 05 tháng 01 năm 2023` — the date part of the place/date line.

    NĐ30 pads the day below 10 but pads the month only for January and February ("tháng 01",
    "tháng 02"), so that a handwritten digit cannot be prepended to turn "1" into "11" or "12";
    months 3–12 have no such risk and stay unpadded ("tháng 4").
    """
    month = f"{d.month:02d}" if d.month <= 2 else str(d.month)
    return nfc(f"ngày {d.day:02d} tháng {month} năm {d.year:04d}")


def spell_dates(text: str) -> str:
    """ "ngày 26/4/2022" → "ngày 26 tháng 4 năm 2022": a document cites dates in words, as
    typed text from a plan often does not. Only a real calendar date after "ngày" is rewritten,
    so numbers such as "91/2017/NĐ-CP" stay as they are."""

    def words(match: re.Match[str]) -> str:
        day, month, year = (int(part) for part in match.groups())
        try:
            return format_date_words(datetime.date(year, month, day))
        except ValueError:
            return match[0]

    return nfc(_SHORT_DATE.sub(words, nfc(text)))


def format_place_date(place: str, d: datetime.date) -> str:
    """`Bắc Ninh, ngày 05 tháng 01 năm 2023` — the header's place/date line (NĐ30 ô số 4)."""
    name = " ".join(place.split())
    if not name:
        raise ValueError("place name (địa danh) must not be empty")
    return nfc(f"{name}, {format_date_words(d)}")


def format_vnd(amount: int) -> str:
    """`450.000` — an amount of đồng with the Vietnamese dot thousands separator."""
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise TypeError("amount must be an int number of đồng")
    sign = "-" if amount < 0 else ""
    return f"{sign}{abs(amount):,}".replace(",", ".")


def number_line(number: str) -> str:
    """`Số: 01/QĐ-UBND` — the header's number/symbol line (NĐ30 ô số 3)."""
    # NĐ30 forbids spaces inside the symbol ("01/QĐ-UBND", never "01 / QĐ - UBND").
    symbol = "".join(number.split())
    if not symbol:
        raise ValueError("document number must not be empty")
    return nfc(f"Số: {symbol}")


def format_percent(part: int, whole: int) -> str:
    """`88,89` — part/whole in per cent, two decimals, rounded half up, Vietnamese decimal comma.

    Integer arithmetic: a displayed share must never differ from the exact fraction the ballot
    was decided on by a floating-point artefact (8/9 is 88,89, not 88,88).
    """
    if whole <= 0 or part < 0:
        raise ValueError("percentage of a non-positive whole or of a negative part")
    hundredths = (part * 10000 * 2 + whole) // (whole * 2)
    return f"{hundredths // 100},{hundredths % 100:02d}"


# Section and group numbers of administrative papers.
ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X")
