"""Report writers shared by the migration wing and the harness.

Generic building blocks live in ``html``, ``junit`` and ``markdown``; each tool's
reports are built from its own result values (``verify`` for the harness).
"""
