"""The Segments page's words: how the segments were found, and what sets one segment apart.

Translated under the page's context ("SegmentsPage"), where these words have always been.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from html import escape
from typing import Any

from PySide6.QtCore import QCoreApplication

from engine.dates import day
from engine.words import join_sentences
from storage.runs import RunInfo

translate = QCoreApplication.translate


def method_words(run: RunInfo) -> str:
    """How the segments were found and how far to trust them, in plain words."""
    m = run.metrics
    method = str(m.get("method", "features"))
    other = "autoencoder" if method == "features" else "features"
    names = {
        "features": translate("SegmentsPage", "k-means on the behavior features"),
        "autoencoder": translate(
            "SegmentsPage", "k-means on the customer profiles learned by the autoencoder"
        ),
    }
    others = {
        "features": translate("SegmentsPage", "the plain behavior features"),
        "autoencoder": translate("SegmentsPage", "the autoencoder profiles"),
    }
    comp = m.get("comparison", {})
    mine, theirs = comp.get(method, {}), comp.get(other, {})
    why = ""
    if str(run.settings.get("method", "auto")) != "auto":
        why = translate("SegmentsPage", " (chosen in the settings)")
    elif mine and theirs:
        a, b = float(mine["stability_ari"]), float(theirs["stability_ari"])
        if abs(a - b) > 0.02:
            why = translate(
                "SegmentsPage", " (more stable than {0} here: {1:.2f} vs {2:.2f})"
            ).format(others[other], a, b)
        else:
            why = translate(
                "SegmentsPage",
                " (as stable as {0} here, {1:.2f} vs {2:.2f}, and better "
                "separated: silhouette {3:.2f} vs {4:.2f})",
            ).format(
                others[other], a, b, float(mine["silhouette"]), float(theirs["silhouette"])
            )
    ari = float(m.get("stability_ari", math.nan))
    sil = float(m.get("silhouette", math.nan))
    if ari >= 0.9:
        stable = translate(
            "SegmentsPage",
            "very stable: a second training puts nearly everyone in the same segment",
        )
    elif ari >= 0.7:
        stable = translate(
            "SegmentsPage", "fairly stable: a second training moves some customers"
        )
    else:
        stable = translate(
            "SegmentsPage",
            "unstable: a second training moves many customers, so treat the borders loosely",
        )
    if sil >= 0.5:
        apart = translate("SegmentsPage", "clearly apart")
    elif sil >= 0.25:
        apart = translate("SegmentsPage", "apart, with some overlap at the edges")
    else:
        apart = translate("SegmentsPage", "overlapping: the borders between them are soft")
    text = translate(
        "SegmentsPage",
        "Segments found by {0}{1}. Stability {2:.2f} (1 = identical): {3}. "
        "Silhouette {4:.2f} (-1 to 1): the segments are {5}.",
    ).format(names.get(method, method), why, ari, stable, sil, apart)
    text = join_sentences(text, translate("SegmentsPage", "{0:,} customers, behavior up to {1}.").format(
        int(m.get("customers", 0)), day(run.settings.get("as_of_ms"))
    ))
    if not any(s.get("avg_intent") is not None for s in m.get("segments", [])):
        text = join_sentences(text, translate(
            "SegmentsPage",
            "Average intent appears once a purchase-intent model is "
            "trained (then train the profiles again).",
        ))
    return str(text)


def segment_html(seg: dict[str, Any], item_label: Callable[[str], str]) -> str:
    """A segment's description as a list of its traits, then its most bought items (named by
    ``item_label``), as rich text."""
    body = str(seg["description"]).removeprefix(str(seg["name"]) + " — ")
    parts = [p.strip() for p in body.split(";") if p.strip()]
    html = (
        "<ul style='margin-left:-24px; margin-top:0'>"
        + "".join(f"<li>{escape(p, quote=False)}</li>" for p in parts)
        + "</ul>"
    )
    items = seg.get("top_items") or []
    if items:
        html += translate("SegmentsPage", "Most bought: {0}").format(
            escape(", ".join(item_label(str(i)) for i, _n in items[:5]), quote=False)
        )
    return html
