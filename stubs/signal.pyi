"""Patterns and indicators: TA-Lib's 61 candlestick patterns (with its candle settings) and its
indicators under TA-Lib's names, arguments and numbers, streaming handles (``signal.stream``),
chart patterns found from swing pivots, and Fibonacci levels."""

# Everything is typed where it is implemented (python/quantumpanarchy/_signal/, one module per
# part); this stub re-exports it, one line per name, grouped by part.

from ._signal import stream as stream
from ._signal.candle import Candle as Candle

# candlestick patterns and candle settings
from ._signal.candles import CANDLESTICK_NAMES as CANDLESTICK_NAMES
from ._signal.candles import CDL2CROWS as CDL2CROWS
from ._signal.candles import CDL3BLACKCROWS as CDL3BLACKCROWS
from ._signal.candles import CDL3INSIDE as CDL3INSIDE
from ._signal.candles import CDL3LINESTRIKE as CDL3LINESTRIKE
from ._signal.candles import CDL3OUTSIDE as CDL3OUTSIDE
from ._signal.candles import CDL3STARSINSOUTH as CDL3STARSINSOUTH
from ._signal.candles import CDL3WHITESOLDIERS as CDL3WHITESOLDIERS
from ._signal.candles import CDLABANDONEDBABY as CDLABANDONEDBABY
from ._signal.candles import CDLADVANCEBLOCK as CDLADVANCEBLOCK
from ._signal.candles import CDLBELTHOLD as CDLBELTHOLD
from ._signal.candles import CDLBREAKAWAY as CDLBREAKAWAY
from ._signal.candles import CDLCLOSINGMARUBOZU as CDLCLOSINGMARUBOZU
from ._signal.candles import CDLCONCEALBABYSWALL as CDLCONCEALBABYSWALL
from ._signal.candles import CDLCOUNTERATTACK as CDLCOUNTERATTACK
from ._signal.candles import CDLDARKCLOUDCOVER as CDLDARKCLOUDCOVER
from ._signal.candles import CDLDOJI as CDLDOJI
from ._signal.candles import CDLDOJISTAR as CDLDOJISTAR
from ._signal.candles import CDLDRAGONFLYDOJI as CDLDRAGONFLYDOJI
from ._signal.candles import CDLENGULFING as CDLENGULFING
from ._signal.candles import CDLEVENINGDOJISTAR as CDLEVENINGDOJISTAR
from ._signal.candles import CDLEVENINGSTAR as CDLEVENINGSTAR
from ._signal.candles import CDLGAPSIDESIDEWHITE as CDLGAPSIDESIDEWHITE
from ._signal.candles import CDLGRAVESTONEDOJI as CDLGRAVESTONEDOJI
from ._signal.candles import CDLHAMMER as CDLHAMMER
from ._signal.candles import CDLHANGINGMAN as CDLHANGINGMAN
from ._signal.candles import CDLHARAMI as CDLHARAMI
from ._signal.candles import CDLHARAMICROSS as CDLHARAMICROSS
from ._signal.candles import CDLHIGHWAVE as CDLHIGHWAVE
from ._signal.candles import CDLHIKKAKE as CDLHIKKAKE
from ._signal.candles import CDLHIKKAKEMOD as CDLHIKKAKEMOD
from ._signal.candles import CDLHOMINGPIGEON as CDLHOMINGPIGEON
from ._signal.candles import CDLIDENTICAL3CROWS as CDLIDENTICAL3CROWS
from ._signal.candles import CDLINNECK as CDLINNECK
from ._signal.candles import CDLINVERTEDHAMMER as CDLINVERTEDHAMMER
from ._signal.candles import CDLKICKING as CDLKICKING
from ._signal.candles import CDLKICKINGBYLENGTH as CDLKICKINGBYLENGTH
from ._signal.candles import CDLLADDERBOTTOM as CDLLADDERBOTTOM
from ._signal.candles import CDLLONGLEGGEDDOJI as CDLLONGLEGGEDDOJI
from ._signal.candles import CDLLONGLINE as CDLLONGLINE
from ._signal.candles import CDLMARUBOZU as CDLMARUBOZU
from ._signal.candles import CDLMATCHINGLOW as CDLMATCHINGLOW
from ._signal.candles import CDLMATHOLD as CDLMATHOLD
from ._signal.candles import CDLMORNINGDOJISTAR as CDLMORNINGDOJISTAR
from ._signal.candles import CDLMORNINGSTAR as CDLMORNINGSTAR
from ._signal.candles import CDLONNECK as CDLONNECK
from ._signal.candles import CDLPIERCING as CDLPIERCING
from ._signal.candles import CDLRICKSHAWMAN as CDLRICKSHAWMAN
from ._signal.candles import CDLRISEFALL3METHODS as CDLRISEFALL3METHODS
from ._signal.candles import CDLSEPARATINGLINES as CDLSEPARATINGLINES
from ._signal.candles import CDLSHOOTINGSTAR as CDLSHOOTINGSTAR
from ._signal.candles import CDLSHORTLINE as CDLSHORTLINE
from ._signal.candles import CDLSPINNINGTOP as CDLSPINNINGTOP
from ._signal.candles import CDLSTALLEDPATTERN as CDLSTALLEDPATTERN
from ._signal.candles import CDLSTICKSANDWICH as CDLSTICKSANDWICH
from ._signal.candles import CDLTAKURI as CDLTAKURI
from ._signal.candles import CDLTASUKIGAP as CDLTASUKIGAP
from ._signal.candles import CDLTHRUSTING as CDLTHRUSTING
from ._signal.candles import CDLTRISTAR as CDLTRISTAR
from ._signal.candles import CDLUNIQUE3RIVER as CDLUNIQUE3RIVER
from ._signal.candles import CDLUPSIDEGAP2CROWS as CDLUPSIDEGAP2CROWS
from ._signal.candles import CDLXSIDEGAP3METHODS as CDLXSIDEGAP3METHODS
from ._signal.candles import CandleSetting as CandleSetting
from ._signal.candles import CandleSettings as CandleSettings
from ._signal.candles import RangeType as RangeType
from ._signal.candles import Setting as Setting
from ._signal.candles import candlesticks as candlesticks
from ._signal.candles import get_candle_settings as get_candle_settings
from ._signal.candles import restore_candle_default_settings as restore_candle_default_settings
from ._signal.candles import set_candle_settings as set_candle_settings
from ._signal.chart import Pattern as Pattern
from ._signal.chart import PatternDetector as PatternDetector
from ._signal.chart import PatternType as PatternType
from ._signal.chart import Pivots as Pivots
from ._signal.chart import plot_pattern as plot_pattern
from ._signal.chart import zigzag as zigzag
from ._signal.fibonacci import FibonacciAnalyzer as FibonacciAnalyzer
from ._signal.fibonacci import FibonacciLevels as FibonacciLevels
from ._signal.fibonacci import SwingPoint as SwingPoint
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
    "CANDLESTICK_NAMES",
    "CCI",
    "CDL2CROWS",
    "CDL3BLACKCROWS",
    "CDL3INSIDE",
    "CDL3LINESTRIKE",
    "CDL3OUTSIDE",
    "CDL3STARSINSOUTH",
    "CDL3WHITESOLDIERS",
    "CDLABANDONEDBABY",
    "CDLADVANCEBLOCK",
    "CDLBELTHOLD",
    "CDLBREAKAWAY",
    "CDLCLOSINGMARUBOZU",
    "CDLCONCEALBABYSWALL",
    "CDLCOUNTERATTACK",
    "CDLDARKCLOUDCOVER",
    "CDLDOJI",
    "CDLDOJISTAR",
    "CDLDRAGONFLYDOJI",
    "CDLENGULFING",
    "CDLEVENINGDOJISTAR",
    "CDLEVENINGSTAR",
    "CDLGAPSIDESIDEWHITE",
    "CDLGRAVESTONEDOJI",
    "CDLHAMMER",
    "CDLHANGINGMAN",
    "CDLHARAMI",
    "CDLHARAMICROSS",
    "CDLHIGHWAVE",
    "CDLHIKKAKE",
    "CDLHIKKAKEMOD",
    "CDLHOMINGPIGEON",
    "CDLIDENTICAL3CROWS",
    "CDLINNECK",
    "CDLINVERTEDHAMMER",
    "CDLKICKING",
    "CDLKICKINGBYLENGTH",
    "CDLLADDERBOTTOM",
    "CDLLONGLEGGEDDOJI",
    "CDLLONGLINE",
    "CDLMARUBOZU",
    "CDLMATCHINGLOW",
    "CDLMATHOLD",
    "CDLMORNINGDOJISTAR",
    "CDLMORNINGSTAR",
    "CDLONNECK",
    "CDLPIERCING",
    "CDLRICKSHAWMAN",
    "CDLRISEFALL3METHODS",
    "CDLSEPARATINGLINES",
    "CDLSHOOTINGSTAR",
    "CDLSHORTLINE",
    "CDLSPINNINGTOP",
    "CDLSTALLEDPATTERN",
    "CDLSTICKSANDWICH",
    "CDLTAKURI",
    "CDLTASUKIGAP",
    "CDLTHRUSTING",
    "CDLTRISTAR",
    "CDLUNIQUE3RIVER",
    "CDLUPSIDEGAP2CROWS",
    "CDLXSIDEGAP3METHODS",
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
    "CandleSetting",
    "CandleSettings",
    "FibonacciAnalyzer",
    "FibonacciLevels",
    "Pattern",
    "PatternDetector",
    "PatternType",
    "Pivots",
    "RangeType",
    "Setting",
    "SwingPoint",
    "candlesticks",
    "get_candle_settings",
    "plot_pattern",
    "restore_candle_default_settings",
    "set_candle_settings",
    "stream",
    "zigzag",
]
