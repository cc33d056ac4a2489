"""``indicators_many``: one TA-Lib indicator over many symbols."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from typing import Any

from .._signal import indicators as _indicators
from ..exceptions import InvalidInputError, InvalidTypeError
from .cluster import check_client, chunks, processes_on_host, size_pool, worker_threads


def _indicator_task(
    name: str, symbols: list[tuple[Any, Any]], params: dict[str, Any], processes_on_host: Mapping[str, int]
) -> list[tuple[Any, Any]]:
    size_pool(processes_on_host)
    fn, inputs = _indicator(name)
    return [(symbol, _apply(fn, inputs, symbol, value, params)) for symbol, value in symbols]


def _columns_task(name: str, block: Any, params: dict[str, Any], processes_on_host: Mapping[str, int]) -> Any:
    size_pool(processes_on_host)
    fn, _ = _indicator(name)
    return fn(block, **params)


def _indicator(name: Any) -> tuple[Callable[..., Any], list[str]]:
    """The indicator function called ``name`` and the names of its array inputs."""
    if not isinstance(name, str):
        raise InvalidTypeError(f"name must be an indicator's name (a str), got {type(name).__name__}")
    if name not in _indicators.__all__:
        raise InvalidInputError(f"unknown indicator {name!r}; the indicators are {', '.join(_indicators.__all__)}")
    fn: Callable[..., Any] = getattr(_indicators, name)
    inputs = [p.name for p in inspect.signature(fn).parameters.values() if p.default is inspect.Parameter.empty]
    return fn, inputs


def _is_pandas(x: object, kind: str) -> bool:
    return type(x).__module__.startswith("pandas") and type(x).__name__ == kind


def _apply(fn: Callable[..., Any], inputs: list[str], symbol: Any, value: Any, params: dict[str, Any]) -> Any:
    """``fn`` of one symbol's data: its columns (or keys) named as ``fn``'s inputs, or the series
    itself for a one-input indicator."""
    if isinstance(value, Mapping) or _is_pandas(value, "DataFrame"):
        missing = [i for i in inputs if i not in value]
        if missing:
            raise InvalidInputError(f"{fn.__name__} needs {inputs}; the data of {symbol!r} lacks {missing}")
        return fn(*(value[i] for i in inputs), **params)
    if len(inputs) != 1:
        raise InvalidInputError(
            f"{fn.__name__} needs {inputs}: give {symbol!r} a DataFrame or a mapping with those columns"
        )
    return fn(value, **params)


def indicators_many(name: str, frame_or_dict: Any, client: Any = None, **params: Any) -> Any:
    """One TA-Lib indicator over many symbols, here or on a Dask cluster, with the same numbers
    as calling it symbol by symbol (indicators are deterministic: every symbol is computed alone,
    so neither the workers nor the chunking change a bit).

    Parameters
    ----------
    name : str
        An indicator of :mod:`quantumpanarchy.signal` by its TA-Lib name (``"SMA"``, ``"ATR"``,
        ``"MACD"``, ...; candlestick patterns are not covered).
    frame_or_dict : mapping or pandas.DataFrame
        * a mapping symbol → data: a one-input indicator (``close``) takes a series (array or
          pandas Series) per symbol; any indicator takes a DataFrame or mapping per symbol whose
          columns are named as the indicator's inputs (``high``, ``low``, ``close``, ``volume``,
          ...);
        * a DataFrame of one series per column (bars × symbols), for a one-input indicator.
    client : dask.distributed.Client, optional
        Spread the symbols over this client's workers, in about four chunks per worker thread;
        ``None`` computes here.
    **params
        The indicator's parameters (``timeperiod=20``, ...).

    Returns
    -------
    dict or pandas.DataFrame
        For a mapping: a dict symbol → what the indicator returns for that symbol (an array,
        a Series with the symbol's index, or a tuple of them), in the mapping's order. For a
        DataFrame: what the indicator returns for the whole frame (a DataFrame, or a tuple of
        DataFrames), the same as ``signal.<name>(frame, **params)``.

    Raises
    ------
    InvalidInputError
        An unknown indicator, a symbol's data without the inputs the indicator needs, a DataFrame
        for an indicator of several inputs; what the indicator raises.
    InvalidTypeError
        ``name`` not a str, ``frame_or_dict`` neither a mapping nor a DataFrame, a bad client.

    Examples
    --------
    >>> import numpy as np
    >>> from quantumpanarchy import signal
    >>> from quantumpanarchy.distributed import indicators_many
    >>> closes = {s: np.random.default_rng(k).normal(100, 1, 50) for k, s in enumerate(["AAA", "BBB"])}
    >>> out = indicators_many("SMA", closes, timeperiod=10)
    >>> np.array_equal(out["BBB"], signal.SMA(closes["BBB"], timeperiod=10), equal_nan=True)
    True
    """
    fn, inputs = _indicator(name)
    if _is_pandas(frame_or_dict, "DataFrame"):
        if len(inputs) != 1:
            raise InvalidInputError(
                f"{name} needs {inputs}: pass a mapping symbol → DataFrame with those columns, not one DataFrame"
            )
        if client is None:
            return fn(frame_or_dict, **params)
        check_client(client)
        procs = processes_on_host(client)
        columns = chunks(list(range(frame_or_dict.shape[1])), 4 * worker_threads(client))
        tasks = [
            client.submit(_columns_task, name, frame_or_dict.iloc[:, cols], dict(params), procs, pure=False)
            for cols in columns
        ]
        parts = client.gather(tasks)
        import pandas as pd  # a DataFrame came in: pandas is there

        if isinstance(parts[0], tuple):
            return tuple(pd.concat([p[k] for p in parts], axis=1) for k in range(len(parts[0])))
        return pd.concat(parts, axis=1)
    if not isinstance(frame_or_dict, Mapping):
        raise InvalidTypeError(
            f"frame_or_dict must be a mapping symbol → data or a pandas DataFrame, got {type(frame_or_dict).__name__}"
        )
    items = list(frame_or_dict.items())
    if client is None:
        return {symbol: _apply(fn, inputs, symbol, value, params) for symbol, value in items}
    check_client(client)
    if not items:
        return {}
    procs = processes_on_host(client)
    tasks = [
        client.submit(_indicator_task, name, chunk, dict(params), procs, pure=False)
        for chunk in chunks(items, 4 * worker_threads(client))
    ]
    return {symbol: result for part in client.gather(tasks) for symbol, result in part}
