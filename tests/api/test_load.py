"""A short load test of the live server: 32 clients, saved queries, lookups and malformed requests."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

BENCH_LOAD = Path(__file__).resolve().parents[2] / "bench" / "load.py"


def _load_driver():  # type: ignore[no-untyped-def]
    # The same driver as the 60 s run in bench/load.py, sized down to seconds.
    spec = importlib.util.spec_from_file_location("bench_load", BENCH_LOAD)
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    sys.modules["bench_load"] = module  # dataclasses look their module up
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


@pytest.mark.server
def test_32_clients_get_no_5xx_and_every_malformed_request_is_a_4xx(server) -> None:  # type: ignore[no-untyped-def]
    driver = _load_driver()
    report = driver.run_load(server.url, clients=32, seconds=4, max_requests=40)
    print("\n" + report.summary())
    assert report.total() > 100
    assert report.server_errors == []
    assert report.malformed_not_4xx == []
    assert report.transport_errors == []
    assert report.tracebacks == []
    assert len(report.latencies["malformed"]) > 10 and len(report.latencies["saved"]) > 10
