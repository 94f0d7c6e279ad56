"""Before/after pairs for the test-suite rules (F2Q120-F2Q126), with no-op cases."""

from __future__ import annotations

import textwrap

from tests.helpers import migrate_tree

APP = "from flask import Flask\n\napp = Flask(__name__)\n"
CONFTEST = """
import pytest
from pkg import app as _app


@pytest.fixture
def client():
    return _app.test_client()
"""


def d(s: str) -> str:
    return textwrap.dedent(s).lstrip("\n")


def port(tmp_path, test_src: str) -> str:
    out = migrate_tree(tmp_path, {"pkg/__init__.py": APP, "tests/conftest.py": CONFTEST,
                                  "tests/test_x.py": d(test_src)})
    return out["tests/test_x.py"]


def test_requests_awaited_and_keywords(tmp_path):
    got = port(tmp_path, """
        def test_x(client):
            rv = client.post("/p", data={"a": "1"}, content_type="text/plain")
            assert rv.status_code == 200
            assert rv.json == {}
            client.open("/p", "PUT")
            client.get("/q", query_string="a=1&b=2")
        """)
    assert got == d("""
        async def test_x(client):
            rv = await client.post("/p", form={"a": "1"}, headers={'Content-Type': "text/plain"})
            assert rv.status_code == 200
            assert await rv.json == {}
            await client.open("/p", method="PUT")
            await client.get("/q", query_string={'a': '1', 'b': '2'})
        """)


def test_file_tuples_become_filestorage(tmp_path):
    got = port(tmp_path, """
        import io

        def test_up(client):
            client.post("/u", data={"f": (io.BytesIO(b"x"), "a.txt"), "n": "1"})
        """)
    assert "from quart.datastructures import FileStorage" in got
    assert 'files={"f": FileStorage(io.BytesIO(b"x"), filename="a.txt")}, form={"n": "1"}' in got


def test_cookies(tmp_path):
    got = port(tmp_path, """
        def test_c(client):
            client.set_cookie("theme", "dark")
            assert client.get_cookie("theme").value == "dark"
        """)
    assert "client.set_cookie('localhost', \"theme\", \"dark\")" in got
    assert 'next((c for c in client.cookie_jar if c.name == "theme"), None).value' in got
    assert "async def" not in got


def test_session_transaction_and_with_client(tmp_path):
    got = port(tmp_path, """
        def test_s(client):
            with client.session_transaction() as s:
                s["k"] = 1
            with client:
                client.get("/")
        """)
    assert "async with client.session_transaction() as s:" in got
    assert "async with client:" in got


def test_helper_class_propagates(tmp_path):
    got = migrate_tree(tmp_path, {
        "pkg/__init__.py": APP,
        "tests/conftest.py": d(CONFTEST) + d("""

            class Auth:
                def __init__(self, client):
                    self._client = client

                def login(self):
                    return self._client.post("/login", data={"u": "x"})


            @pytest.fixture
            def auth(client):
                return Auth(client)
            """),
        "tests/test_x.py": "def test_l(auth):\n    auth.login()\n",
    })
    assert 'return await self._client.post("/login", form={"u": "x"})' in got["tests/conftest.py"]
    assert got["tests/test_x.py"] == "async def test_l(auth):\n    await auth.login()\n"


def test_unittest_testcase(tmp_path):
    got = migrate_tree(tmp_path, {
        "pkg/__init__.py": APP,
        "tests/test_u.py": d("""
            import unittest
            from pkg import app

            class T(unittest.TestCase):
                def setUp(self):
                    self.client = app.test_client()

                def test_x(self):
                    self.assertEqual(self.client.get("/").status_code, 200)
            """),
    })["tests/test_u.py"]
    assert "class T(unittest.IsolatedAsyncioTestCase):" in got
    assert "    def setUp(self):" in got
    assert "async def test_x(self):" in got
    assert "(await self.client.get(\"/\")).status_code" in got


def test_runner_invoke_stays_sync(tmp_path):
    got = migrate_tree(tmp_path, {
        "pkg/__init__.py": APP,
        "tests/conftest.py": d(CONFTEST) + "\n\n@pytest.fixture\ndef runner():\n    return _app.test_cli_runner()\n",
        "tests/test_x.py": "def test_cmd(runner):\n    runner.invoke(args=['x'])\n",
    })["tests/test_x.py"]
    assert got == "def test_cmd(runner):\n    runner.invoke(args=['x'])\n"


def test_noop_local_client_not_a_test_client(tmp_path):
    src = d("""
        import requests

        def test_remote():
            client = requests.Session()
            rv = client.get("http://x", data={"a": 1})
            client.set_cookie("a", "b")
            return rv.json
        """)
    assert port(tmp_path, src) == src


def test_pytest_config_and_requirements(tmp_path):
    out = migrate_tree(tmp_path, {
        "pkg/__init__.py": APP,
        "setup.cfg": "[tool:pytest]\ntestpaths = tests\n",
        "requirements-dev.txt": "pytest==9.2.0\n",
    })
    assert out["setup.cfg"] == "[tool:pytest]\nasyncio_mode = auto\ntestpaths = tests\n"
    assert out["requirements-dev.txt"] == "pytest==9.2.0\npytest-asyncio==1.5.0\n"
