"""Phase 2: move blocking work off the event loop (``asyncio.to_thread`` / ``asyncio.sleep``)."""
