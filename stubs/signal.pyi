"""Patterns and indicators: TA-Lib's 61 candlestick patterns (with its candle settings) and its
indicators under TA-Lib's names, arguments and numbers, streaming handles (``signal.stream``),
chart patterns found from swing pivots, and Fibonacci levels."""

# Everything is typed where it is implemented (python/quantumpanarchy/_signal/, one module per
# part); this stub re-exports it, one line per name, grouped by part.

from ._signal import stream as stream
from ._signal.candle import Candle as Candle
from ._signal.indicators import AD as AD
from ._signal.indicators import ADOSC as ADOSC
from ._signal.indicators import ADX as ADX
from ._signal.indicators import ADXR as ADXR
from ._signal.indicators import APO as APO
from ._signal.indicators import AROON as AROON
from ._signal.indicators import AROONOSC as AROONOSC
from ._signal.indicators import ATR as ATR
from ._signal.indicators import BBANDS as BBANDS
from ._signal.indicators import BETA as BETA
from ._signal.indicators import BOP as BOP
from ._signal.indicators import CCI as CCI
from ._signal.indicators import CMO as CMO
from ._signal.indicators import CORREL as CORREL
from ._signal.indicators import DEMA as DEMA
from ._signal.indicators import DX as DX
from ._signal.indicators import EMA as EMA
from ._signal.indicators import KAMA as KAMA
from ._signal.indicators import LINEARREG as LINEARREG
from ._signal.indicators import LINEARREG_ANGLE as LINEARREG_ANGLE
from ._signal.indicators import LINEARREG_INTERCEPT as LINEARREG_INTERCEPT
from ._signal.indicators import LINEARREG_SLOPE as LINEARREG_SLOPE
from ._signal.indicators import MA as MA
from ._signal.indicators import MACD as MACD
from ._signal.indicators import MACDEXT as MACDEXT
from ._signal.indicators import MAMA as MAMA
from ._signal.indicators import MFI as MFI
from ._signal.indicators import MIDPOINT as MIDPOINT
from ._signal.indicators import MIDPRICE as MIDPRICE
from ._signal.indicators import MINUS_DI as MINUS_DI
from ._signal.indicators import MOM as MOM
from ._signal.indicators import NATR as NATR
from ._signal.indicators import OBV as OBV
from ._signal.indicators import PLUS_DI as PLUS_DI
from ._signal.indicators import PPO as PPO
from ._signal.indicators import ROC as ROC
from ._signal.indicators import RSI as RSI
from ._signal.indicators import SAR as SAR
from ._signal.indicators import SMA as SMA
from ._signal.indicators import STDDEV as STDDEV
from ._signal.indicators import STOCH as STOCH
from ._signal.indicators import STOCHF as STOCHF
from ._signal.indicators import STOCHRSI as STOCHRSI
from ._signal.indicators import T3 as T3
from ._signal.indicators import TEMA as TEMA
from ._signal.indicators import TRANGE as TRANGE
from ._signal.indicators import TRIMA as TRIMA
from ._signal.indicators import TSF as TSF
from ._signal.indicators import ULTOSC as ULTOSC
from ._signal.indicators import VAR as VAR
from ._signal.indicators import WILLR as WILLR
from ._signal.indicators import WMA as WMA

__all__ = [
    "AD",
    "ADOSC",
    "ADX",
    "ADXR",
    "APO",
    "AROON",
    "AROONOSC",
    "ATR",
    "BBANDS",
    "BETA",
    "BOP",
    "CCI",
    "CMO",
    "CORREL",
    "DEMA",
    "DX",
    "EMA",
    "KAMA",
    "LINEARREG",
    "LINEARREG_ANGLE",
    "LINEARREG_INTERCEPT",
    "LINEARREG_SLOPE",
    "MA",
    "MACD",
    "MACDEXT",
    "MAMA",
    "MFI",
    "MIDPOINT",
    "MIDPRICE",
    "MINUS_DI",
    "MOM",
    "NATR",
    "OBV",
    "PLUS_DI",
    "PPO",
    "ROC",
    "RSI",
    "SAR",
    "SMA",
    "STDDEV",
    "STOCH",
    "STOCHF",
    "STOCHRSI",
    "T3",
    "TEMA",
    "TRANGE",
    "TRIMA",
    "TSF",
    "ULTOSC",
    "VAR",
    "WILLR",
    "WMA",
    "Candle",
    "stream",
]
