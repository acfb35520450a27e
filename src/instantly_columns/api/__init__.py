"""The Instantly API v2 client: a sans-IO core (request building, parsing, retries, rate
limiting, pagination), its wire models and typed results, and the sync and async clients that
run the core through the engine's drivers."""

__all__: list[str] = []
