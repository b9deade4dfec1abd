"""LibreOffice (headless) and poppler for the rendering test: find them, or say why not.

`make test` installs them (deploy/scripts/ensure-office.sh) when it runs as root with apt. A
machine where that is impossible skips the test with the reason; a machine where it was
possible but not done fails, so the check never passes silently."""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
import unicodedata
from pathlib import Path

TOOLS = ("soffice", "pdftoppm", "pdftotext", "pdfinfo")
INSTALL = (
    "apt-get install -y --no-install-recommends libreoffice-writer-nogui "
    "libreoffice-calc-nogui poppler-utils "
    "fonts-liberation "
    "(or run `make test`, which does it)"
)


def missing() -> list[str]:
    gone = [tool for tool in TOOLS if shutil.which(tool) is None]
    if not times_like():
        gone.append("Times New Roman (or Liberation Serif)")
    if "soffice" not in gone and not has_calc():
        gone.append("LibreOffice Calc")
    return gone


def has_calc() -> bool:
    """Whether LibreOffice can open the .xlsx forms: Calc's library sits beside soffice."""
    soffice = shutil.which("soffice")
    return soffice is not None and (Path(soffice).resolve().parent / "libsclo.so").exists()


def times_like() -> bool:
    """Whether fontconfig gives Times New Roman or its metric twin: the documents are set in it
    (NĐ30), and a wider substitute would wrap lines a clerk's printer does not."""
    if shutil.which("fc-match") is None:
        return False
    out = subprocess.run(
        ["fc-match", "-f", "%{family}", "Times New Roman"],
        check=False,
        capture_output=True,
        text=True,
    )
    return any(face in out.stdout for face in ("Times New Roman", "Liberation Serif"))


def installable() -> str | None:
    """None when this machine could install the tools; otherwise why it cannot."""
    if shutil.which("apt-get") is None:
        return "no apt-get on this machine to install LibreOffice and poppler-utils"
    if os.geteuid() != 0:
        return "not running as root, so LibreOffice and poppler-utils cannot be installed"
    return None


def to_pdf(files: list[Path], out_dir: Path, profile: Path) -> None:
    """Convert in one soffice run, with a private profile so parallel runs never share a lock."""
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--norestore",
            "--convert-to",
            "pdf",
            "--outdir",
            str(out_dir),
            *map(str, files),
        ],
        check=True,
        capture_output=True,
        timeout=240,
    )


def pages(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True)
    line = next(x for x in info.stdout.splitlines() if x.startswith("Pages:"))
    return int(line.split()[1])


def text(pdf: Path) -> str:
    out = subprocess.run(["pdftotext", str(pdf), "-"], check=True, capture_output=True, text=True)
    return " ".join(unicodedata.normalize("NFC", out.stdout).split())


def lines(pdf: Path) -> list[str]:
    """The PDF's text line by line as printed, so that a wrapped line shows as two."""
    out = subprocess.run(["pdftotext", str(pdf), "-"], check=True, capture_output=True, text=True)
    return [" ".join(unicodedata.normalize("NFC", line).split()) for line in out.stdout.split("\n")]


def page_texts(pdf: Path) -> list[str]:
    """The text of each page, whitespace collapsed (pdftotext ends every page with a form feed)."""
    out = subprocess.run(["pdftotext", str(pdf), "-"], check=True, capture_output=True, text=True)
    pages = unicodedata.normalize("NFC", out.stdout).split("\f")
    return [" ".join(page.split()) for page in pages if page.strip()]


def first_page_png(pdf: Path, out: Path) -> tuple[int, int]:
    """Render page 1 at 40 dpi; return the image's width and height from its IHDR chunk."""
    subprocess.run(
        ["pdftoppm", "-png", "-r", "40", "-f", "1", "-l", "1", "-singlefile", str(pdf), str(out)],
        check=True,
        capture_output=True,
        timeout=120,
    )
    data = out.with_suffix(".png").read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "pdftoppm did not write a PNG"
    width, height = struct.unpack(">II", data[16:24])
    return width, height
