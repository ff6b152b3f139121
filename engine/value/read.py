"""What ``lookup --json`` and ``export scores`` add from the active customer-value run: the
expected spend and its range, the next purchase date, the churn risk and its band (a contract:
keep the keys stable). Every key is there, ``None`` without a value run or a prediction."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from engine.value.config import churn_band
from storage.project import Project
from storage.runs import active_run, one_customer_outputs, run_outputs

if TYPE_CHECKING:  # the frames import pandas; one customer's values (lookup) need none
    import pandas as pd

TASK = "value"
#: The keys and columns, in order.
VALUE_KEYS = ("expected_spend", "expected_spend_p10", "expected_spend_p90", "next_purchase",
              "churn_risk", "churn_band")
_NAMES = ("expected_spend", "expected_spend_p10", "expected_spend_p90", "next_purchase_ms",
          "churn_risk")


def _date(ms: float) -> str | None:
    if ms != ms:
        return None
    return datetime.fromtimestamp(float(ms) / 1000, UTC).date().isoformat()


def _round(v: float) -> float | None:
    return None if v != v else round(float(v), 4)


def value_frame(project: Project) -> pd.DataFrame:
    """``VALUE_KEYS`` per customer id (index) from the active value run (empty without one)."""
    import numpy as np
    import pandas as pd

    run = active_run(project, TASK)
    if run is None:
        return pd.DataFrame(columns=list(VALUE_KEYS))
    out = run_outputs(project, run.id, names=_NAMES)
    churn = out["churn_risk"].to_numpy(dtype=np.float64)
    return pd.DataFrame({
        "expected_spend": out["expected_spend"].to_numpy(dtype=np.float64),
        "expected_spend_p10": out["expected_spend_p10"].to_numpy(dtype=np.float64),
        "expected_spend_p90": out["expected_spend_p90"].to_numpy(dtype=np.float64),
        "next_purchase": [_date(v) for v in out["next_purchase_ms"].tolist()],
        "churn_risk": churn,
        "churn_band": [churn_band(v) or None for v in churn.tolist()],
    }, index=out["customer_id"].to_numpy(dtype=np.int64))


def value_json(project: Project, customer_id: int | None) -> dict[str, Any]:
    """One customer's ``VALUE_KEYS`` (all None without a value run or prediction)."""
    found: dict[str, Any] = dict.fromkeys(VALUE_KEYS)
    run = active_run(project, TASK)
    if run is None or customer_id is None:
        return found
    r = one_customer_outputs(project, run.id, customer_id, _NAMES)
    if r is None:
        return found
    for key in ("expected_spend", "expected_spend_p10", "expected_spend_p90", "churn_risk"):
        found[key] = _round(float(r[key]))
    found["next_purchase"] = _date(float(r["next_purchase_ms"]))
    found["churn_band"] = churn_band(float(r["churn_risk"])) or None
    return found


def campaign_spend(project: Project, horizon_days: int | None) -> pd.DataFrame | None:
    """The value run's expected spend and range (``expected_spend``, ``_low``, ``_high`` by
    customer id) for the Campaign page, when it can stand in for intent × order value: an
    active value run over the same horizon whose spend check beat the customers' own past spend
    rate (the paired interval excludes zero). None otherwise."""
    import numpy as np
    import pandas as pd

    run = active_run(project, TASK)
    if run is None or horizon_days is None:
        return None
    if run.settings.get("horizon_days") != horizon_days:
        return None
    gap = run.metrics.get("spend", {}).get("versus_shrunk_mean")
    if not (isinstance(gap, list) and len(gap) == 3 and gap[1] == gap[1] and gap[1] > 0):
        return None
    out = run_outputs(project, run.id, names=_NAMES[:3])
    return pd.DataFrame({
        "expected_spend": out["expected_spend"].to_numpy(dtype=np.float64),
        "expected_spend_low": out["expected_spend_p10"].to_numpy(dtype=np.float64),
        "expected_spend_high": out["expected_spend_p90"].to_numpy(dtype=np.float64),
    }, index=out["customer_id"].to_numpy(dtype=np.int64))
