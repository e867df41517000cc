"""CSV rows with the file line each starts on, and a one-line error for what the csv module chokes on.

A stray quote makes the csv module read on, line after line, until the next quote or the end of
the file; a field longer than ``csv.field_size_limit()`` (131,072 characters) then raises a bare
``_csv.Error``. Both become a DataError naming the line where the quoted field began.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

from nlp_rnn.errors import DataError

MAX_ROW_LINES = 20  # a quoted field may hold newlines; one spanning more lines is a stray quote
QUOTE_FIX = "close the quote, or write a quote inside a quoted field as two (\"\")"


def csv_rows(source: str | Path, text: str) -> Iterator[tuple[int, list[str]]]:
    """(line the row starts on, cells) for every row of ``text``; ``source`` names it in errors."""
    reader = csv.reader(io.StringIO(text))
    start = 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            limit = csv.field_size_limit()
            problem = (f"a field longer than {limit:,} characters starts here" if "field limit" in str(error)
                       else f"not readable as CSV ({error})")
            raise DataError(source, problem + " (an unclosed quote?)", QUOTE_FIX, line=start) from None
        if reader.line_num - start + 1 > MAX_ROW_LINES:
            raise DataError(source, f"a quoted field runs over {reader.line_num - start + 1} lines (an unclosed quote?)",
                            QUOTE_FIX, line=start)
        yield start, row
        start = reader.line_num + 1
