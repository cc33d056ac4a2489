"""SOCEngine: avalanches as runs of above-threshold changes, the branching ratio, the fitted size
exponent, the criticality index and transition probability as documented, the rolling window,
pickling and bad input."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
from quantumpanarchy.cas import Avalanche, PowerLawFit, SOCEngine
from quantumpanarchy.exceptions import InvalidInputError


def test_avalanches_by_hand() -> None:
    e = SOCEngine(avalanche_threshold=0.05, max_history=100)
    e.update_batch([0.01, 0.1, -0.2, 0.0, 0.06, 0.01, -0.07, 0.08, 0.09])
    avs = e.avalanches()
    assert [(a.start, a.duration) for a in avs] == [(1, 2), (4, 1), (6, 3)]
    assert avs[0].size == pytest.approx(0.3) and avs[2].size == pytest.approx(0.24)
    assert e.get_avalanches(limit=2) == [avs[0], avs[2]]
    assert isinstance(avs[0], Avalanche) and avs[0].to_dict()["duration"] == 2
    # events 1,2,4,6,7,8; followed-by-event among those with a successor: 1→2, 6→7, 7→8 of 1,2,4,6,7
    assert e.branching_ratio() == pytest.approx(3 / 5)
    # latest change is an event: (event→event + 1) / (event→any + 2)
    assert e.predict_transition_probability() == pytest.approx((3 + 1) / (5 + 2))
    # fewer than 10 avalanches: the index is the branching term alone
    assert np.isnan(e.avalanche_exponent())
    assert e.get_criticality_index() == pytest.approx(1 - abs(3 / 5 - 1))


def test_criticality_index_definition_and_window() -> None:
    rng = np.random.default_rng(3)
    x = rng.standard_t(2.5, 3000) * 0.02
    e = SOCEngine(avalanche_threshold=0.02, max_history=2000)
    for v in x[:10]:
        e.update(float(v))
    e.update_batch(x[10:])
    h = e.history
    np.testing.assert_array_equal(h, x[-2000:])
    sizes = np.array([a.size for a in e.avalanches()])
    tau = PowerLawFit(sizes, xmin=float(sizes.min())).alpha
    assert e.avalanche_exponent() == tau
    sigma = e.branching_ratio()
    want = 0.5 * (max(0, 1 - abs(sigma - 1)) + max(0, 1 - abs(tau - 1.5) / 1.5))
    assert e.get_criticality_index() == pytest.approx(want)
    assert 0.0 <= e.predict_transition_probability() <= 1.0
    back = pickle.loads(pickle.dumps(e))
    assert back.get_criticality_index() == e.get_criticality_index()
    assert "SOCEngine(" in repr(e)
    e.reset()
    assert e.get_criticality_index() == 0.0 and e.predict_transition_probability() == 0.5


def test_bad_input() -> None:
    with pytest.raises(InvalidInputError):
        SOCEngine(avalanche_threshold=-1)
    with pytest.raises(InvalidInputError):
        SOCEngine(max_history=1)
    e = SOCEngine()
    with pytest.raises(InvalidInputError):
        e.update(float("nan"))
    with pytest.raises(InvalidInputError):
        e.update_batch([1.0, np.inf])
    with pytest.raises(InvalidInputError):
        e.get_avalanches(limit=-1)
