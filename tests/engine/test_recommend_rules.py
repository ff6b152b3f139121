"""The shop's rules after ranking: bought items left out where people do not buy them again,
items never to recommend, the categories to recommend from, and names the data lacks."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from engine.recommend.data import interactions
from engine.recommend.methods import fit_cut
from engine.recommend.rules import describe_rules, resolve
from engine.recommend.serve import Served, serve
from engine.tasks.base import NoData
from tests.engine.test_recommend_methods import day_ms, frame


@pytest.fixture(scope="module")
def shop():  # type: ignore[no-untyped-def]
    """Sofas are bought once (durable); coffee again and again (consumable). Customer 1 bought
    a sofa and a coffee and looked at a garden chair."""
    rows = []
    for c in range(2, 32):
        rows += [(c, c, "purchase", f"SOFA{c % 25}", "Sofas", f"s{c}")]
        rows += [(c, c, "purchase", f"COFFEE{c % 3}", "Coffee", f"c{c}"),
                 (c, c + 9, "purchase", f"COFFEE{c % 3}", "Coffee", f"d{c}")]
    rows += [(1, 40, "purchase", "SOFA1", "Sofas", "x"), (1, 40, "purchase", "COFFEE1", "Coffee",
                                                         "x"),
             (1, 41, "view", "CHAIR", "Garden", None)]
    data = interactions(frame(rows))
    return data, fit_cut(data, day_ms(45), 30, 1000.0)


def _list(shop, mode: str, exclude: str = "", only: str = "") -> tuple[list[str], list[str]]:  # type: ignore[no-untyped-def]
    data, cut = shop
    rules = resolve(data, mode, exclude, only)
    served = [r for r in serve(cut, "own_history", rules, 10, should_stop=lambda: False)
              if isinstance(r, Served)][0]
    mine = served.item[served.customer == 1]
    return [str(data.item_keys[i]) for i in mine], rules.notes


def test_learned_rule_leaves_out_the_durable_and_keeps_the_consumable(shop) -> None:  # type: ignore[no-untyped-def]
    items, _ = _list(shop, "learned")
    assert "SOFA1" not in items and "COFFEE1" in items and "CHAIR" in items
    rules = resolve(shop[0], "learned", "", "")
    rates = {c["category"]: c for c in rules.rates}
    assert rates["Sofas"]["repeat_rate"] == 0.0 and rates["Sofas"]["leave_out_bought"]
    assert rates["Coffee"]["repeat_rate"] > 0.9 and not rates["Coffee"]["leave_out_bought"]
    words = " ".join(describe_rules(rules.as_dict("learned")))
    assert "Left out once bought: Sofas (0%)." in words
    assert "Recommended again: Coffee (97%)." in words


def test_always_and_never(shop) -> None:  # type: ignore[no-untyped-def]
    always, _ = _list(shop, "always")
    never, _ = _list(shop, "never")
    assert "SOFA1" not in always and "COFFEE1" not in always
    assert "SOFA1" in never and "COFFEE1" in never


def test_excluded_items_never_appear_and_unknown_ids_are_named(shop) -> None:  # type: ignore[no-untyped-def]
    items, notes = _list(shop, "never", exclude="COFFEE1, NOPE")
    assert "COFFEE1" not in items and "SOFA1" in items
    assert notes == ["The item “NOPE” is not in the data, so it was left out of the rules."]


def test_excluded_items_from_a_file_with_a_header(shop, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    listed = tmp_path / "out_of_stock.csv"
    listed.write_text("item_id,reason\nCOFFEE1,sold out\nSOFA1,discontinued\n", encoding="utf-8")
    items, notes = _list(shop, "never", exclude=str(listed))
    assert "COFFEE1" not in items and "SOFA1" not in items and notes == []


def test_only_categories_restricts_and_refuses_unknown_names(shop) -> None:  # type: ignore[no-untyped-def]
    data, _ = shop
    items, notes = _list(shop, "never", only="coffee")
    cats = {data.categories[data.item_category[list(data.item_keys).index(i)]] for i in items}
    assert cats == {"Coffee"} and len(items) == 3 and notes == []  # every coffee, nothing else
    with pytest.raises(NoData, match="^There is no category “Gardn” in the data: the "
                       "categories are "):
        _list(shop, "never", only="coffee\nGardn")
    with pytest.raises(NoData, match="^There are no categories “Toys”, “Books” in the data"):
        _list(shop, "never", only="Toys, Books")


def test_a_missing_list_file_is_refused(shop, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    missing = tmp_path / "out_of_stock.csv"
    with pytest.raises(NoData, match="^The file “.*out_of_stock.csv” does not exist"):
        _list(shop, "never", exclude=str(missing))


def test_a_log_without_categories_uses_the_rate_of_all_purchases() -> None:
    rows = [(c, 1, "purchase", "A", None, f"a{c}") for c in range(1, 30)]
    data = interactions(frame(rows))
    rules = resolve(data, "learned", "", "")
    assert rules.overall_rate == 0.0 and rules.ban_bought is not None
    assert bool(np.all(rules.ban_bought))
