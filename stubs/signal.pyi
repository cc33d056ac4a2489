"""Patterns and indicators: TA-Lib-compatible candlestick patterns and technical indicators, chart
patterns, Fibonacci levels."""

__all__: list[str]
