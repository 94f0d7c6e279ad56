"""``verify(...)``: the Python API behind ``flask2quart verify`` (and the pytest plugin).

    from flask2quart.harness import verify

    result = verify("legacy/", "migrated/", app="notebook:create_app()", corpus="corpus.jsonl",
                    setup_cli=["init-db"], env={"DATABASE": "{scratch}/db.sqlite"})
    assert result.ok, result.report("text")

Errors that stop a run (bad arguments, a bad corpus line, an app that does not
import, a failing ``--setup-cli``) raise :class:`HarnessError`; everything the apps
do (differences, timeouts, crashes) is in the returned :class:`VerifyResult`.
"""

from __future__ import annotations

import os
import re
import tempfile
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask2quart.harness import config as cfgmod
from flask2quart.harness import normalize as norm
from flask2quart.harness import scratch
from flask2quart.harness.corpus import CorpusError, read_corpus, validate_corpus
from flask2quart.harness.engine import Replay, Side, setup
from flask2quart.harness.errors import HarnessError
from flask2quart.harness.redact import Redactor
from flask2quart.harness.results import (
    EndpointStats,
    Totals,
    Writer,
    finalize,
    iter_records,
    load_accepted,
    remove_tree,
)
from flask2quart.harness.runner import Worker, WorkerSpec, resolve_python, shim_dir, worker_env

DEFAULT_TIMEOUT = 30.0


@dataclass
class SideInfo:
    name: str
    tree: str
    python: str
    framework: str
    framework_version: str
    python_version: str

    def as_dict(self) -> dict[str, str]:
        return dict(self.__dict__)


@dataclass
class VerifyResult:
    """What a run found. Counts are final (after noise and accepted differences).

    ``exit_code`` is what the CLI exits with: 0 when every request is equal, noise
    or accepted; 1 when any request differs or errored.
    """

    total: int
    equal: int
    different: int
    noise: int
    accepted: int
    errors: int
    endpoints: list[EndpointStats]
    normalizers: list[dict[str, Any]]
    noise_fields: dict[str, list[str]]
    sides: dict[str, SideInfo]
    app: str
    corpus: str
    seconds: float
    replay_seconds: float
    aa: bool
    restarts: dict[str, int]
    records_path: Path
    redactor: Redactor = field(repr=False)
    setup_cli: list[str] = field(default_factory=list)
    env_keys: list[str] = field(default_factory=list)
    corpus_file: Path | None = None  # the JSONL actually replayed (a HAR corpus is converted first)
    _workdir: Path | None = field(default=None, repr=False)

    @property
    def exit_code(self) -> int:
        return 1 if (self.different or self.errors) else 0

    @property
    def ok(self) -> bool:
        return self.exit_code == 0

    @property
    def pairs_per_second(self) -> float:
        return self.total / self.replay_seconds if self.replay_seconds else 0.0

    def records(self) -> Any:
        """Every request's record, in corpus order (streamed from disk)."""
        return iter_records(self.records_path)

    def flagged(self) -> Any:
        """Records whose outcome is not ``equal``."""
        return (r for r in self.records() if r["outcome"] != "equal")

    def differences(self) -> Any:
        """Records that make the run fail (``different`` or ``error``)."""
        return (r for r in self.records() if r["outcome"] in ("different", "error"))

    def report(self, fmt: str = "text") -> str:
        from flask2quart.reports import verify as reports

        return reports.render(self, fmt)

    def write_report(self, fmt: str, path: str | os.PathLike[str]) -> None:
        from flask2quart.reports import verify as reports

        reports.write(self, fmt, Path(path))

    def close(self) -> None:
        """Delete the run's scratch directory (reports can no longer be rendered)."""
        if self._workdir is not None:
            remove_tree(self._workdir)
            self._workdir = None

    def __enter__(self) -> VerifyResult:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def summary(self) -> str:
        return (
            f"{self.total} requests: {self.equal} equal, {self.different} different, "
            f"{self.noise} noise, {self.accepted} accepted, {self.errors} errors"
        )


def _as_list(value: Iterable[str] | str | None) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    return list(value)


def verify(
    baseline: str | os.PathLike[str],
    candidate: str | os.PathLike[str],
    app: str | None = None,
    corpus: str | os.PathLike[str] | None = None,
    *,
    setup_cli: Sequence[str] = (),
    env: Mapping[str, str] | None = None,
    baseline_python: str | None = None,
    candidate_python: str | None = None,
    timeout: float | None = None,
    accept: str | os.PathLike[str] | None = None,
    aa: bool = True,
    app_dir: str | None = None,
    config: str | os.PathLike[str] | bool | None = None,
    ignore_headers: Iterable[str] = (),
    ignore_cookies: Iterable[str] = (),
    ignore_json_paths: Iterable[str] = (),
    ignore_fields: Iterable[str] = (),
    replace: Iterable[tuple[str, str]] = (),
    disable_normalizers: Iterable[str] = (),
    redact_headers: Iterable[str] = (),
    redact_keys: Iterable[str] = (),
    redact_patterns: Iterable[str] = (),
    outbound_ignore_headers: Iterable[str] = (),
    reports: Mapping[str, str | os.PathLike[str]] | None = None,
    progress: Callable[[int, int, int], None] | None = None,
    workdir: str | os.PathLike[str] | None = None,
    startup_timeout: float = 120.0,
) -> VerifyResult:
    """Replay ``corpus`` against ``baseline`` (Flask) and ``candidate`` (Quart) and compare.

    ``baseline`` may be ``"git:REF"``: that revision of the candidate's repository.
    ``config``: path of a pyproject.toml, ``None`` for ``<candidate>/pyproject.toml``,
    ``False`` to ignore configuration files. ``reports`` maps formats to output
    paths, written before returning. ``progress(done, total, flagged)`` is called
    after every request. The result keeps its records in a temporary directory
    until :meth:`VerifyResult.close` (or the end of a ``with`` block).
    """
    started = time.monotonic()
    cand_tree = Path(candidate).resolve()
    if not cand_tree.is_dir():
        raise HarnessError(f"--candidate {candidate}: not a directory")
    if config is False:
        file_cfg = cfgmod.FileConfig()
    else:
        file_cfg = cfgmod.load(Path(config) if config not in (None, True) else cand_tree / "pyproject.toml")  # type: ignore[arg-type]
    cfg_dir = file_cfg.path.parent if file_cfg.path else cand_tree

    app = app or file_cfg.app
    if not app:
        raise HarnessError("--app is required (or set app in [tool.flask2quart.verify])")
    if corpus is None:
        if not file_cfg.corpus:
            raise HarnessError("--corpus is required (or set corpus in [tool.flask2quart.verify])")
        corpus = cfg_dir / file_cfg.corpus
    corpus_path = Path(corpus)
    if not corpus_path.is_file():
        raise HarnessError(f"--corpus {corpus}: no such file")
    timeout = float(timeout or file_cfg.timeout or DEFAULT_TIMEOUT)
    app_dir = app_dir or file_cfg.app_dir or "."
    all_env = dict(file_cfg.env)
    all_env.update(env or {})
    setup_cmds = list(file_cfg.setup_cli) + _as_list(setup_cli)

    try:
        user = norm.user_normalizers(norm.UserRules(
            ignore_headers=file_cfg.ignore_headers + _as_list(ignore_headers),
            ignore_cookies=file_cfg.ignore_cookies + _as_list(ignore_cookies),
            ignore_json_paths=file_cfg.ignore_json_paths + _as_list(ignore_json_paths),
            ignore_fields=file_cfg.ignore_fields + _as_list(ignore_fields),
            replace=file_cfg.replace + [(p, r, []) for p, r in replace],
            origin=str(file_cfg.path) if file_cfg.path else "options",
        ))
        normalizers = norm.select(file_cfg.disable_normalizers + _as_list(disable_normalizers), user)
    except (ValueError, re.error) as exc:
        raise HarnessError(f"normalizer configuration: {exc}") from None
    redactor = Redactor(
        headers=file_cfg.redact_headers + _as_list(redact_headers),
        keys=file_cfg.redact_keys + _as_list(redact_keys),
        patterns=file_cfg.redact_patterns + _as_list(redact_patterns),
    )
    accepted = load_accepted(Path(accept)) if accept else set()

    work = Path(tempfile.mkdtemp(prefix="f2q-verify-", dir=workdir))
    ok = False
    sides: list[Side] = []
    try:
        corpus_file = _prepare_corpus(corpus_path, work)
        try:
            total = validate_corpus(corpus_file)
        except CorpusError as exc:
            raise HarnessError(f"bad corpus line: {exc}") from None

        ref = scratch.parse_git_ref(str(baseline))
        if ref is not None:
            base_src = scratch.export_git_ref(cand_tree, ref, work / "git-export")
            base_label = f"git:{ref} of {cand_tree}"
        else:
            base_src = Path(baseline).resolve()
            if not base_src.is_dir():
                raise HarnessError(f"--baseline {baseline}: not a directory (or use git:REF)")
            base_label = str(base_src)

        shim = shim_dir(work)
        b_python = resolve_python(baseline_python)
        c_python = resolve_python(candidate_python)

        def make_side(name: str, src: Path, python: str, outbound: str, slug: str) -> Side:
            tree = scratch.copy_tree(src, work / slug)
            spec = WorkerSpec(
                side=name, python=python, tree=tree, app=app, app_dir=app_dir, outbound=outbound,  # type: ignore[arg-type]
                env=worker_env(None, all_env, tree, shim), log=work / f"{slug}.log", startup_timeout=startup_timeout,
            )
            return Side(name, Worker(spec))

        b1 = make_side("baseline", base_src, b_python, "record", "baseline")
        b2 = make_side("baseline (A/A)", base_src, b_python, "replay", "baseline-aa") if aa else None
        cand = make_side("candidate", cand_tree, c_python, "replay", "candidate")
        sides = [s for s in (b1, b2, cand) if s is not None]
        setup(sides, setup_cmds, max(timeout, 60.0))

        writer = Writer(work / "raw.jsonl")
        tick = None
        if progress is not None:
            def tick(done: int, flagged: int) -> None:
                progress(done, total, flagged)
        replay = Replay(
            baseline=b1, aa=b2, candidate=cand, normalizers=normalizers,
            outbound_ignored=frozenset(h.lower() for h in file_cfg.outbound_ignore_headers + _as_list(outbound_ignore_headers)),
            timeout=timeout, writer=writer, progress=tick,
        )
        replay_started = time.monotonic()
        try:
            replay.run(read_corpus(corpus_file))
        finally:
            writer.close()
        replay_seconds = time.monotonic() - replay_started
        infos = {
            "baseline": _side_info("baseline", base_label, b1),
            "candidate": _side_info("candidate", str(cand_tree), cand),
        }
        for side in sides:
            side.worker.close()
        totals: Totals = finalize(work / "raw.jsonl", work / "results.jsonl", replay.endpoint_noise, accepted)
        (work / "raw.jsonl").unlink()
        result = VerifyResult(
            total=totals.total, equal=totals.equal, different=totals.different, noise=totals.noise,
            accepted=totals.accepted, errors=totals.error,
            endpoints=sorted(totals.endpoints.values(), key=lambda e: e.endpoint),
            normalizers=[
                dict(_describe(name, normalizers), count=count) for name, count in sorted(replay.fired.items())
            ],
            noise_fields=totals.noise_fields, sides=infos, app=app, corpus=str(corpus_path),
            seconds=time.monotonic() - started, replay_seconds=replay_seconds, aa=aa,
            restarts=dict(replay.restarts), records_path=work / "results.jsonl", redactor=redactor,
            setup_cli=setup_cmds, env_keys=sorted(all_env), corpus_file=corpus_file, _workdir=work,
        )
        for fmt, path in (reports or {}).items():
            result.write_report(fmt, Path(path))
        ok = True
        return result
    finally:
        for side in sides:
            side.worker.kill()
        if not ok:
            remove_tree(work)


def _describe(name: str, normalizers: list[norm.Normalizer]) -> dict[str, Any]:
    for n in normalizers:
        if n.name == name:
            return dict(n.describe(), builtin=n.builtin)
    return {"name": name, "summary": "", "explanation": "", "source": "", "builtin": False}


def _side_info(name: str, tree: str, side: Side) -> SideInfo:
    info = side.worker.info
    return SideInfo(
        name=name, tree=tree, python=side.worker.spec.python, framework=info.get("framework", "?"),
        framework_version=info.get("framework_version", "?"), python_version=info.get("python", "?"),
    )


def _prepare_corpus(path: Path, work: Path) -> Path:
    """HAR files are converted to a JSONL corpus first; JSONL is used in place."""
    if path.suffix.lower() == ".har":
        from flask2quart.harness import har

        out = work / "corpus-from-har.jsonl"
        har.har_to_corpus(path, out)
        return out
    return path
