"""Expected spend over the next H days: the chance to buy (gradient boosting) × the spend of a
buyer (gradient boosting on the log of it), with the range of the mixture: P10 is 0 while the
chance not to buy is over 10%, and otherwise the buyer's spend at the matching quantile of the
out-of-fold errors."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

F64 = npt.NDArray[np.float64]


@dataclass
class SpendFit:
    """The two fitted models and the buyers' out-of-fold log errors (sorted)."""

    buy: object
    amount: object | None
    residuals: F64
    fallback_log: float


def fit_spend(x: pd.DataFrame, spend: F64, seed: int) -> SpendFit:
    """Fit P(buy) on everyone and log spend on the buyers of the label window."""
    from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
    from sklearn.model_selection import cross_val_predict
    from threadpoolctl import threadpool_limits

    bought = spend > 0
    with threadpool_limits(limits=1, user_api="openmp"):
        buy = HistGradientBoostingClassifier(max_iter=150, learning_rate=0.06,
                                             min_samples_leaf=30, random_state=seed)
        if bought.all() or not bought.any():
            buy = _Constant(float(bought.mean()))
        else:
            buy.fit(x, bought)
        target = np.log1p(spend[bought])
        amount = None
        residuals = np.zeros(1)
        if bought.sum() >= 20:
            amount = HistGradientBoostingRegressor(max_iter=120, learning_rate=0.06,
                                                   min_samples_leaf=20, random_state=seed)
            folds = min(5, int(bought.sum()) // 10)
            oof = cross_val_predict(amount, x[bought], target, cv=max(folds, 2))
            residuals = np.sort(target - oof)
            amount.fit(x[bought], target)
    fallback = float(target.mean()) if bought.any() else 0.0
    return SpendFit(buy, amount, residuals, fallback)


class _Constant:
    def __init__(self, p: float) -> None:
        self.p = p

    def predict_proba(self, x: pd.DataFrame) -> F64:
        return np.column_stack([np.full(len(x), 1 - self.p), np.full(len(x), self.p)])


def predict_spend(fit: SpendFit, x: pd.DataFrame) -> dict[str, F64]:
    """Per row: ``p_buy``, ``expected`` (mean), ``p10``, ``p90`` of the spend."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1, user_api="openmp"):
        p = fit.buy.predict_proba(x)[:, 1]  # type: ignore[attr-defined]
        log_pred = (fit.amount.predict(x) if fit.amount is not None  # type: ignore[attr-defined]
                    else np.full(len(x), fit.fallback_log))
    r = fit.residuals
    smear = float(np.mean(np.exp(r)))
    if_buying = np.maximum(np.exp(log_pred) * smear - 1.0, 0.0)

    def quantile(q: float) -> F64:
        z = np.where(p > 0, (q - (1 - p)) / np.maximum(p, 1e-12), 0.0)
        rz = np.quantile(r, np.clip(z, 0.0, 1.0))
        return np.where(q <= 1 - p, 0.0, np.maximum(np.expm1(log_pred + rz), 0.0))

    return {"p_buy": p, "expected": p * if_buying, "p10": quantile(0.1), "p90": quantile(0.9)}


def _churn_inputs(x: pd.DataFrame) -> F64:
    """Log-scaled features (unknown: -1 before the log, i.e. 0): counts and days spread over
    orders of magnitude, and a linear model reads their logs best."""
    return np.asarray(np.log1p(x.fillna(-1.0).clip(lower=0.0)), dtype=np.float64)


def fit_churn(x: pd.DataFrame, churned: npt.NDArray[np.bool_], seed: int
              ) -> tuple[F64, object]:
    """A churn classifier (no purchase in the window) on the buyers at the check's cut-off: a
    logistic regression on the logs of the features (it measured better than boosting on a
    few thousand buyers). Returns its out-of-fold probabilities (each customer scored by a
    model that never saw them) and the model fitted on all of them."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import cross_val_predict
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))
    inputs = _churn_inputs(x)
    oof = cross_val_predict(model, inputs, churned, cv=5, method="predict_proba")[:, 1]
    model.fit(inputs, churned)
    return np.asarray(oof, dtype=np.float64), model


def predict_churn(model: object, x: pd.DataFrame) -> F64:
    """Churn probabilities of customers (rows of ``x``)."""
    return np.asarray(model.predict_proba(_churn_inputs(x))[:, 1],  # type: ignore[attr-defined]
                      dtype=np.float64)
