"""Benchmarks: ``python -m dashboard bench ingest|pages …``."""

from __future__ import annotations

import argparse


def add_bench_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    bench = sub.add_parser("bench", help="measure speed")
    bench.add_argument("what", choices=["ingest"])
