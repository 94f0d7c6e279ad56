"""``[tool.flask2quart]``: typed settings, validation errors naming file and key, CLI
overrides; ``# flask2quart: ignore[...]`` suppression."""

from __future__ import annotations

import textwrap

import pytest

from flask2quart.config import ConfigError, Settings, load_config, load_settings
from tests.helpers import migrate_one, write_tree
from tests.reports.conftest import cli


def _pyproject(root, body: str):
    root.mkdir(parents=True, exist_ok=True)
    (root / "pyproject.toml").write_text(textwrap.dedent(body))
    return root / "pyproject.toml"


def test_settings_parsed(tmp_path):
    path = _pyproject(tmp_path, """
        [tool.flask2quart]
        phase = 2
        exclude = ["migrations/*"]
        select = ["f2q101", "F2Q102"]
        ignore = "F2Q111"
        target-quart = "0.23.1"
        [tool.flask2quart.verify]
        app = "x:app"
    """)
    (tmp_path / "sub").mkdir()
    s = load_settings(tmp_path / "sub")  # found from a subdirectory
    assert s.path == path and s.phase == 2 and s.exclude == ("migrations/*",)
    assert s.select == {"F2Q101", "F2Q102"} and s.ignore == {"F2Q111"} and s.target_quart == "0.23.1"
    assert s.tables == {"verify": {"app": "x:app"}}
    assert load_config(tmp_path)["phase"] == 2  # the raw loader other wings use


def test_no_config_is_empty(tmp_path):
    assert load_settings(tmp_path / "nowhere") == Settings() or load_settings(tmp_path).phase is None


@pytest.mark.parametrize("body, words", [
    ("phase = 4", ["phase", "1, 2 or 3"]),
    ("phase = true", ["phase"]),
    ("exclude = [1]", ["exclude", "list of strings"]),
    ("select = ['F2Q1']", ["select", "F2Q1"]),
    ("target-quart = 'latest'", ["target-quart"]),
    ("selct = ['F2Q101']", ["unknown key 'selct'"]),
    ("verify = 3", ["[tool.flask2quart.verify] must be a table"]),
])
def test_bad_settings_name_file_and_key(tmp_path, body, words):
    path = _pyproject(tmp_path, f"[tool.flask2quart]\n{body}\n")
    with pytest.raises(ConfigError) as err:
        load_settings(tmp_path)
    assert str(path) in str(err.value)
    for w in words:
        assert w in str(err.value)


def test_unparsable_pyproject(tmp_path):
    _pyproject(tmp_path, "[tool.flask2quart\n")
    with pytest.raises(ConfigError, match="cannot read"):
        load_settings(tmp_path)


def test_rule_selection_precedence():
    s = Settings(select=frozenset({"F2Q101", "F2Q102"}), ignore=frozenset({"F2Q102"}))
    assert s.rules() == {"F2Q101"}
    assert s.rules(cli_select=["F2Q103"]) == {"F2Q103"}           # --select replaces config
    assert s.rules(cli_select=["F2Q103"], cli_ignore=["F2Q103"]) == set()
    assert Settings(ignore=frozenset({"F2Q111"})).rules(known={"F2Q101", "F2Q111"}) == {"F2Q101"}
    assert Settings().rules() is None


APP = """
from flask import Flask, request

app = Flask(__name__)

@app.route("/")
def index():
    return request.form["a"]
"""


def test_cli_uses_config_and_flags_override(tmp_path):
    root = tmp_path / "proj"
    write_tree(root, {"app.py": APP, "legacy/old.py": APP})
    _pyproject(root, """
        [tool.flask2quart]
        exclude = ["legacy/*"]
        ignore = ["F2Q102"]
    """)
    proc = cli("migrate", str(root), "--dry-run")
    assert proc.returncode == 0
    assert "app.py: F2Q101×2, F2Q103×1\n" in proc.stdout and "legacy" not in proc.stdout
    proc = cli("migrate", str(root), "--dry-run", "--select", "F2Q101")
    assert "app.py: F2Q101×2\n" in proc.stdout
    scan = cli("scan", str(root), "--format", "json")
    assert '"F2Q102"' not in scan.stdout and "legacy" not in scan.stdout


def test_cli_bad_config_exits_2(tmp_path):
    root = tmp_path / "proj"
    write_tree(root, {"app.py": APP})
    path = _pyproject(root, "[tool.flask2quart]\nphase = 9\n")
    for cmd in ("migrate", "scan"):
        proc = cli(cmd, str(root), "--dry-run") if cmd == "migrate" else cli(cmd, str(root))
        assert proc.returncode == 2 and str(path) in proc.stderr and "phase" in proc.stderr


SUPPRESSED = """
from flask import Flask, request, render_template

app = Flask(__name__)

@app.route("/")
def index():
    a = request.form  # flask2quart: ignore[F2Q102]
    b = request.files  # flask2quart: ignore[F2Q999, F2Q102]
    return render_template("x.html", a=a, b=request.form)
"""


def test_suppression_per_line_and_code(tmp_path):
    out = migrate_one(tmp_path, SUPPRESSED)
    assert "a = request.form  # flask2quart: ignore[F2Q102]" in out
    assert "b = request.files  # flask2quart: ignore[F2Q999, F2Q102]" in out
    assert "return await render_template(\"x.html\", a=a, b=await request.form)" in out
    assert "async def index" in out  # other rules on other lines still apply


def test_suppression_of_another_code_does_not_hide(tmp_path):
    out = migrate_one(tmp_path, SUPPRESSED.replace("ignore[F2Q102]", "ignore[F2Q101]"))
    assert "a = await request.form" in out
