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
    # the pin is ours: the fixture loop scope pytest-asyncio warns about is set to its default
    assert out["setup.cfg"] == ("[tool:pytest]\nasyncio_mode = auto\n"
                                "asyncio_default_fixture_loop_scope = fixture-scope\ntestpaths = tests\n")
    assert out["requirements-dev.txt"] == "pytest==9.2.0\npytest-asyncio==1.5.0\n"


def test_loop_scope_left_to_a_project_with_its_own_pytest_asyncio(tmp_path):
    out = migrate_tree(tmp_path, {
        "pkg/__init__.py": APP,
        "setup.cfg": "[tool:pytest]\ntestpaths = tests\n",
        "requirements-dev.txt": "pytest==9.2.0\npytest-asyncio==0.23.8\n",
    })
    assert out["setup.cfg"] == "[tool:pytest]\nasyncio_mode = auto\ntestpaths = tests\n"
    assert out["requirements-dev.txt"] == "pytest==9.2.0\npytest-asyncio==0.23.8\n"


def test_pyproject_with_test_extra_gets_pin_mode_and_loop_scope_once(tmp_path):
    from flask2quart import engine
    from tests.helpers import write_tree

    root = tmp_path / "proj"
    write_tree(root, {
        "pkg/__init__.py": APP, "tests/conftest.py": CONFTEST,
        "pyproject.toml": '[project]\nname = "x"\n\n[project.optional-dependencies]\n'
                          'test = ["pytest"]\n\n[tool.pytest.ini_options]\nfilterwarnings = ["error"]\n',
        "tests/test_x.py": "def test_x(client):\n    client.get('/')\n",
    })
    first = {f.rel: f.new for f in engine.run([root], 1).files}
    assert first["pyproject.toml"].decode() == (
        '[project]\nname = "x"\n\n[project.optional-dependencies]\ntest = ["pytest", "pytest-asyncio==1.5.0"]\n'
        '\n[tool.pytest.ini_options]\nasyncio_mode = "auto"\n'
        'asyncio_default_fixture_loop_scope = "fixture-scope"\nfilterwarnings = ["error"]\n')
    for rel, new in first.items():
        (root / rel).write_bytes(new)
    assert not engine.run([root], 1).changed  # idempotent: the pin is now the project's


# -- return kinds through helpers, instance typing ------------------------------------------


def test_helper_method_returns_test_response(tmp_path):
    got = migrate_tree(tmp_path, {
        "pkg/__init__.py": APP,
        "tests/test_u.py": d("""
            import unittest
            from pkg import app

            class Base(unittest.TestCase):
                def setUp(self):
                    self.client = app.test_client()

                def api_get(self, path):
                    return self.client.get(path)

                def check(self, rv):
                    return rv.get_json()

            class T(Base):
                def test_x(self):
                    rv = self.api_get("/")
                    self.assertEqual(rv.data, b"")
                    self.check(rv)
            """),
    })["tests/test_u.py"]
    assert "return await self.client.get(path)" in got
    assert "return await rv.get_json()" in got  # rv: every caller passes a test response
    assert "rv = await self.api_get(\"/\")" in got
    assert "self.assertEqual(await rv.data, b\"\")" in got
    assert "await self.check(rv)" in got


def test_instance_attributes_resolve_sync_methods_without_marker(tmp_path):
    got = migrate_tree(tmp_path, {
        "pkg/__init__.py": APP,
        "pkg/store.py": "class Store:\n    def create_account(self):\n        return 1\n\n\nstore = Store()\n",
        "tests/test_u.py": d("""
            import unittest
            from pkg import app
            from pkg.store import store

            class Service:
                def __init__(self, store):
                    self.store = store

                def make(self):
                    return self.store.create_account()

            class T(unittest.TestCase):
                def setUp(self):
                    self.client = app.test_client()
                    self.store = store

                def create_account(self):
                    return self.client.post("/a")

                def test_x(self):
                    self.create_account()
                    self.store.create_account()
                    Service(store).make()
            """),
    })["tests/test_u.py"]
    assert "F2Q195" not in got
    assert "    await self.create_account()\n" in got
    assert "    self.store.create_account()\n" in got
    assert "return self.store.create_account()" in got


def test_unittest_hooks_renamed(tmp_path):
    got = migrate_tree(tmp_path, {
        "pkg/__init__.py": APP,
        "tests/test_u.py": d("""
            import unittest
            from pkg import app

            class Base(unittest.TestCase):
                def setUp(self):
                    self.client = app.test_client()

            class T(Base):
                def setUp(self):
                    super().setUp()
                    self.client.get("/warm")

                def tearDown(self):
                    self.client.get("/cool")
                    super().tearDown()

                def test_x(self):
                    pass
            """),
    })["tests/test_u.py"]
    assert d("""
        class T(Base):
            async def asyncSetUp(self):
                await super().asyncSetUp()
                await self.client.get("/warm")

            async def asyncTearDown(self):
                await self.client.get("/cool")
                await super().asyncTearDown()
        """) in got
    assert "class Base(unittest.IsolatedAsyncioTestCase):\n    def setUp(self):" in got


def test_unittest_hook_with_super_call_in_the_middle_is_marked(tmp_path):
    got = migrate_tree(tmp_path, {
        "pkg/__init__.py": APP,
        "tests/test_u.py": d("""
            import unittest
            from pkg import app

            class Base(unittest.TestCase):
                def setUp(self):
                    self.client = app.test_client()

            class T(Base):
                def setUp(self):
                    self.flag = 1
                    super().setUp()
                    self.client.get("/warm")
            """),
    })["tests/test_u.py"]
    assert "# flask2quart: F2Q185" in got
    assert "async def setUp(self):" in got


# -- responses -------------------------------------------------------------------------------


def test_text_silent_close(tmp_path):
    got = port(tmp_path, """
        def test_x(client, flag):
            rv = client.get("/")
            assert rv.text == "ok"
            assert client.get("/").text
            rv.get_json(silent=True)
            rv.get_json(silent=False)
            rv.get_json(force=True, silent=flag)
            rv.close()
            if flag:
                rv.close()
            closer = rv.close
        """)
    assert got == d("""
        async def test_x(client, flag):
            rv = await client.get("/")
            assert await rv.get_data(as_text=True) == "ok"
            assert await (await client.get("/")).get_data(as_text=True)
            await rv.get_json()
            await rv.get_json(silent=True)
            await rv.get_json(force=True, silent=not (flag))
            if flag:
                pass
            # flask2quart: F2Q181 Quart's test response has no `close()`
            closer = rv.close
        """)


def test_no_equivalent_attributes_marked(tmp_path):
    # the project chose its own client class: flask2quart.testing (F2Q133) cannot be proven
    out = migrate_tree(tmp_path, {
        "pkg/__init__.py": APP,
        "tests/conftest.py": CONFTEST + "\n_app.test_client_class = object\n",
        "tests/test_x.py": d("""
        from flask import g

        def test_x(client):
            with client:
                rv = client.get("/", follow_redirects=True)
                assert rv.request.path == "/"
                assert g.user
            assert not rv.history
        """)})
    got = out["tests/test_x.py"]
    assert "flask2quart.testing" not in out["tests/conftest.py"]
    assert "# flask2quart: F2Q181 `.request`" in got
    assert "flask2quart.testing.test_client(app)" in got
    assert "# flask2quart: F2Q181 `.history`" in got
    assert "# flask2quart: F2Q186" in got


def test_pytest_raises_around_request(tmp_path):
    got = port(tmp_path, """
        import pytest

        def test_x(client):
            with pytest.raises(KeyError, match="k"):
                rv = client.get("/boom")
            with pytest.raises(ValueError):
                int("x")
        """)
    assert got == d("""
        import pytest
        from quart import got_request_exception

        async def test_x(client):
            with pytest.raises(KeyError, match="k"):
                view_errors = []
                with got_request_exception.connected_to(lambda _app, exception, **_: view_errors.append(exception)):
                    rv = await client.get("/boom")
                if view_errors:
                    raise view_errors[0]
            with pytest.raises(ValueError):
                int("x")
        """)


def test_runner_in_thread_only_when_async(tmp_path):
    out = migrate_tree(tmp_path, {
        "pkg/__init__.py": APP,
        "tests/conftest.py": d(CONFTEST) + "\n\n@pytest.fixture\ndef runner():\n    return _app.test_cli_runner()\n",
        "tests/test_x.py": d("""
            from pkg import app

            def test_sync(runner):
                assert runner.invoke(args=["x"]).exit_code == 0

            def test_async(runner, client):
                client.get("/")
                result = runner.invoke(args=["x"], catch_exceptions=False)
            """),
    })["tests/test_x.py"]
    assert "def test_sync(runner):\n    assert runner.invoke(args=[\"x\"]).exit_code == 0" in out
    assert "result = await asyncio.to_thread(runner.invoke, args=[\"x\"], catch_exceptions=False)" in out
    assert "import asyncio" in out


def test_request_context_and_multi_value_form(tmp_path):
    got = port(tmp_path, """
        import io
        from pkg import app

        def test_x(client):
            with app.test_request_context("/", method="POST", data={"a": "1"}, content_type="x/y"):
                pass
            with app.test_request_context("/", data={"f": (io.BytesIO(b"x"), "a.txt")}):
                pass
            client.post("/t", data={"tag": ["a", "b"], "n": "1"})
        """)
    assert 'async with app.test_request_context("/", method="POST", form={"a": "1"}, headers={\'Content-Type\': "x/y"}):' in got
    assert "# flask2quart: F2Q180 Quart's test_request_context has no `files=`" in got
    assert 'data={"f": (io.BytesIO(b"x"), "a.txt")}' in got
    assert 'await client.post("/t", form=[("tag", "a"), ("tag", "b"), ("n", "1")])' in got


def test_noop_response_like_objects(tmp_path):
    src = d("""
        class Resp:
            text = "x"

            def close(self):
                pass

            def get_json(self, silent=False):
                return None

        def test_plain():
            rv = Resp()
            assert rv.text == "x"
            rv.get_json(silent=True)
            rv.close()
        """)
    assert port(tmp_path, src) == src


def test_catalogue_section6_matches_installed_quart():
    """The facts the new test-suite rules rely on, checked against the installed Quart."""
    import inspect

    import quart
    from quart.wrappers.response import Response

    from flask2quart import catalogue as C

    assert not hasattr(Response, C.TEST_RESPONSE_CLOSE)
    assert inspect.signature(Response.get_json).parameters["silent"].default is False
    assert hasattr(quart, C.GOT_REQUEST_EXCEPTION[1])
    params = inspect.signature(quart.Quart.test_request_context).parameters
    assert {"data", "form", "json", "headers", "query_string"} <= set(params)
    assert "files" not in params and "content_type" not in params
    import unittest
    for new in C.UNITTEST_ASYNC_HOOKS.values():
        assert inspect.iscoroutinefunction(getattr(unittest.IsolatedAsyncioTestCase, new))


# -- pytest configuration ----------------------------------------------------------------------


def test_new_pytest_section_in_pyproject_when_none(tmp_path):
    out = migrate_tree(tmp_path, {
        "pkg/__init__.py": APP, "tests/conftest.py": CONFTEST,
        "pyproject.toml": '[project]\nname = "x"\n',
        "tests/test_x.py": "def test_x(client):\n    client.get('/')\n",
    })
    assert out["pyproject.toml"] == '[project]\nname = "x"\n\n[tool.pytest.ini_options]\nasyncio_mode = "auto"\n'


def test_pyproject_untouched_when_setup_cfg_configures_pytest(tmp_path):
    out = migrate_tree(tmp_path, {
        "pkg/__init__.py": APP, "tests/conftest.py": CONFTEST,
        "pyproject.toml": '[project]\nname = "x"\n',
        "setup.cfg": "[tool:pytest]\ntestpaths = tests\n",
        "tests/test_x.py": "def test_x(client):\n    client.get('/')\n",
    })
    assert out["pyproject.toml"] == '[project]\nname = "x"\n'
    assert out["setup.cfg"] == "[tool:pytest]\nasyncio_mode = auto\ntestpaths = tests\n"


def test_new_pytest_ini_when_no_config_at_all(tmp_path):
    from flask2quart import engine

    root = tmp_path / "proj"
    from tests.helpers import write_tree
    write_tree(root, {"pkg/__init__.py": APP, "tests/conftest.py": CONFTEST,
                      "requirements.txt": "flask==3.1.3\n",
                      "tests/test_x.py": "def test_x(client):\n    client.get('/')\n"})
    result = engine.run([root], 1)
    created = {f.rel: f.new.decode() for f in result.files if not (root / f.rel).exists()}
    assert created == {"pytest.ini": "[pytest]\nasyncio_mode = auto\n"}


def test_no_pytest_config_added_without_async_tests(tmp_path):
    out = migrate_tree(tmp_path, {"pkg/__init__.py": APP, "pyproject.toml": '[project]\nname = "x"\n'})
    assert out["pyproject.toml"] == '[project]\nname = "x"\n'


def test_strict_mode_marks_tests_and_fixtures(tmp_path):
    out = migrate_tree(tmp_path, {
        "pkg/__init__.py": APP,
        "pytest.ini": "[pytest]\nasyncio_mode = strict\n",
        "tests/conftest.py": d(CONFTEST) + d("""


            @pytest.fixture
            def home(client):
                return client.get("/")
            """),
        "tests/test_x.py": "def test_x(home):\n    assert home.status_code == 200\n\n\ndef test_y(client):\n    client.get('/')\n",
    })
    assert out["pytest.ini"] == "[pytest]\nasyncio_mode = strict\n"
    assert "@pytest_asyncio.fixture\nasync def home(client):\n    return await client.get(\"/\")" in out["tests/conftest.py"]
    assert "import pytest_asyncio" in out["tests/conftest.py"]
    assert "@pytest.mark.asyncio\nasync def test_y(client):" in out["tests/test_x.py"]
    assert "\ndef test_x(home):" in out["tests/test_x.py"]  # stays sync: nothing to await
    assert out["tests/test_x.py"].count("@pytest.mark.asyncio") == 1


def test_plain_requirements_listing_pytest_get_the_pin(tmp_path):
    # no requirements-dev.txt, no test extra: pytest lives in requirements.txt, so does the pin
    out = migrate_tree(tmp_path, {
        "pkg/__init__.py": APP, "tests/conftest.py": CONFTEST,
        "requirements.txt": "flask==3.1.3\npytest==7.4.3\n",
        "setup.cfg": "[tool:pytest]\ntestpaths = tests\n",
        "tests/test_x.py": "def test_x(client):\n    client.get('/')\n",
    })
    assert out["requirements.txt"].endswith("pytest==7.4.3\npytest-asyncio==1.5.0\n")
    assert "asyncio_default_fixture_loop_scope = fixture-scope" in out["setup.cfg"]


def test_plain_requirements_without_pytest_are_left_alone(tmp_path):
    out = migrate_tree(tmp_path, {
        "pkg/__init__.py": APP, "requirements.txt": "flask==3.1.3\n",
        "setup.cfg": "[tool:pytest]\ntestpaths = tests\n",
    })
    assert "pytest-asyncio" not in out["requirements.txt"]
    assert out["setup.cfg"] == "[tool:pytest]\nasyncio_mode = auto\ntestpaths = tests\n"
