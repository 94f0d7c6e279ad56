"""``flask2quart migrate --format json|github|sarif`` and ``--report``; coloured diffs."""

from __future__ import annotations

import json
import re

import pytest

from flask2quart import engine
from flask2quart.commands.migrate import colourize_diff
from flask2quart.reports import migration_formats as MF
from tests.helpers import run_cli, write_tree
from tests.reports.conftest import DATA, SCHEMAS, cli, validator

ANNOTATION = re.compile(r"^::(notice|warning|error) file=([^,]+),line=(\d+),title=([^:]+)::(.*)$")


def test_json_report_and_format_match_schema(app_tree, tmp_path):
    write_tree(app_tree, {"broken.py": "def f(:\n"})
    out = tmp_path / "r.json"
    proc = cli("migrate", str(app_tree), "--check", "--format", "json", "--report", str(out))
    assert proc.returncode == 2  # a file does not parse
    doc = json.loads(proc.stdout)
    assert doc == json.loads(out.read_text())
    validator(SCHEMAS / "report.schema.json").validate(doc)
    files = {f["path"]: f for f in doc["files"]}
    assert files["broken.py"]["status"] == "failed" and "parse" in files["broken.py"]["error"]
    assert files["pkg/views.py"]["markers"][0]["code"] == "F2Q191"
    assert doc["summary"] == {"files": 5, "changed": 4, "failed": 1, "markers": 2}
    # the schema is not a rubber stamp
    doc["files"][0]["rules"] = {"X1": 1}
    assert list(validator(SCHEMAS / "report.schema.json").iter_errors(doc))


def test_github_annotations(app_tree):
    proc = run_cli("migrate", str(app_tree), "--check", "--format", "github")
    assert proc.returncode == 1
    lines = proc.stdout.splitlines()
    parsed = [ANNOTATION.match(ln) for ln in lines]
    assert all(parsed), lines
    by_file = {(m.group(1), m.group(2)) for m in parsed}
    assert ("error", "pkg/forms.py") in by_file  # pending rewrite fails under --check
    marker = next(m for m in parsed if m.group(1) == "warning" and m.group(2) == "pkg/views.py")
    assert marker.group(3) == "17" and marker.group(4).startswith("F2Q191 ")
    assert "would rewrite" in proc.stderr  # the human summary moves to stderr
    dry = cli("migrate", str(app_tree), "--dry-run", "--format", "github")
    assert dry.returncode == 0 and "::notice file=pkg/forms.py,line=1," in dry.stdout


def test_github_escaping():
    line = MF.annotation("warning", "a,b:c.py", 3, "T: x, y", "50% done\nnext")
    assert line == "::warning file=a%2Cb%3Ac.py,line=3,title=T%3A x%2C y::50%25 done%0Anext"


def test_sarif_is_valid(app_tree):
    proc = cli("migrate", str(app_tree), "--dry-run", "--format", "sarif")
    assert proc.returncode == 0, proc.stderr
    log = json.loads(proc.stdout)
    validator(DATA / "sarif-2.1.0-structural.schema.json").validate(log)
    run = log["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    ids = [r["id"] for r in rules]
    assert len(ids) == len(set(ids))
    for res in run["results"]:
        assert rules[res["ruleIndex"]]["id"] == res["ruleId"]
        uri = res["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        assert (app_tree / uri).is_file()
    marker = next(r for r in run["results"] if r["ruleId"] == "F2Q191")
    assert marker["level"] == "warning"
    assert marker["locations"][0]["physicalLocation"]["region"]["startLine"] == 17
    assert run["originalUriBaseIds"]["SRCROOT"]["uri"] == app_tree.resolve().as_uri() + "/"
    # a typo in a property name is caught by the structural schema
    run["results"][0]["rule_id"] = "x"
    assert list(validator(DATA / "sarif-2.1.0-structural.schema.json").iter_errors(log))


def test_sarif_check_levels(app_tree):
    result = engine.run([app_tree], 1)
    checked = MF.sarif(result, check=True)["runs"][0]["results"]
    assert {r["level"] for r in checked if r["ruleId"] == "F2Q101"} == {"error"}
    plain = MF.sarif(result)["runs"][0]["results"]
    assert {r["level"] for r in plain if r["ruleId"] == "F2Q101"} == {"note"}


def test_diff_with_machine_format_is_refused(app_tree):
    proc = cli("migrate", str(app_tree), "--diff", "--format", "sarif")
    assert proc.returncode == 2 and "--diff" in proc.stderr


def test_colour_only_for_diff_lines():
    patch = "--- a/x.py\n+++ b/x.py\n@@ -1 +1 @@\n-def f():\n+async def f():\n ctx\n"
    out = colourize_diff(patch)
    assert "\x1b[32m+async def f():" in out and "\x1b[31m-def f():" in out
    assert " ctx\n" in out and re.sub(r"\x1b\[[0-9;]*m", "", out) == patch


def test_plain_diff_when_not_a_tty(app_tree):
    proc = cli("migrate", str(app_tree), "--diff")
    assert proc.returncode == 0 and "\x1b[" not in proc.stdout and "+async def create" in proc.stdout


@pytest.mark.parametrize("flag", ["-v", "--verbose"])
def test_verbose_lists_rules_per_file(app_tree, flag):
    proc = cli("migrate", str(app_tree), "--dry-run", flag)
    assert "pkg/forms.py: F2Q101×1, F2Q102×1, F2Q103×2, F2Q104×1" in proc.stdout
    quiet = cli("migrate", str(app_tree), "--dry-run", "-q")
    assert quiet.stdout == "" and quiet.returncode == 0


def test_pre_commit_check_hook(app_tree):
    """The published hook's entry, as pre-commit runs it (user args appended) in the project."""
    import shlex

    from tests.helpers import ROOT

    yaml = pytest.importorskip("yaml")
    hooks = {h["id"]: h for h in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())}
    check = hooks["flask2quart-check"]
    assert check["pass_filenames"] is False
    argv = shlex.split(check["entry"])
    assert argv[:3] == ["flask2quart", "migrate", "--check"]
    assert cli(*argv[1:], "--phase", "1", cwd=app_tree).returncode == 1  # work pending
    assert cli("migrate", ".", "--allow-dirty", cwd=app_tree).returncode == 0
    assert cli(*argv[1:], "--phase", "1", cwd=app_tree).returncode == 0  # phase complete
    assert shlex.split(hooks["flask2quart-verify"]["entry"]) == ["flask2quart", "verify"]


def test_paths_relative_to_the_working_directory(app_tree):
    """GitHub resolves annotation and SARIF paths from the checkout root (the cwd in CI)."""
    gh = cli("migrate", "proj", "--dry-run", "--format", "github", cwd=app_tree.parent)
    assert "::notice file=proj/pkg/forms.py,line=1," in gh.stdout
    log = json.loads(cli("migrate", "proj", "--dry-run", "--format", "sarif", cwd=app_tree.parent).stdout)
    run = log["runs"][0]
    assert run["originalUriBaseIds"]["SRCROOT"]["uri"] == app_tree.parent.resolve().as_uri() + "/"
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in run["results"]}
    assert "proj/pkg/views.py" in uris and all((app_tree.parent / u).is_file() for u in uris)
