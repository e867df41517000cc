"""A solo as a picture of its lead sheet: the MusicXML that ``export.lead_sheet`` writes, engraved by
verovio (offline, a wheel from PyPI) as SVG pages."""

from __future__ import annotations

import tempfile
from pathlib import Path

from nlp_rnn.errors import UserError
from nlp_rnn.jazz.export import write_musicxml
from nlp_rnn.jazz.piece import Piece

MAX_PAGES = 8  # a page holds about 12 bars at this scale
OPTIONS = {"pageWidth": 2100, "pageHeight": 2970, "adjustPageHeight": True, "scale": 40, "header": "none",
           "footer": "none", "breaks": "auto"}


def score_svg(piece: Piece, max_pages: int = MAX_PAGES) -> list[str]:
    """SVG documents, one a page, of ``piece``'s lead sheet (at most ``max_pages``).

    Raises UserError when verovio is not installed (it comes with the ``app`` extra).
    """
    try:
        import verovio
    except ImportError:
        raise UserError("drawing the score needs verovio: pip install 'nlp-rnn[app]' (or pip install verovio)") from None
    toolkit = verovio.toolkit(False)
    # verovio keeps its default resource path per thread (set on import); a page runs in other threads
    toolkit.setResourcePath(str(Path(verovio.__file__).parent / "data"))
    toolkit.setOptions(OPTIONS)
    with tempfile.TemporaryDirectory() as work:
        sheet = write_musicxml(piece, Path(work) / "solo.musicxml")
        if not toolkit.loadFile(str(sheet)):
            raise UserError("verovio could not read the lead sheet it was given")  # our own file: a bug if it happens
    return [toolkit.renderToSVG(page) for page in range(1, min(toolkit.getPageCount(), max_pages) + 1)]
