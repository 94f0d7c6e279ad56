"""--baseline git:REF exports that revision of the candidate's repository."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from flask2quart.harness import HarnessError
from tests.harness.conftest import FLASK_SHOP, QUART_SHOP, run

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")


def git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "init.defaultBranch=main", *args],
        cwd=repo, check=True, capture_output=True, text=True,
    ).stdout


@pytest.fixture
def repo(tmp_path):
    """main: the Flask shop in app/; then a commit that ports app/ to Quart."""
    root = tmp_path / "repo"
    app = root / "app"
    shutil.copytree(FLASK_SHOP, app)
    (root / "README.md").write_text("shop\n")
    git(root, "init", "-q")
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "flask")
    git(root, "tag", "flask-version")
    shutil.copy(QUART_SHOP / "shopapp.py", app / "shopapp.py")
    git(root, "commit", "-q", "-am", "port to quart")
    return root


def test_git_ref_baseline_against_working_tree(repo, shop_env):
    with run(repo / "app", baseline="git:HEAD~1", env=shop_env) as result:
        assert result.exit_code == 0, result.report("text")
        assert result.sides["baseline"].framework == "flask"
        assert result.sides["baseline"].tree.startswith("git:HEAD~1 of ")
        assert result.sides["candidate"].framework == "quart"
    # the user's repository is untouched: no worktree registered, nothing written
    assert git(repo, "status", "--porcelain") == ""
    assert len(git(repo, "worktree", "list").splitlines()) == 1


def test_git_tag_baseline_from_repo_root(repo, shop_env):
    with run(repo / "app", baseline="git:flask-version", env=shop_env) as result:
        assert result.exit_code == 0


def test_unknown_ref_is_an_error(repo, shop_env):
    with pytest.raises(HarnessError, match="--baseline git:nope"):
        run(repo / "app", baseline="git:nope", env=shop_env)


def test_candidate_outside_a_repository(tmp_path, shop_env):
    lone = tmp_path / "lone"
    shutil.copytree(QUART_SHOP, lone)
    with pytest.raises(HarnessError, match="--baseline git:main"):
        run(lone, baseline="git:main", env=shop_env)
