"""Phase 1: the direct port (imports, async views and hooks, awaited coroutines)."""
