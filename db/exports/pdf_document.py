"""The page set-up every PDF the dashboard writes shares: A4 landscape (wide grids of professionals), page breaks
with a margin, and DejaVu where it is installed so names in any script print; otherwise the built-in Helvetica,
which takes Latin-1 only (`text_of` makes text fit whichever font it got); a footer on every page; lines of text."""

from __future__ import annotations

from pathlib import Path

from fpdf import FPDF

from db.plain_text import printable

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")


_ASCII = str.maketrans({"–": "-", "—": "-", "‘": "'", "’": "'", "“": '"', "”": '"', "…": "...", "•": "*", "→": "->"})


class LandscapeDocument(FPDF):
    text_limit: int | None = None
    """Stored text longer than this is cut (None: printed in full)."""

    def __init__(self, title: str, footer_label: str) -> None:
        super().__init__(orientation="landscape", format="A4")
        self.footer_label = footer_label
        self.set_title(title)
        self.set_auto_page_break(auto=True, margin=15)
        regular, bold = FONT_DIR / "DejaVuSans.ttf", FONT_DIR / "DejaVuSans-Bold.ttf"
        self.unicode = regular.exists() and bold.exists()
        if self.unicode:
            self.add_font("Body", "", str(regular))
            self.add_font("Body", "B", str(bold))
            self.family_name = "Body"
        else:
            self.family_name = "Helvetica"

    def text_of(self, value: object) -> str:
        """Text safe for the font: anything goes with DejaVu; the built-in font takes Latin-1 only. Stored text is
        made printable (control characters stored before the entry checks never stop the file being made) and cut
        at `text_limit`, if the document has one."""
        text = printable(str(value))
        if self.text_limit is not None and len(text) > self.text_limit:
            text = text[: self.text_limit - 1] + "…"
        if self.unicode:
            return text
        return text.translate(_ASCII).encode("latin-1", errors="replace").decode("latin-1")

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(self.family_name, size=8)
        self.cell(0, 8, self.text_of(f"{self.footer_label} · page {self.page_no()} of {{nb}}"), align="C")

    def line_of(self, text: str, size: float = 10, bold: bool = False, height: float = 5.5) -> None:
        self.set_font(self.family_name, "B" if bold else "", size)
        self.multi_cell(0, height, self.text_of(text), new_x="LMARGIN", new_y="NEXT")
