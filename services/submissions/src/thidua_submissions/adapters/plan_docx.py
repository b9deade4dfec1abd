"""The paragraphs of a Kế hoạch in Word form, in reading order (the header table aside)."""

from __future__ import annotations

from pathlib import Path

import docx


def paragraphs(path: Path) -> list[str]:
    document = docx.Document(str(path))
    return [p.text for p in document.paragraphs]
