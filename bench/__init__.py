"""Reproducible benchmarks: ``make bench`` (= ``python -m bench``). Speed is measured as ratios
against a baseline run in the same process, never as absolute wall-clock promises."""
