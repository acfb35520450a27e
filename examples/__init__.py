"""Examples that use instantly-columns through its public API only."""
