"""A LaTeX document turned into PDF by pdflatex in a temporary folder, or how to get pdflatex."""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from ..errors import BackvizError, DependencyError

__all__ = ["INSTALL_KOTEX", "INSTALL_LATEX", "latex_pdf", "page_size"]

INSTALL_LATEX = (
    "pdflatex is not installed. Install it: Debian/Ubuntu `sudo apt-get install "
    "texlive-latex-base texlive-latex-recommended texlive-lang-korean` (kotex, for Korean), "
    "macOS `brew install --cask mactex`, Windows MiKTeX or TeX Live (miktex.org, tug.org/texlive)."
    " Or choose --format html."
)
INSTALL_KOTEX = (
    "pdflatex cannot typeset Korean: kotex is missing. Install it: Debian/Ubuntu `sudo apt-get "
    "install texlive-lang-korean`, MiKTeX's package manager (ko.tex), or TeX Live's "
    "`tlmgr install kotex-utf`. Or choose --format html."
)
COMMAND = ("pdflatex", "-interaction=nonstopmode", "-halt-on-error", "-no-shell-escape")
RUNS = 3  # pdflatex again while it asks for a rerun (longtable's column widths), at most this


def latex_pdf(source: str, files: dict[str, bytes] | None = None) -> bytes:
    """The PDF of a LaTeX document; `files` (name → content) are put beside it first."""
    if shutil.which("pdflatex") is None:
        raise DependencyError(INSTALL_LATEX)
    with tempfile.TemporaryDirectory(prefix="backviz-latex-") as folder:
        here = Path(folder)
        for name, content in (files or {}).items():
            (here / name).write_bytes(content)
        (here / "sheet.tex").write_text(source, encoding="utf-8")
        for _ in range(RUNS):
            result = subprocess.run(
                [*COMMAND, "sheet.tex"],
                cwd=here,
                capture_output=True,
                timeout=600,
                check=False,
            )
            log = (here / "sheet.log").read_text(encoding="utf-8", errors="replace")
            if result.returncode != 0:
                if re.search(r"File `kotex\.sty' not found", log):
                    raise DependencyError(INSTALL_KOTEX)
                errors = [line for line in log.splitlines() if line.startswith("!")]
                raise BackvizError("pdflatex failed: " + ("; ".join(errors[:3]) or "see its log"))
            if "Rerun to get" not in log and "Rerun LaTeX" not in log:
                break
        return (here / "sheet.pdf").read_bytes()


def page_size(pdf: bytes) -> tuple[float, float]:
    """The width and height in points of a one-page PDF's page (its MediaBox), as Graphviz
    writes it."""
    found = re.search(rb"/MediaBox\s*\[\s*([-\d.]+)\s+([-\d.]+)\s+([-\d.]+)\s+([-\d.]+)", pdf)
    if found is None:
        raise BackvizError("the drawing's PDF has no page size (MediaBox)")
    x0, y0, x1, y1 = (float(v) for v in found.groups())
    return x1 - x0, y1 - y0
