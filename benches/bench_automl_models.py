#!/usr/bin/env python
"""quantumpanarchy.automl's models against scikit-learn's with the same hyper-parameters, on the
same data, measured in one process: ``fit`` and ``predict`` of each, on scikit-learn's bundled data
sets (standardised), enlarged by stacking copies with a little noise so that a fit takes
milliseconds rather than microseconds.

Each row keeps the best of ``--rounds`` runs, ours and scikit-learn's taking turns; the ratio is
scikit-learn's time over ours. Before timing, the script checks that both models score the same
on held-out rows (within a point).

Run ``python benches/bench_automl_models.py [--quick] [--rounds R]``.
"""

from __future__ import annotations

import argparse
import functools
import time
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
from quantumpanarchy import automl
from sklearn import datasets, ensemble, naive_bayes, neighbors, neural_network, tree
from sklearn import linear_model as lm
from sklearn.preprocessing import StandardScaler


def enlarged(loader: Callable[..., Any], copies: int) -> tuple[Any, Any]:
    X, y = loader(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    rng = np.random.default_rng(0)
    big = np.vstack([X + rng.normal(0, 0.05, X.shape) for _ in range(copies)])
    return big, np.tile(y, copies)


def best(rounds: int, fns: dict[str, Callable[[], Any]]) -> dict[str, float]:
    out = dict.fromkeys(fns, float("inf"))
    for _ in range(rounds):
        for name, fn in fns.items():
            t = time.perf_counter()
            fn()
            out[name] = min(out[name], time.perf_counter() - t)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args()
    copies = 2 if args.quick else 10
    rounds = 2 if args.quick else args.rounds
    warnings.simplefilter("ignore")  # both sides warn alike when max_iter runs out
    diabetes = enlarged(datasets.load_diabetes, copies * 4)
    digits = enlarged(datasets.load_digits, copies)
    cancer = enlarged(datasets.load_breast_cancer, copies * 2)
    # the networks' target standardised too (Adam's steps are of the order of learning_rate_init),
    # and the regressor regularised enough to settle within max_iter, whatever its initial weights
    diabetes_std = (diabetes[0], (diabetes[1] - diabetes[1].mean()) / diabetes[1].std())
    mlp: dict[str, Any] = {"hidden_layer_sizes": (64,), "random_state": 0}
    cases: list[tuple[str, Any, Any, tuple[Any, Any]]] = [
        ("LinearRegression", automl.LinearRegression(), lm.LinearRegression(), diabetes),
        ("Ridge(alpha=1)", automl.Ridge(alpha=1.0), lm.Ridge(alpha=1.0), diabetes),
        ("Lasso(alpha=0.1)", automl.Lasso(alpha=0.1), lm.Lasso(alpha=0.1), diabetes),
        ("ElasticNet(0.01, 0.5)", automl.ElasticNet(alpha=0.01), lm.ElasticNet(alpha=0.01), diabetes),
        ("Logistic binary", automl.LogisticRegression(), lm.LogisticRegression(), cancer),
        ("Logistic 10 classes", automl.LogisticRegression(), lm.LogisticRegression(), digits),
        ("GaussianNB", automl.GaussianNB(), naive_bayes.GaussianNB(), digits),
        ("KNeighborsClassifier", automl.KNeighborsClassifier(), neighbors.KNeighborsClassifier(), digits),
        ("KNeighborsRegressor", automl.KNeighborsRegressor(), neighbors.KNeighborsRegressor(), diabetes),
        # the forests: scikit-learn with n_jobs=-1, so that both sides use every core
        (
            "DecisionTreeClassifier",
            automl.DecisionTreeClassifier(random_state=0),
            tree.DecisionTreeClassifier(random_state=0),
            digits,
        ),
        (
            "RandomForestClassifier",
            automl.RandomForestClassifier(n_estimators=100, random_state=0),
            ensemble.RandomForestClassifier(n_estimators=100, random_state=0, n_jobs=-1),
            digits,
        ),
        (
            "ExtraTreesRegressor",
            automl.ExtraTreesRegressor(n_estimators=100, random_state=0),
            ensemble.ExtraTreesRegressor(n_estimators=100, random_state=0, n_jobs=-1),
            diabetes,
        ),
        # both boosters use every core (scikit-learn's OpenMP default threads, our rayon pool);
        # early stopping off on both so that each grows all 100 iterations
        (
            "HistGB classifier",
            automl.HistGradientBoostingClassifier(early_stopping=False),
            ensemble.HistGradientBoostingClassifier(early_stopping=False),
            digits,
        ),
        (
            "HistGB regressor",
            automl.HistGradientBoostingRegressor(early_stopping=False),
            ensemble.HistGradientBoostingRegressor(early_stopping=False),
            diabetes,
        ),
        (
            "MLPClassifier (64,)",
            automl.MLPClassifier(max_iter=10, **mlp),
            neural_network.MLPClassifier(max_iter=10, **mlp),
            digits,
        ),
        (
            "MLPRegressor (64,)",
            automl.MLPRegressor(max_iter=20, learning_rate_init=0.01, alpha=3.0, **mlp),
            neural_network.MLPRegressor(max_iter=20, learning_rate_init=0.01, alpha=3.0, **mlp),
            diabetes_std,
        ),
    ]
    # one fully grown tree breaks ties between equal splits by each side's random feature order,
    # which moves one split's score by about a point (tests/test_automl_trees.py compares means)
    tolerance = {"DecisionTreeClassifier": 0.03}
    print(f"best of {rounds}; ratio = scikit-learn time / ours")
    print(
        f"{'model':<22} {'rows':>6} {'cols':>4} | {'fit ours':>9} {'sklearn':>9} {'ratio':>6} |"
        f" {'predict':>8} {'sklearn':>8} {'ratio':>6} | score diff"
    )
    ratios = []
    for name, ours, theirs, (X, y) in cases:
        half = len(X) // 2
        ours.fit(X[:half], y[:half])
        theirs.fit(X[:half], y[:half])
        diff = abs(ours.score(X[half:], y[half:]) - theirs.score(X[half:], y[half:]))
        assert diff <= tolerance.get(name, 0.01), (name, diff)
        fit = best(rounds, {"ours": functools.partial(ours.fit, X, y), "theirs": functools.partial(theirs.fit, X, y)})
        pred = best(
            rounds, {"ours": functools.partial(ours.predict, X), "theirs": functools.partial(theirs.predict, X)}
        )
        rf, rp = fit["theirs"] / fit["ours"], pred["theirs"] / pred["ours"]
        ratios += [rf, rp]
        print(
            f"{name:<22} {X.shape[0]:>6} {X.shape[1]:>4} | {fit['ours'] * 1e3:>7.2f}ms {fit['theirs'] * 1e3:>7.2f}ms"
            f" {rf:>5.1f}x | {pred['ours'] * 1e3:>6.2f}ms {pred['theirs'] * 1e3:>6.2f}ms {rp:>5.1f}x | {diff:.4f}"
        )
    print(f"geometric mean of the ratios: {float(np.exp(np.mean(np.log(ratios)))):.2f}x")


if __name__ == "__main__":
    main()
