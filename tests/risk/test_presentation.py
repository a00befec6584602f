"""The band colours meet WCAG 2.2 AA wherever they are shown: a band's word on its fill at 4.5:1 (text), and its mark
in a chart distinguishable from the white page at 3:1 (graphics), by its fill or by the outline it is drawn with."""

from __future__ import annotations

import pytest

from risk.presentation import BAND_COLOUR, BAND_INK, MARK_OUTLINE
from risk.vocabulary import Band

WHITE = "#ffffff"


def _luminance(colour: str) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    value = colour.lstrip("#")
    r, g, b = (channel(int(value[i : i + 2], 16)) for i in (0, 2, 4))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    """The WCAG contrast ratio of two #rrggbb colours."""
    light, dark = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_contrast_matches_the_wcag_examples() -> None:
    assert contrast("#000000", "#ffffff") == pytest.approx(21)
    assert contrast("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)


@pytest.mark.parametrize("band", list(Band))
def test_a_bands_word_is_readable_on_its_colour(band: Band) -> None:
    assert contrast(BAND_COLOUR[band], BAND_INK[band]) >= 4.5


@pytest.mark.parametrize("band", list(Band))
def test_a_bands_chart_mark_stands_out_from_the_page(band: Band) -> None:
    assert max(contrast(BAND_COLOUR[band], WHITE), contrast(MARK_OUTLINE, WHITE)) >= 3
    assert contrast(MARK_OUTLINE, WHITE) >= 3, "the outline is what makes amber and grey marks visible"
