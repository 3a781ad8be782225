"""The one place where figures get a font that draws Chinese.

The set-up installs ``mplfonts``, a pip package that ships Noto Sans CJK SC
(and SimHei), so every fresh environment has a CJK font without a system
package or a download. :func:`use_cjk_font` registers it with matplotlib once
and puts it first in the sans-serif list, with DejaVu Sans behind it for
the glyphs it lacks; a font installed on the system (``fc-list :lang=zh``)
is used when the package is absent. :func:`missing_glyphs` draws a figure and
returns the characters no font could draw (the empty boxes a reader would
see), so tests and jobs can check a figure before it is saved.

>>> family = use_cjk_font()            # doctest: +SKIP
>>> missing_glyphs(figure)             # doctest: +SKIP
[]
"""
from __future__ import annotations

import logging
import re
import threading
import warnings
from pathlib import Path

__all__ = ["CJK_FONT_FILES", "cjk_font_path", "use_cjk_font", "missing_glyphs"]

logger = logging.getLogger(__name__)

# Preferred first: Noto Sans CJK SC (SIL Open Font License); SimHei as a fallback.
CJK_FONT_FILES = ("NotoSansCJKsc-Regular.otf", "SimHei.ttf")
_LOCK = threading.Lock()
_REGISTERED: list[str | None] = []  # the family registered by use_cjk_font, once


def _packaged_fonts() -> list[Path]:
    try:
        import mplfonts
    except ImportError:
        return []
    folder = Path(mplfonts.__file__).parent / "fonts"
    return [folder / name for name in CJK_FONT_FILES if (folder / name).is_file()]


def cjk_font_path(prefer: str | None = None) -> Path | None:
    """The file of a font with Chinese glyphs: the one the set-up installs, else a system font; None if none.

    Parameters
    ----------
    prefer : str, optional
        A file name from :data:`CJK_FONT_FILES` to return when present (tests
        that write PDFs use the TrueType SimHei).
    """
    packaged = _packaged_fonts()
    if prefer is not None:
        for path in packaged:
            if path.name == prefer:
                return path
    if packaged:
        return packaged[0]
    from matplotlib import font_manager

    for entry in font_manager.fontManager.ttflist:
        if re.search(r"CJK|WenQuanYi|Source Han|SimHei|SimSun|Droid Sans Fallback|AR PL", entry.name):
            return Path(entry.fname)
    return None


def use_cjk_font() -> str | None:
    """Register the CJK font with matplotlib (once) and make it the default sans-serif; return its family.

    Returns None, with a warning, when no CJK font can be found (an
    environment not made by ``scripts/setup.sh``).
    """
    with _LOCK:
        if _REGISTERED:
            return _REGISTERED[0]
        import matplotlib
        from matplotlib import font_manager

        path = cjk_font_path()
        family = None
        if path is None:
            logger.warning("no CJK font found (install the package 'mplfonts', as scripts/setup.sh does); "
                           "Chinese text in figures will show as empty boxes")
        else:
            font_manager.fontManager.addfont(str(path))
            family = font_manager.FontProperties(fname=str(path)).get_name()
            matplotlib.rcParams["font.family"] = "sans-serif"
            matplotlib.rcParams["font.sans-serif"] = [family, "DejaVu Sans"]
            matplotlib.rcParams["axes.unicode_minus"] = False  # the CJK font has no U+2212 in some versions
            logger.debug("CJK font for figures: %s (%s)", family, path)
        _REGISTERED.append(family)
        return family


_MISSING = re.compile(r"Glyph \d+ \((.+)\) missing from font")


def missing_glyphs(figure) -> list[str]:
    """Draw ``figure`` and return the characters that no font could draw (shown as empty boxes), in order.

    Matplotlib warns once per missing glyph while drawing; those warnings are
    collected here instead of printed.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    found: list[str] = []
    # A Figure made without pyplot has a do-nothing canvas; draw it on Agg, as savefig("x.png") does.
    canvas = figure.canvas if isinstance(figure.canvas, FigureCanvasAgg) else FigureCanvasAgg(figure)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        canvas.draw()
    for warning in caught:
        match = _MISSING.search(str(warning.message))
        if match:
            name = match.group(1)
            char = name[3:-1] if name.startswith("\\N{") else name
            try:
                import unicodedata

                char = unicodedata.lookup(char) if len(char) > 1 else char
            except KeyError:
                pass
            if char not in found:
                found.append(char)
    return found
