"""Several intent networks from different random starts, averaged (``IntentConfig.seeds``): no
display, CPU only."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch
from sklearn.metrics import roc_auc_score

from engine.demo import generate_demo
from engine.intent import (
    EpochReport,
    IntentConfig,
    IntentResult,
    ModelDamaged,
    Note,
    configure_threads,
    explain_customer,
    load_checked_state,
    save_state,
    score_customers,
    train_intent,
)
from engine.intent.data_check import build_intent_data
from engine.intent.evaluate import average_serves, ensemble_figures, ensemble_words
from engine.intent.model import IntentEnsemble, IntentNet
from engine.intent.network import build_member, build_model, member_states, predict_logits
from engine.intent.weights import expected_shapes, plainly_sound
from engine.stats import Interval
from engine.tasks.intent import INTENT
from storage.runs import RunInfo

# Small and quick settings (behaviour, not quality); always_deep so the deep model's own
# scores serve and can be compared.
TINY = dict(preset="fast", epochs=2, hidden_size=16, seq_len=40, batch_size=128,
            always_deep=True)
PERIOD = "purchases 2025-10-29 to 2025-11-27"  # as of the end of the last day


@pytest.fixture(autouse=True, scope="module")
def _threads() -> None:
    configure_threads()


def run(events: pd.DataFrame, config: IntentConfig, **kw: object) -> tuple[list[object],
                                                                             IntentResult]:
    """Every item train_intent yields, and its result (fails if there is none)."""
    items = list(train_intent(events, config, **kw))  # type: ignore[arg-type]
    assert isinstance(items[-1], IntentResult)
    return items, items[-1]


@pytest.fixture(scope="module")
def small_demo() -> pd.DataFrame:
    return generate_demo(500, seed=3).events_frame()


@pytest.fixture(scope="module")
def three(small_demo: pd.DataFrame) -> tuple[list[object], IntentResult]:
    return run(small_demo, IntentConfig(**TINY, seeds=3))  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def one(small_demo: pd.DataFrame) -> IntentResult:
    return run(small_demo, IntentConfig(**TINY, seeds=1))[1]  # type: ignore[arg-type]


def _member_probs(events: pd.DataFrame, result: IntentResult, which: str) -> list[np.ndarray]:
    """Each member's probabilities on the validation (``which="valid"``) or scoring examples,
    each computed by a single network rebuilt from the saved weights."""
    cfg = IntentConfig(**TINY, seeds=3).resolved(events)  # type: ignore[arg-type]
    data = build_intent_data(events, cfg)
    ex = data.valid if which == "valid" else data.score
    out = []
    for state in member_states(result.state_dict):
        net = build_member(result.config)
        net.load_state_dict(state)
        logits = predict_logits(net, data.steps, ex, torch.device("cpu"))
        out.append(1.0 / (1.0 + np.exp(-logits)))
    return out


def test_the_average_of_the_logits_is_the_mean_probability() -> None:
    """IntentEnsemble returns the logit of its members' mean probability, even where a member
    is sure (a probability that rounds to 0 or 1)."""
    torch.manual_seed(0)
    conf = {"hidden_size": 4, "item_buckets": 16, "cat_buckets": 8, "word_buckets": 8,
            "members": 2}
    model = build_model(conf)
    assert isinstance(model, IntentEnsemble) and len(model.members) == 2
    assert isinstance(build_model({**conf, "members": 1}), IntentNet)
    logits = torch.tensor([[40.0, -40.0, 0.3, 2.0], [-3.0, -45.0, -1.2, 2.0]])

    class Fixed(torch.nn.Module):
        def __init__(self, row: torch.Tensor) -> None:
            super().__init__()
            self.row = row

        def forward(self, b: dict[str, torch.Tensor]) -> torch.Tensor:
            return self.row

    both = IntentEnsemble([Fixed(logits[0]), Fixed(logits[1])])  # type: ignore[list-item]
    got = torch.sigmoid(both({})).double()
    want = torch.sigmoid(logits.double()).mean(0)
    assert torch.isfinite(both({})).all()
    assert torch.allclose(got, want, atol=1e-6)


def test_three_seeds_train_three_networks_and_report_their_spread(
    small_demo: pd.DataFrame, three: tuple[list[object], IntentResult]
) -> None:
    items, result = three
    notes = [i.message for i in items if isinstance(i, Note)]
    assert [n.split(",")[0] for n in notes] == [f"Training model {i} of 3" for i in (1, 2, 3)]
    phases = [e.phase for e in result.history]
    assert {"model 1 of 3", "model 2 of 3", "model 3 of 3"} == set(phases)
    # The time left counts the models still to come, and ends at zero.
    epochs = [i for i in items if isinstance(i, EpochReport)]
    first = epochs[0]
    assert first.phase == "model 1 of 3" and first.epochs == 2
    assert first.eta_s == pytest.approx(5 * first.elapsed_s)  # 1 epoch + 2 models x 2 epochs
    second = next(e for e in epochs if e.phase == "model 2 of 3")
    assert second.eta_s > second.elapsed_s * (second.epochs - second.epoch)
    assert epochs[-1].phase == "model 3 of 3" and epochs[-1].eta_s == 0.0
    m = result.metrics["model"]
    aucs = [m[f"seed_auc_{i}"] for i in (1, 2, 3)]
    assert m["seeds"] == 3 and len(set(aucs)) == 3  # three different networks
    assert m["seed_auc_min"] == min(aucs) and m["seed_auc_max"] == max(aucs)
    assert m["seed_auc_sd"] == pytest.approx(float(np.std(aucs, ddof=1)))
    assert m["ensemble_gap_lo"] <= m["ensemble_gap"] <= m["ensemble_gap_hi"]
    # The average serves unless it is worse than the first model beyond noise.
    assert m["ensemble_serves"] == float(m["ensemble_gap_hi"] >= 0.0)
    assert m["ensemble_serves"] == 1.0, "on the demo the average is not worse than one model"

    # The saved weights hold the three members, and they give the reported figures again.
    assert result.config["members"] == 3
    assert {k.split(".")[1] for k in result.state_dict} == {"0", "1", "2"}
    assert all(k.startswith("members.") for k in result.state_dict)
    probs = _member_probs(small_demo, result, "valid")
    y = build_intent_data(
        small_demo, IntentConfig(**TINY, seeds=3).resolved(small_demo)  # type: ignore[arg-type]
    ).valid.label
    for i, p in enumerate(probs, start=1):
        assert roc_auc_score(y, p) == pytest.approx(m[f"seed_auc_{i}"], abs=1e-9)
    mean = np.mean(probs, axis=0)
    assert roc_auc_score(y, mean) == pytest.approx(m["ensemble_auc"], abs=1e-9)
    assert m["auc"] == pytest.approx(m["ensemble_auc"], abs=1e-9)  # the average serves
    assert m["ensemble_gap"] == pytest.approx(m["ensemble_auc"] - m["seed_auc_1"], abs=1e-9)

    # Every customer's served score is the mean of the three networks' probabilities.
    served = result.scores.set_index("customer_id")["score"]
    cfg = IntentConfig(**TINY).resolved(small_demo)  # type: ignore[arg-type]
    data = build_intent_data(small_demo, cfg)
    ids = data.steps.customer_ids[data.score.cust]
    each = _member_probs(small_demo, result, "score")
    np.testing.assert_allclose(served.loc[ids].to_numpy(), np.mean(each, axis=0), atol=1e-6)

    assert result.ensemble_note is not None and PERIOD in result.ensemble_note
    assert f"AUC {min(aucs):.3f} to {max(aucs):.3f}" in result.ensemble_note
    assert "so the average serves" in result.ensemble_note or "The average serves" in (
        result.ensemble_note)
    assert "average of 3" in result.model_name


def test_an_ensemble_reloads_scores_and_explains_like_one_model(
    small_demo: pd.DataFrame, three: tuple[list[object], IntentResult]
) -> None:
    result = three[1]
    blob = save_state(result.state_dict)
    state = load_checked_state(blob, result.config)
    again = score_customers(small_demo, state, result.config)
    pd.testing.assert_frame_equal(again, result.scores, atol=1e-6, rtol=0)
    top = int(result.scores["customer_id"].iloc[0])
    reasons = explain_customer(small_demo, top, state, result.config, top=3)
    assert 1 <= len(reasons) <= 3 and "point" in reasons[0].text

    # What both clients show: the note beside the others, the figures in the JSON.
    record = INTENT.record(result)
    view = INTENT.describe(RunInfo(1, "intent", "", record.status, True, record.settings,
                                   record.history, record.metrics, record.summary, 0.0, False))
    assert result.ensemble_note is not None and result.ensemble_note in view.notes
    assert result.ensemble_note in view.text
    seeds = view.data["seeds"]
    m = result.metrics["model"]
    assert seeds["models"] == 3 and seeds["auc"] == [m[f"seed_auc_{i}"] for i in (1, 2, 3)]
    assert seeds["average_auc"] == m["ensemble_auc"] and seeds["average_serves"] is True


def test_the_weights_check_accepts_an_ensemble_and_refuses_damage(
    three: tuple[list[object], IntentResult],
) -> None:
    result = three[1]
    blob = save_state(result.state_dict)
    real = {k: tuple(v.shape) for k, v in result.state_dict.items()}
    assert expected_shapes(result.config) == real
    assert plainly_sound(blob, result.config)
    truncated = blob[: len(blob) // 2]
    assert not plainly_sound(truncated, result.config)
    with pytest.raises(ModelDamaged):
        load_checked_state(truncated, result.config)
    # Settings that say fewer members than the weights hold, or an absurd count, are refused.
    for members in (2, 1):
        wrong = {**result.config, "members": members}
        assert not plainly_sound(blob, wrong)
        with pytest.raises(ModelDamaged):
            load_checked_state(blob, wrong)
    for members in (0, 6, 1000, True, 2.5):
        with pytest.raises(ModelDamaged):
            load_checked_state(blob, {**result.config, "members": members})


def test_one_seed_trains_exactly_the_first_member(
    one: IntentResult, three: tuple[list[object], IntentResult]
) -> None:
    """seeds=1 is the model before ensembles; the first member of three is trained the same
    way (the seed, then seed + 1, ...), so their weights are equal bit for bit."""
    result = three[1]
    assert "members" not in "".join(one.state_dict) and one.config["members"] == 1
    assert one.ensemble_note is None and "seeds" not in one.metrics["model"]
    assert {e.phase for e in one.history} == {"fit"}
    first = member_states(result.state_dict)[0]
    assert set(first) == set(one.state_dict)
    assert all(torch.equal(first[k], one.state_dict[k]) for k in first)
    assert one.metrics["model"]["auc"] == result.metrics["model"]["seed_auc_1"]


def test_warm_start_continues_each_member(
    small_demo: pd.DataFrame, one: IntentResult, three: tuple[list[object], IntentResult]
) -> None:
    """Member i continues from the previous run's member i; a member the previous run lacks
    starts fresh."""
    still = dict(TINY, epochs=1, learning_rate=1e-12)
    # One model into two: the first continues, the second starts from scratch (and so ranks
    # buyers far worse: nearly untrained).
    _, two = run(small_demo, IntentConfig(**still, seeds=2),  # type: ignore[arg-type]
                 init_state=one.state_dict)
    m = two.metrics["model"]
    assert m["seed_auc_1"] == pytest.approx(one.metrics["model"]["auc"], abs=1e-4)
    assert m["seed_auc_2"] < m["seed_auc_1"] - 0.02
    first = member_states(two.state_dict)[0]
    w = "rnn.weight_hh_l0"
    assert torch.allclose(first[w], one.state_dict[w], atol=1e-6)
    # Three into one: the single model continues from the first member.
    _, single = run(small_demo, IntentConfig(**still, seeds=1),  # type: ignore[arg-type]
                    init_state=three[1].state_dict)
    assert torch.allclose(single.state_dict[w], member_states(three[1].state_dict)[0][w],
                          atol=1e-6)


def test_a_stop_during_the_second_model_keeps_the_first(small_demo: pd.DataFrame) -> None:
    seen: list[object] = []

    def stop_in_second() -> bool:
        return any(isinstance(r, EpochReport) and r.phase == "model 2 of 3" for r in seen)

    for item in train_intent(small_demo, IntentConfig(**TINY, seeds=3),  # type: ignore[arg-type]
                             should_stop=stop_in_second):
        seen.append(item)
    result = seen[-1]
    assert isinstance(result, IntentResult) and result.stopped
    assert result.config["members"] == 1 and result.ensemble_note is None
    assert not any(k.startswith("members.") for k in result.state_dict)
    assert "model 3 of 3" not in {e.phase for e in result.history}


def test_the_average_of_noisy_models_ranks_better_and_the_note_says_so() -> None:
    """On made-up scores: five models that each see the truth through their own noise. Their
    average cancels much of the noise, so it ranks buyers better beyond noise."""
    rng = np.random.default_rng(1)
    y = (rng.random(3000) < 0.3).astype(np.float64)
    truth = y + rng.normal(0, 1.0, len(y))
    members = [1 / (1 + np.exp(-(truth + rng.normal(0, 1.5, len(y))))) for _ in range(5)]
    figures = ensemble_figures(y, members, seed=0)
    assert figures["ensemble_auc"] > figures["seed_auc_max"]
    assert figures["ensemble_gap_lo"] > 0 and figures["ensemble_serves"] == 1.0
    text = ensemble_words(figures, PERIOD)
    assert text.startswith("5 models") and "ranks buyers better" in text
    assert "so the average serves" in text and PERIOD in text

    # The same model five times: no spread, no gain; about as good, and the average serves.
    same = ensemble_figures(y, [members[0]] * 5, seed=0)
    assert same["seed_auc_sd"] == 0.0 and same["ensemble_gap"] == pytest.approx(0.0, abs=1e-12)
    words = ensemble_words(same, PERIOD)
    assert "about as well as the first model" in words and "The average serves" in words

    # Worse beyond noise: the first model serves.
    worse = dict(figures, ensemble_gap=-0.02, ensemble_gap_lo=-0.03, ensemble_gap_hi=-0.01)
    assert "so the first model serves" in ensemble_words(worse, PERIOD)
    assert not average_serves(Interval(-0.02, -0.03, -0.01))
    assert average_serves(Interval(0.001, -0.004, 0.009))
    assert average_serves(Interval(0.008, 0.002, 0.014))


def test_seeds_are_bounded() -> None:
    events = generate_demo(60, seed=5).events_frame()
    for bad in (0, 6):
        with pytest.raises(ValueError, match="seeds"):
            IntentConfig(seeds=bad).resolved(events)
    assert IntentConfig(preset="fast").resolved(events).seeds == 1


def test_the_final_fit_on_all_periods_refits_every_serving_member(
    small_demo: pd.DataFrame, three: tuple[list[object], IntentResult]
) -> None:
    items, result = run(small_demo, IntentConfig(**TINY, seeds=3, refit_all=True))  # type: ignore[arg-type]
    validated = three[1]
    # The validation figures are those of the same three networks before the final fit.
    for key in ("seed_auc_1", "seed_auc_2", "seed_auc_3", "ensemble_auc"):
        assert result.metrics["model"][key] == validated.metrics["model"][key]
    refits = [e for e in result.history if e.phase == "refit"]
    serving = int(result.config["members"])  # type: ignore[call-overload]
    assert serving == 3
    notes = [i.message for i in items if isinstance(i, Note)]
    assert [n for n in notes if n.startswith("Final fit")] == [
        f"Final fit on all periods: model {i} of 3." for i in (1, 2, 3)]
    # Each member refits for the epochs its validation chose (1 or 2 here), one pass each.
    assert sum(e.epoch == 1 for e in refits) == 3 and 3 <= len(refits) <= 6
    # Refitted weights differ from the validated ones, and they are what scores the customers.
    w = "members.1.rnn.weight_hh_l0"
    assert not torch.allclose(result.state_dict[w], validated.state_dict[w])
    pd.testing.assert_frame_equal(
        score_customers(small_demo, result.state_dict, result.config), result.scores,
        atol=1e-6, rtol=0)
