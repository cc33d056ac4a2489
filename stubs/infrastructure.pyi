"""Infrastructure: hardware discovery, a priority LRU decision cache with TTL, and a circuit breaker."""

__all__: list[str]
