"""The word tables (column names, event words, order statuses) are data: no word may mean two
things, and every status phrase of a real export is read as what it means."""

from __future__ import annotations

from collections import defaultdict

import pytest

from engine.events import EVENT_TYPES, FIELDS
from engine.ingest.vocab import (
    COLUMN_SYNONYMS,
    EVENT_VOCABULARY,
    canonical_event,
    normalize_name,
    status_meaning,
)

#: Status words of real exports and what they mean (checked by the tests against the rules).
STATUS_EXAMPLES: dict[str, str] = {
    # English (Shopify, WooCommerce, Magento, BigCommerce, Etsy, TikTok Shop)
    "paid": "purchase", "authorized": "purchase", "partially_paid": "purchase",
    "completed": "purchase", "complete": "purchase", "processing": "purchase",
    "shipped": "purchase", "delivered": "purchase", "fulfilled": "purchase",
    "Awaiting Shipment": "purchase", "Awaiting Fulfillment": "purchase",
    "pending": "other", "Pending payment": "other", "Awaiting Payment": "other",
    "unpaid": "other", "voided": "other", "cancelled": "other", "canceled": "other",
    "failed": "other", "declined": "other", "expired": "other",
    "refunded": "refund", "Refunded": "refund", "returned": "refund",
    "partially_refunded": "purchase", "Partially Refunded": "purchase",
    # French (PrestaShop)
    "Paiement accepté": "purchase", "Livré": "purchase", "Expédié": "purchase",
    "En cours de préparation": "purchase", "Annulé": "other", "Remboursé": "refund",
    "En attente de paiement par virement bancaire": "other", "En attente du paiement par chèque":
    "other", "Erreur de paiement": "other", "Remboursement partiel": "purchase",
    # German
    "Bezahlt": "purchase", "Versandt": "purchase", "Abgeschlossen": "purchase",
    "Storniert": "other", "Erstattet": "refund", "Zahlung ausstehend": "other",
    "Teilweise erstattet": "purchase",
    # Spanish
    "Pagado": "purchase", "Enviado": "purchase", "Completado": "purchase", "Entregado": "purchase",
    "Cancelado": "other", "Reembolsado": "refund", "Pendiente de pago": "other",
    # Chinese (Taobao, Tmall, JD, Pinduoduo)
    "交易成功": "purchase", "买家已付款，等待卖家发货": "purchase", "卖家已发货，等待买家确认": "purchase",
    "已发货": "purchase", "待发货": "purchase", "已完成": "purchase", "交易关闭": "other",
    "等待买家付款": "other", "已取消": "other", "退款成功": "refund", "已退款": "refund",
    "部分退款": "purchase",
}



def test_no_column_name_means_two_fields() -> None:
    owners: dict[str, set[str]] = defaultdict(set)
    for fld, names in COLUMN_SYNONYMS.items():
        assert fld in FIELDS
        for name in names:
            owners[normalize_name(name)].add(fld)
    clashes = {n: f for n, f in owners.items() if len(f) > 1}
    assert not clashes


def test_column_names_are_written_normalized() -> None:
    # A name that normalization changes could never match a header.
    for names in COLUMN_SYNONYMS.values():
        for name in names:
            assert normalize_name(name) == name, name


def test_no_event_word_means_two_events() -> None:
    owners: dict[str, set[str]] = defaultdict(set)
    for event, words in EVENT_VOCABULARY.items():
        assert event in EVENT_TYPES
        for word in words:
            owners[normalize_name(word)].add(event)
    assert not {w: e for w, e in owners.items() if len(e) > 1}


@pytest.mark.parametrize(
    ("word", "event"),
    [("page_view", "view"), ("view_item", "view"), ("select_item", "view"),
     ("add_to_cart", "cart"), ("remove_from_cart", "remove_cart"),
     ("add_to_wishlist", "favorite"), ("view_search_results", "search"), ("purchase", "purchase"),
     ("refund", "refund"), ("begin_checkout", "other"), ("Warenkorb", "cart"),
     ("achat", "purchase"), ("carrito", "cart"), ("Ansicht", "view"), ("收藏", "favorite")],
)
def test_event_words(word: str, event: str) -> None:
    assert canonical_event(word) == event


@pytest.mark.parametrize(("word", "meaning"), sorted(STATUS_EXAMPLES.items()))
def test_status_words_mean_what_they_say(word: str, meaning: str) -> None:
    assert status_meaning(word) == meaning


def test_unknown_status_is_none() -> None:
    assert status_meaning("zzz") is None
    assert status_meaning("") is None


def test_type_suffix_is_dropped() -> None:
    assert normalize_name("user_id:token") == "userid"
    assert normalize_name("timestamp:float") == "timestamp"
    assert normalize_name("N° client") == "nclient"
