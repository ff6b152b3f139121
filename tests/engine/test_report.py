"""The one-page project report (engine.report) on a small demo shop with real runs: the counts
of the project, every trained model's verdict, the segments, the likeliest buyers and the
default campaign; "not trained yet" for the rest; hostile text from the data escaped."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from html import escape, unescape
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from engine import runs
from engine.currency import set_shop_currency
from engine.demo_project import create_demo_project
from engine.exports import ExportError
from engine.forecast.config import ForecastConfig
from engine.forecast.read import series_view
from engine.ingest import ImportOptions, run_import
from engine.intent import IntentConfig
from engine.overview import DataSummary
from engine.profiles import ProfileConfig
from engine.report import (
    ModelLine,
    ReportData,
    SegmentLine,
    Target,
    build_report,
    money,
    report_data,
    report_html,
    report_kind,
    write_html_report,
)
from storage.project import Project, open_project
from storage.queries import Health, Overview, overview
from storage.run_writes import save_run
from storage.runs import active_run, customer_summary, run_outputs

TODAY = date(2025, 12, 3)
HOSTILE = "<script>alert(1)</script>"
HOSTILE_SEGMENT = "<img src=x onerror=alert(2)>"


def _text(html: str) -> str:
    """What a reader sees: the page without its tags and entities."""
    body = re.sub(r"<style>.*?</style>", " ", html, flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", body)).split())


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Project]:
    """A demo shop with a quickly trained purchase-intent model and segments (nothing else)."""
    path = tmp_path_factory.mktemp("report") / "shop.intentlens"
    create_demo_project(path, customers=200, seed=9)
    project = open_project(path, create=False)
    for _ in runs.train(project, "intent", IntentConfig(preset="fast", epochs=1, seed=0)):
        pass
    for _ in runs.train(project, "profiles", ProfileConfig(epochs=2, seed=0)):
        pass
    yield project
    project.close()


@pytest.fixture(scope="module")
def page(shop: Project) -> str:
    return build_report(shop, today=TODAY)


def test_the_data_summary_has_the_projects_counts(shop: Project, page: str) -> None:
    ov = overview(shop)
    text = _text(page)
    assert ov.customers == 200 and ov.events > 10_000
    for figure, caption in ((ov.customers, "customers"), (ov.items, "items"),
                            (ov.events, "events"),
                            (ov.events_by_type["purchase"], "purchases")):
        assert f"{figure:,} {caption}" in text
    assert f"{ov.revenue:,.2f} revenue (refunds subtracted)" in text
    assert "2025-06-01 to 2025-11-27" in text
    assert "IntentLens report: shop" in text and "Made on 2025-12-03" in text


def test_each_trained_model_says_its_verdict_and_period(shop: Project, page: str) -> None:
    text = _text(page)
    for key, title in (("intent", "Purchase intent"), ("profiles", "Customer profiles & segments")):
        run = active_run(shop, key)
        assert run is not None
        view = runs.describe(run)
        assert view is not None and len(view.verdict) > 40
        assert f"{title} " in text and " ".join(view.verdict.split()) in text
    period = active_run(shop, "intent").history["period"]  # type: ignore[union-attr]
    assert period and f"(measured on {period})" in text


def test_untrained_tasks_get_one_sentence(page: str) -> None:
    assert ("Not trained yet: Recommendations, Customer value, Sales forecast."
            in _text(page))


def test_the_segments_with_their_size_and_share(shop: Project, page: str) -> None:
    data = report_data(shop, today=TODAY)
    run = active_run(shop, "profiles")
    assert run is not None
    stored = run.metrics["segments"]
    assert sorted(s.name for s in data.segments) == sorted(s["name"] for s in stored)
    assert sum(s.size for s in data.segments) == 200
    text = _text(page)
    for s in data.segments:
        assert f"{s.name} {s.size:,} {s.share:.0%}" in text
        assert s.description and s.name not in s.description.split(";")[0][:len(s.name)]


def test_the_likeliest_buyers_come_first(shop: Project, page: str) -> None:
    run = active_run(shop, "intent")
    assert run is not None
    scores = run_outputs(shop, run.id, names=("score", "rank")).sort_values("rank")
    best = scores.iloc[0]
    data = report_data(shop, today=TODAY)
    assert len(data.targets) == 20
    assert data.targets[0].customer == str(best["key"])
    assert data.targets[0].chance == pytest.approx(float(best["score"]))
    chances = [t.chance for t in data.targets]
    assert chances == sorted(chances, reverse=True)
    assert set(t.customer for t in data.targets) == set(scores["key"].astype(str).head(20))
    text = _text(page)
    assert f"1 {best['key']} {float(best['score']):.0%}" in text
    # The default campaign, as the Campaign page first shows it.
    assert "The most profitable campaign contacts the first" in text


def test_no_internal_names_or_missing_numbers(page: str) -> None:
    text = _text(page)
    for word in ("nan", "None", "remove_cart", "global_gbm", "rfm_logistic", "base_rate",
                 "{0", "–%"):
        assert not re.search(rf"(?<![\w]){re.escape(word)}(?![\w])", text), word
    assert "<script" not in page.lower() and "http" not in page  # no scripts, nothing fetched


def test_report_kind_by_the_ending() -> None:
    assert report_kind("a/Report.PDF") == "pdf"
    assert report_kind("r.html") == report_kind("r.htm") == "html"
    with pytest.raises(ValueError, match="^“r.docx”: a report is written as .html or .pdf"):
        report_kind("r.docx")


def test_money_with_and_without_the_shops_currency() -> None:
    assert money(1234.5, "") == "1,234.50"
    assert money(1234.5, "€") == "€1,234.50"
    assert money(-7, "USD", 0) == "−USD\u00a07"
    assert money(float("nan"), "€") == "–"


def test_write_html_refuses_the_project_and_writes_whole(shop: Project, tmp_path: Path) -> None:
    with pytest.raises(ExportError, match="is the open project"):
        write_html_report(shop, shop.path)  # type: ignore[arg-type]
    out = tmp_path / "report.html"
    assert write_html_report(shop, out, today=TODAY) == out.resolve()
    assert out.read_text(encoding="utf-8") == build_report(shop, today=TODAY)
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]  # no temporary file left


# -- hostile text from the data --------------------------------------------------------------
@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Project]:
    """A demo shop with a customer whose id is a script, the likeliest buyer of a saved intent
    run, in a segment whose name is an image tag; the shop counts in euros and has a real
    forecast run."""
    folder = tmp_path_factory.mktemp("hostile")
    path = folder / "shop.intentlens"
    create_demo_project(path, customers=60, seed=3)
    log = folder / "more.csv"
    pd.DataFrame({
        "user_id": [HOSTILE, HOSTILE],
        "event_time": ["2025-11-20 10:00:00", "2025-11-21 11:00:00"],
        "event_type": ["view", "purchase"],
        "item_id": ["X1", "X1"],
        "price": [12.5, 12.5],
    }).to_csv(log, index=False)
    project = open_project(path, create=False)
    run_import(project, log, ImportOptions(
        columns={"customer": "user_id", "time": "event_time", "event": "event_type",
                 "item": "item_id", "price": "price"}))
    people = customer_summary(project)
    ids = people["customer_id"].to_numpy()
    bad = int(people.loc[people["key"] == HOSTILE, "customer_id"].iloc[0])
    score = np.where(ids == bad, 0.99, np.linspace(0.5, 0.1, len(ids)))
    last = overview(project).last_ms
    save_run(project, "intent", status="done", settings={"as_of_ms": last, "horizon_days": 14},
             history={}, metrics={}, summary="A verdict.", seconds=0, warm_started=False,
             weights=None, outputs=pd.DataFrame({
                 "customer_id": ids, "score": score,
                 "rank": pd.Series(-score).rank(method="first").astype(int).to_numpy()}))
    save_run(project, "profiles", status="done", settings={}, history={},
             metrics={"segments": [
                 {"id": 0, "name": HOSTILE_SEGMENT, "size": len(ids), "share": 1.0,
                  "revenue_share": 1.0, "description": f"{HOSTILE_SEGMENT} — buys <i>{HOSTILE}</i>; more"}]},
             summary="", seconds=0, warm_started=False, weights=None,
             outputs=pd.DataFrame({"customer_id": ids, "segment": np.zeros(len(ids), int)}))
    set_shop_currency(project, "€")
    for _ in runs.train(project, "forecast", ForecastConfig(weeks=4, origins=1, seed=0)):
        pass
    yield project
    project.close()


def test_hostile_ids_and_names_are_escaped(hostile: Project) -> None:
    html = build_report(hostile, today=TODAY)
    data = report_data(hostile, today=TODAY)
    assert data.targets[0].customer == HOSTILE  # the likeliest buyer is on the page
    assert "<script" not in html.lower() and "<img" not in html.lower() and "<i>" not in html
    assert escape(HOSTILE, quote=True) in html and escape(HOSTILE_SEGMENT, quote=True) in html
    text = _text(html)
    assert f"1 {HOSTILE} 99%" in text
    assert f"All of them are in the segment “{HOSTILE_SEGMENT}”." in text
    assert f"{HOSTILE_SEGMENT} 61 100% buys <i>{HOSTILE}</i>; more" in text
    assert "€" in text  # the revenue and the campaign's money in the shop's currency


def test_the_whole_shops_forecast_in_one_sentence(hostile: Project) -> None:
    run = active_run(hostile, "forecast")
    assert run is not None
    units = series_view(hostile, run, "shop", "", "units")
    revenue = series_view(hostile, run, "shop", "", "revenue")
    assert len(units.p50) == 4 and sum(units.p50) > 0
    text = _text(build_report(hostile, today=TODAY))
    assert (f"Sales forecast Whole shop over the next 4 weeks: about {sum(units.p50):,.0f} units "
            f"sold and {money(sum(revenue.p50), '€', 0)} in revenue") in text
    assert f"Method: {units.method}." in text
    # Its verdict, with the date it was checked from.
    assert f"Sales forecast (measured by a backtest from {run.metrics['origins'][0]}) " in text


def test_the_page_escapes_every_field() -> None:
    """Each place the data reaches: project name, verdicts, segments, targets, sentences."""
    ov = Overview(customers=1, items=1, events=1, revenue=1.0, first_ms=0, last_ms=0,
                  events_by_type={}, imports=1, rejected=0)
    base = ReportData(name="a<b", made="2025-01-01", currency="<€>",
                      summary=DataSummary(ov, [], [], [], Health(0, 0, None, None, 0, 0, 0, 0),
                                          ["w<1>"]))
    data = replace(
        base, models=[ModelLine("t<2>", "v<3>", "p<4>")], untrained=["u<5>"], segments=[SegmentLine("s<6>", 1, 1.0, "d<7>")],
        targets=[Target(1, "c<8>", 0.5, "g<9>")], targets_note="n<10>", campaign="m<11>",
        forecast="f<12>")
    html = report_html(data)
    for i, raw in enumerate(("a<b", "<€>", "w<1>", "t<2>", "v<3>", "p<4>", "u<5>", "s<6>",
                             "d<7>", "c<8>", "g<9>", "n<10>", "m<11>", "f<12>")):
        assert raw not in html, (i, raw)
        assert escape(raw) in html, (i, raw)


def test_an_empty_project_says_what_to_do_first(project: Project) -> None:
    text = _text(build_report(project, today=TODAY))
    assert "The project has no events yet: import your shop's behavior log first." in text
    assert "0 days" not in text and "– to –" not in text
    assert ("Not trained yet: Purchase intent, Customer profiles & segments, Recommendations, "
            "Customer value, Sales forecast.") in text
    assert "Train a purchase-intent model to see whom to contact first." in text
