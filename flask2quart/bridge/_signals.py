"""Re-send Quart's signals on Flask's, for receivers connected through ``flask.signals``.

Quart has its own blinker ``Namespace`` (``quart/signals.py``), so ``flask.request_finished``
receivers (``request_finished.connect_via(app)``, Flask-Testing's template capture, Sentry-style
hooks) never fire under Quart. The bridge connects one async receiver per signal to Quart's
signal (sender = the app) that re-sends on Flask's signal with the same sender and keyword
arguments. A forwarder is only connected once Flask's signal has (had) a receiver, so apps that
use no Flask signals pay nothing. Flask receivers are sync: they run in a bridge
greenlet, so they see the request and may use blocking helpers. Sync receivers connected to
Quart's signals directly keep working as before (Quart runs them through ``ensure_async``).
"""

from __future__ import annotations

import weakref
from typing import Any

import flask.signals as flask_signals
import quart.signals as quart_signals

from ._sync import call_in_greenlet

#: Signals with the same meaning and keyword arguments in Flask 3.1 and Quart 0.22/0.23.
FORWARDED = (
    "template_rendered",
    "before_render_template",
    "request_started",
    "request_finished",
    "request_tearing_down",
    "got_request_exception",
    "appcontext_tearing_down",
    "appcontext_pushed",
    "appcontext_popped",
    "message_flashed",
)


class _Forwarder:
    __slots__ = ("name", "flask_signal", "app_ref", "active", "__weakref__")

    def __init__(self, app: Any, name: str) -> None:
        self.name = name
        self.flask_signal = getattr(flask_signals, name)
        self.app_ref = weakref.ref(app)
        self.active = False

    def activate(self) -> None:
        app = self.app_ref()
        if self.active or app is None:
            return
        getattr(quart_signals, self.name).connect(self.forward, sender=app)
        self.active = True

    async def forward(self, sender: Any, **kwargs: Any) -> None:
        signal = self.flask_signal
        if not signal.receivers:
            return
        app = self.app_ref()
        wrapper = app.ensure_sync if app is not None else None
        await call_in_greenlet(signal.send, sender, _async_wrapper=wrapper, **kwargs)


_waiting: dict[str, weakref.WeakSet] = {name: weakref.WeakSet() for name in FORWARDED}


def _make_activator(name: str) -> Any:
    def on_flask_receiver_connected(signal: Any, **kwargs: Any) -> None:
        for forwarder in list(_waiting[name]):
            forwarder.activate()
        _waiting[name].clear()

    return on_flask_receiver_connected


_activators = {name: _make_activator(name) for name in FORWARDED}
for _name, _activator in _activators.items():
    getattr(flask_signals, _name).receiver_connected.connect(_activator, weak=False)


def install(app: Any) -> list[_Forwarder]:
    """Create the forwarders for ``app``; keep the returned list alive (blinker holds weak refs)."""
    forwarders = []
    for name in FORWARDED:
        forwarder = _Forwarder(app, name)
        if forwarder.flask_signal.receivers:
            forwarder.activate()
        else:
            _waiting[name].add(forwarder)
        forwarders.append(forwarder)
    return forwarders
