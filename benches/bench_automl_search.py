#!/usr/bin/env python
"""PBitAutoML against FLAML: held-out score versus time budget, the same budgets and data for
both, measured in one process (both use every core).

Data: scikit-learn's bundled breast cancer, wine, digits (accuracy) and diabetes (r2), 30% held
out (stratified for classification). For each budget, each library searches on the training
part and its refitted best model is scored on the held-out part; ``diff`` is ours minus
FLAML's (positive: ours is better).

Run ``python benches/bench_automl_search.py [--quick]``.
"""

from __future__ import annotations

import argparse
import importlib
import time
import warnings
from typing import Any

import numpy as np
from quantumpanarchy import automl
from sklearn import datasets
from sklearn.metrics import accuracy_score, r2_score
from sklearn.model_selection import train_test_split

CASES = {
    "breast_cancer": (datasets.load_breast_cancer, "classification"),
    "wine": (datasets.load_wine, "classification"),
    "digits": (datasets.load_digits, "classification"),
    "diabetes": (datasets.load_diabetes, "regression"),
}


def score(task: str, truth: Any, pred: Any) -> float:
    return float(accuracy_score(truth, pred) if task == "classification" else r2_score(truth, pred))


def ours(X: Any, y: Any, task: str, budget: float) -> tuple[Any, int, str]:
    engine = automl.PBitAutoML(task).fit(X, y, time_budget=budget, seed=0)
    assert engine.result_ is not None
    return engine, len(engine.result_.leaderboard), engine.best_estimator


def flaml_fit(X: Any, y: Any, task: str, budget: float) -> tuple[Any, int, str]:
    flaml: Any = importlib.import_module("flaml")  # typed as Any: its AutoML is not re-exported for mypy
    model = flaml.AutoML()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.fit(X, y, task=task, time_budget=budget, seed=0, verbose=0, n_jobs=-1)
    return model, len(model.config_history), str(model.best_estimator)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--quick", action="store_true", help="budgets of 1 and 4 seconds only")
    args = ap.parse_args()
    budgets = [1.0, 4.0] if args.quick else [1.0, 4.0, 16.0]
    print(
        f"{'data':<14} {'budget':>6} | {'ours':>7} {'trials':>6} {'best':<11} | {'FLAML':>7} {'trials':>6} "
        f"{'best':<11} | {'diff':>7}"
    )
    diffs = []
    for name, (loader, task) in CASES.items():
        X, y = loader(return_X_y=True)
        X_tr, X_te, y_tr, y_te = train_test_split(
            X, y, test_size=0.3, random_state=0, stratify=y if task == "classification" else None
        )
        for budget in budgets:
            t = time.perf_counter()
            a, a_trials, a_best = ours(X_tr, y_tr, task, budget)
            a_time = time.perf_counter() - t
            b, b_trials, b_best = flaml_fit(X_tr, y_tr, task, budget)
            sa, sb = score(task, y_te, a.predict(X_te)), score(task, y_te, b.predict(X_te))
            diffs.append(sa - sb)
            print(
                f"{name:<14} {budget:>5.0f}s | {sa:>7.4f} {a_trials:>6} {a_best:<11} | {sb:>7.4f} {b_trials:>6} "
                f"{b_best:<11} | {sa - sb:>+7.4f}   (ours took {a_time:.1f} s)"
            )
    print(f"mean difference (ours - FLAML): {float(np.mean(diffs)):+.4f}; worst {min(diffs):+.4f}")


if __name__ == "__main__":
    main()
