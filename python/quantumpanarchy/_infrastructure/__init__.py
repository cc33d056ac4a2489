"""The Python parts of ``quantumpanarchy.infrastructure`` (the cache and the breaker themselves are
native classes): cache priorities and statistics, the ``cached`` decorator, and the breaker's
listener base class, states and asynchronous, decorator and ``with`` forms."""
