"""The command line's import keeps the shop's currency as the window's import does."""

from __future__ import annotations

from pathlib import Path

import pytest

import main
from engine.currency import shop_currency
from storage.project import open_project


def _import(tmp_path: Path, prices: list[str]) -> str:
    log = tmp_path / "orders.csv"
    rows = ["customer;time;event;item;price"] + [
        f"c{i};2024-03-0{i + 1} 10:00:00;purchase;sku{i};{p}" for i, p in enumerate(prices)
    ]
    log.write_text("\n".join(rows) + "\n", encoding="utf-8")
    project = tmp_path / "shop.intentlens"
    assert main.main(["import", str(project), str(log)]) == 0
    opened = open_project(str(project), create=False)
    try:
        return shop_currency(opened)
    finally:
        opened.close()


def test_prices_in_euros_make_the_project_speak_euros(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _import(tmp_path, ["12,50 €", "3,99 €", "100,00 €"]) == "€"


def test_plain_numbers_leave_the_currency_unknown(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _import(tmp_path, ["12.50", "3.99", "100.00"]) == ""
