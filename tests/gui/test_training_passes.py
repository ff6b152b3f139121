"""The live and saved training curves draw each pass of training (several models from
different random starts, the final fit) as its own line, never one drawn back across the plot."""

from __future__ import annotations

import math

from engine.tasks.base import Progress, RunView, Series
from gui.tasks.curves import TrainingCurves


def _gaps(ys: object) -> int:
    return sum(1 for y in ys if not math.isfinite(float(y)))  # type: ignore[attr-defined]


def test_each_pass_is_its_own_line(qtbot):  # type: ignore[no-untyped-def]
    curves = TrainingCurves()
    qtbot.addWidget(curves)
    for phase in ("model 1 of 2", "model 2 of 2"):
        for epoch in (1, 2, 3):
            curves.add(Progress("intent", "batch", phase=phase, epoch=epoch, batch=1, batches=1,
                                losses={"train": 0.7 - 0.01 * epoch}))
            curves.add(Progress("intent", "epoch", phase=phase, epoch=epoch, epochs=3,
                                losses={"train": 0.7 - 0.01 * epoch, "valid": 0.6},
                                metrics={"valid_auc": 0.7 + 0.01 * epoch}))
    train_x, train_y = curves.loss_curves[0].getData()
    assert list(train_x) == [1, 2, 3, 1, 1, 2, 3] and _gaps(train_y) == 1
    assert _gaps(curves.extra_curves[0].getData()[1]) == 1
    assert _gaps(curves.batch_curve.getData()[1]) == 1
    # One pass: one unbroken line, as before.
    curves.show_view(RunView(task="intent", run_id=1, headline="", verdict="",
                             losses=[Series("training", [1.0, 2.0, 3.0], [0.6, 0.5, 0.4])]), "")
    assert _gaps(curves.loss_curves[0].getData()[1]) == 0
    # A saved run of two passes: two lines again.
    curves.show_view(RunView(task="intent", run_id=2, headline="", verdict="",
                             losses=[Series("training", [1.0, 2.0, 1.0, 2.0],
                                            [0.6, 0.5, 0.62, 0.51])]), "")
    x, y = curves.loss_curves[0].getData()
    assert list(x) == [1, 2, 1, 1, 2] and _gaps(y) == 1
