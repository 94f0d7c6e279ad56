"""Re-check the catalogue's facts against the installed Quart and Flask."""

from __future__ import annotations

import importlib
import inspect

import pytest
import quart
import quart.testing
import quart.datastructures
import quart.wrappers.request
import quart.wrappers.response

from flask2quart import catalogue as C
from flask2quart.catalogue import Kind

CLASSES = {
    Kind.REQUEST: quart.wrappers.request.Request,
    Kind.RESPONSE: quart.wrappers.response.Response,
    Kind.FILESTORAGE: quart.datastructures.FileStorage,
    Kind.APP: quart.Quart,
    Kind.BLUEPRINT: quart.Blueprint,
    Kind.TEST_CLIENT: quart.testing.QuartClient,
    Kind.TEST_RESPONSE: quart.wrappers.response.Response,
}


@pytest.mark.parametrize("name", sorted(C.AWAITABLE_FUNCTIONS))
def test_awaitable_functions_are_coroutines(name):
    assert inspect.iscoroutinefunction(getattr(quart, name.split(".", 1)[1]))


def _context_classes() -> tuple[type, ...]:
    """What the APP_CONTEXT_FACTORIES of a Quart app return (two classes on Quart 0.22,
    one on 0.23)."""
    app = quart.Quart(__name__)
    made = [getattr(app, name)() if name == "app_context" else getattr(app, name)("/")
            for name in C.APP_CONTEXT_FACTORIES]
    return tuple({type(m) for m in made})


@pytest.mark.parametrize("kind,member", [(k, m) for k, ms in C.AWAITABLE_MEMBERS.items() for m in ms])
def test_awaitable_members(kind, member):
    classes = _context_classes() if kind is Kind.APP_CONTEXT else (CLASSES[kind],)
    for cls in classes:
        attr = inspect.getattr_static(cls, member)
        fn = attr.fget if isinstance(attr, property) else attr
        assert inspect.iscoroutinefunction(fn), f"{kind}.{member} on {cls.__name__}"
    if kind is Kind.APP_CONTEXT and member == "pop":  # `ctx.pop()` stays valid once awaited
        for cls in classes:
            assert inspect.signature(cls.pop).parameters["exc"].default is not inspect.Parameter.empty


@pytest.mark.parametrize("flask_mod,quart_mod", sorted(C.MODULES.items()))
def test_module_map(flask_mod, quart_mod):
    importlib.import_module(flask_mod)
    importlib.import_module(quart_mod)


@pytest.mark.parametrize("name", sorted(C.PUBLIC_TOPLEVEL - {"Flask", "Quart"}))
def test_public_names_exist_in_quart(name):
    assert hasattr(quart, name)


def test_send_file_keywords_exist_in_quart():
    params = inspect.signature(quart.send_file).parameters
    for new in filter(None, C.SEND_FILE_KWARGS.values()):
        assert new in params
    assert "file_name" in inspect.signature(quart.send_from_directory).parameters


def test_test_client_facts():
    """Test-client section of the catalogue (quart/testing/client.py)."""
    import quart.testing

    open_params = inspect.signature(quart.testing.QuartClient.open).parameters
    assert open_params["method"].kind is inspect.Parameter.KEYWORD_ONLY
    assert C.TEST_OPEN_KEYWORDS <= set(open_params)
    assert C.TEST_CONTENT_TYPE_KEYWORD not in open_params
    for name in C.TEST_NO_EQUIVALENT_KEYWORDS:
        assert name not in open_params
    assert list(inspect.signature(quart.testing.QuartClient.set_cookie).parameters)[1:3] == \
        ["server_name", "key"]
    assert list(inspect.signature(quart.testing.QuartClient.delete_cookie).parameters)[1:3] == \
        ["server_name", "key"]
    assert not hasattr(quart.testing.QuartClient, C.TEST_GET_COOKIE)
    for name in C.TEST_RESPONSE_NO_EQUIVALENT:
        assert not hasattr(quart.wrappers.response.Response, name)
    assert not hasattr(quart.wrappers.response.Response, C.TEST_RESPONSE_TEXT[0])
