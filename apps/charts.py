"""Labelled line charts drawn cheaply, and a live view of several training runs.

``st.line_chart`` builds an Altair chart and validates it against the Vega-Lite schema on every
call, about 60 ms of CPU; redrawn every epoch of a lab run that is more than the epoch itself.
A Vega-Lite spec written as a dict costs about 2 ms and names its axes and lines.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from nlp_rnn.training import Callback


def lines(target, frame: pd.DataFrame, x: str, y: str, line: str, x_title: str, y_title: str,
          title: str | None = None, legend: str | None = None, y_domain: tuple[float, float] | None = None) -> None:
    """Draw ``frame`` (long form: one row per point) on ``target`` as one named line per value of ``line``;
    ``y_domain`` fixes the y axis (side-by-side accuracies must share one scale to be compared)."""
    spec = {
        "mark": {"type": "line", "point": True},
        "encoding": {
            "x": {"field": x, "type": "quantitative", "title": x_title, "axis": {"tickMinStep": 1}},
            "y": {"field": y, "type": "quantitative", "title": y_title},
            "color": {"field": line, "type": "nominal", "title": legend or line},
        },
    }
    if y_domain is not None:
        spec["encoding"]["y"]["scale"] = {"domain": list(y_domain)}
    if title:
        spec["title"] = title
    target.vega_lite_chart(frame, spec, width="stretch")


class LiveRuns(Callback):
    """Training runs one after another, drawn live: ``metric`` by epoch, one line per run, one chart per
    panel; a progress bar over the epoch budget of all runs (a run that stops early counts as done)."""

    def __init__(self, runs: list[tuple[str, str]], epochs: int, metric: str, y_title: str, titles: dict[str, str],
                 y_domain: tuple[float, float] | None = None):
        """``runs``: (panel, line) in the order they train; ``titles``: panel → chart title."""
        self.runs, self.epochs, self.metric, self.y_title, self.titles = runs, epochs, metric, y_title, titles
        self.y_domain = y_domain
        self.bar = st.progress(0.0, text="starting …")
        columns = st.columns(len(titles))
        self.panels = {panel: column.empty() for panel, column in zip(titles, columns)}
        self.points: list[dict] = []
        self.current = -1

    def on_epoch_end(self, trainer, record: dict) -> None:
        if record["epoch"] == 1:  # every run's trainer counts from 1: the next run has started
            self.current = min(self.current + 1, len(self.runs) - 1)
        panel, line = self.runs[self.current]
        self.points.append({"panel": panel, "run": line, "epoch": record["epoch"], "value": record.get(self.metric)})
        shown = pd.DataFrame([p for p in self.points if p["panel"] == panel])
        lines(self.panels[panel], shown, "epoch", "value", "run", "epoch", self.y_title, self.titles[panel], "cell",
              self.y_domain)
        done = (self.current * self.epochs + record["epoch"]) / (len(self.runs) * self.epochs)
        self.bar.progress(min(done, 1.0), text=f"{line} · {self.titles[panel]}: epoch {record['epoch']}/{self.epochs}, "
                          f"{self.y_title} {record.get(self.metric, float('nan')):.3f} (run {self.current + 1} of "
                          f"{len(self.runs)})")

    def finish(self) -> None:
        self.bar.progress(1.0, text=f"done: {len(self.runs)} runs")
