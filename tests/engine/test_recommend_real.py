"""Recommendations on the real logs (the ``datasets`` fixture): every method's metrics are printed
(``pytest -s`` shows them) and the served method must beat recent popularity.

Online Retail is an order log (purchases only, a 30-day horizon by default); Taobao a 9-day
click log whose few rows from September stretch the default horizon to 21 days, so it is
measured on its last 2 days; YooChoose's customers are single visits, which the data check
says in a sentence.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from engine import runs
from engine.ingest import ImportOptions, run_import
from engine.recommend.config import RecommendConfig
from engine.tasks import get_task
from engine.tasks.base import RunSaved
from storage.project import Project, open_project
from storage.queries import events_frame

pytestmark = pytest.mark.slow

RETAIL = "uci_online_retail/online_retail.csv.gz"
TAOBAO = "taobao_userbehavior/UserBehavior.csv"
YOOCHOOSE = "yoochoose_clicks/yoochoose-clicks-100k_train_full.txt"


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("recommend-real")


def _project(datasets: Path, folder: Path, rel: str, fmt: str) -> Iterator[Project]:
    path = datasets / rel
    if not path.is_file():
        pytest.skip(f"{rel} is not in {datasets}")
    project = open_project(folder / (path.name + ".intentlens"))
    run_import(project, path, ImportOptions(format=fmt))
    try:
        yield project
    finally:
        project.close()


def _measure(project: Project, name: str, config: RecommendConfig) -> dict[str, object]:
    saved = [r for r in runs.train(project, "recommend", config) if isinstance(r, RunSaved)]
    assert len(saved) == 1
    data = saved[0].view.data
    print(f"\n{name}: as of {data['as_of']}, horizon {data['horizon_days']} days")
    for line in saved[0].view.text:
        print(line)
    return data


def _served_beats_popularity(data: dict[str, object]) -> None:
    baselines = data["baselines"]
    assert isinstance(baselines, dict)
    served = str(data["served"])
    metrics = data["model"] if served == "neural" else baselines[served]
    assert isinstance(metrics, dict)
    assert served != "popularity"
    assert metrics["ndcg_20"] > baselines["popularity"]["ndcg_20"]
    assert metrics["recall_20"] > baselines["popularity"]["recall_20"]


def test_online_retail(datasets: Path, folder: Path) -> None:
    for project in _project(datasets, folder, RETAIL, "uci_online_retail"):
        data = _measure(project, "UCI Online Retail", RecommendConfig(preset="fast"))
        _served_beats_popularity(data)
        own = data["baselines"]["own_history"]  # type: ignore[index]
        # The issue's figure: own history finds about 28% of next purchases, popularity 11%.
        assert 0.22 <= own["recall_20"] <= 0.33
        assert "of next purchases in the top 20" in str(data["verdict"])


def test_taobao(datasets: Path, folder: Path) -> None:
    for project in _project(datasets, folder, TAOBAO, "taobao"):
        data = _measure(project, "Taobao UserBehavior",
                        RecommendConfig(preset="fast", horizon_days=2))
        _served_beats_popularity(data)


def test_yoochoose_says_its_customers_are_single_visits(datasets: Path, folder: Path) -> None:
    for project in _project(datasets, folder, YOOCHOOSE, "yoochoose_clicks"):
        verdict = get_task("recommend").check(events_frame(project), RecommendConfig())
        print(f"\nYooChoose clicks: {verdict.message}")
        assert not verdict.ok
        assert "look like single visits" in verdict.message
