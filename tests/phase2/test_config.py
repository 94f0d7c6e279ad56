"""``[tool.flask2quart.blocking]``: schema, validation errors naming the file, and effect."""

from __future__ import annotations

import pytest

from flask2quart.analysis.blocking import load_blocking_config, parse_config
from flask2quart.catalogue.blocking import Action, Safety
from flask2quart.config import ConfigError
from tests.helpers import migrate_tree, write_tree


def test_schema_functions_objects_ignore():
    cfg = parse_config({
        "functions": {"sdk.fetch": "network", "sdk.crunch": {"category": "cpu", "cpu": True},
                      "sdk.popen": {"action": "mark"}},
        "objects": {"sdk.Client": {"methods": ["get", "put"], "safety": "not-shared"}},
        "ignore": ["os.path.exists"],
    }, "pyproject.toml")
    assert cfg.functions["sdk.fetch"].category == "network"
    assert cfg.functions["sdk.crunch"].cpu is True
    assert cfg.functions["sdk.popen"].action is Action.MARK
    kind = cfg.constructors["sdk.Client"]
    assert set(cfg.methods[kind]) == {"get", "put"}
    assert cfg.methods[kind]["get"].safety is Safety.NOT_SHARED
    assert cfg.ignore == {"os.path.exists"}
    assert parse_config({"functions": ["a.b", "c.d"]}, "x").functions.keys() == {"a.b", "c.d"}


@pytest.mark.parametrize("table,needle", [
    ({"function": ["a.b"]}, "unknown key(s) function"),
    ({"functions": {"a.b": {"catgory": "x"}}}, "unknown key(s) catgory"),
    ({"functions": {"a.b": {"safety": "maybe"}}}, "'maybe' is not one of"),
    ({"functions": {"a.b": {"action": "rewrite"}}}, "'rewrite' is not one of"),
    ({"functions": {"not a name": {}}}, "is not a dotted name"),
    ({"objects": {"sdk.Client": {"safety": "safe"}}}, "needs `methods"),
    ({"objects": {"sdk.Client": {"methods": []}}}, "non-empty list"),
    ({"ignore": "os.path.exists"}, "must be a list"),
])
def test_invalid_config_is_an_error_naming_the_file(table, needle):
    with pytest.raises(ConfigError) as exc:
        parse_config(table, "/proj/pyproject.toml")
    assert "/proj/pyproject.toml: [tool.flask2quart.blocking]" in str(exc.value)
    assert needle in str(exc.value)


def test_loaded_from_pyproject_and_unknown_key_names_the_file(tmp_path):
    write_tree(tmp_path, {"pyproject.toml": '[tool.flask2quart.blocking]\nextra = 1\n'})
    with pytest.raises(ConfigError) as exc:
        load_blocking_config(tmp_path)
    assert str(tmp_path / "pyproject.toml") in str(exc.value) and "extra" in str(exc.value)


def test_config_entries_are_rewritten_and_ignored_ones_are_not(tmp_path):
    out = migrate_tree(tmp_path, {
        "pyproject.toml": '[tool.flask2quart.blocking]\nfunctions = ["sdk.fetch"]\n'
                          'ignore = ["subprocess.run"]\n',
        "app.py": """\
            import subprocess
            import sdk
            from flask import Flask
            app = Flask(__name__)

            @app.route("/")
            def index():
                subprocess.run(["true"])
                return sdk.fetch("x")
            """,
    }, phase=2)
    assert "return await asyncio.to_thread(sdk.fetch, \"x\")" in out["app.py"]
    assert "    subprocess.run([\"true\"])" in out["app.py"]
