"""Phase 3: outbound HTTP — ``requests`` → ``httpx.AsyncClient`` with the same behaviour."""
