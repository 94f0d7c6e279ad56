"""pytest plugin: a verification corpus as ordinary test items.

    pytest --flask2quart-corpus corpus.jsonl --flask2quart-baseline git:main

adds one test item per corpus request (``corpus.jsonl::[12] POST /api/notes``). The
first item to run replays the whole corpus once through the public harness API
(:func:`flask2quart.harness.verify`: baseline on Flask, candidate on Quart, A/A noise
detection); every item then passes or fails on its own request's outcome, so a
difference shows up as a failing test with the differing fields in its report.

The plugin is registered for every pytest run through the ``pytest11`` entry point; it
is inert without ``--flask2quart-corpus``: it only declares its options, and imports
nothing beyond the standard library and pytest until the option is given.

Other settings come from ``[tool.flask2quart.verify]`` in the candidate's pyproject
(``app``, ``setup_cli``, ``env``, normalizers …), as for ``flask2quart verify``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

_STATE = "_flask2quart_corpus_state"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("flask2quart", "flask2quart: replay a corpus against Flask and Quart")
    group.addoption("--flask2quart-corpus", metavar="FILE", default=None,
                    help="Turn this corpus (JSONL or .har) into one test item per request.")
    group.addoption("--flask2quart-baseline", metavar="DIR|git:REF", default=None,
                    help="The Flask tree, or git:REF of the candidate's repository (required with the corpus).")
    group.addoption("--flask2quart-candidate", metavar="DIR", default=None,
                    help="The Quart tree (default: the pytest rootdir).")
    group.addoption("--flask2quart-app", metavar="MODULE:EXPR", default=None,
                    help="The app, e.g. 'notebook:create_app()' (default: app in [tool.flask2quart.verify]).")
    group.addoption("--flask2quart-accept", metavar="FILE", default=None,
                    help="Known differences (a verify JSON report); only new ones fail.")
    group.addoption("--flask2quart-no-aa", action="store_true", default=False,
                    help="Skip the A/A baseline run (faster; nothing is classified as noise).")


def pytest_configure(config: pytest.Config) -> None:
    if config.getoption("flask2quart_corpus", None) is None:
        return
    if not config.getoption("flask2quart_baseline"):
        raise pytest.UsageError("--flask2quart-corpus needs --flask2quart-baseline DIR|git:REF")
    corpus = Path(config.getoption("flask2quart_corpus"))
    if not corpus.is_file():
        raise pytest.UsageError(f"--flask2quart-corpus {corpus}: no such file")
    config.addinivalue_line("markers", "flask2quart: a request of the flask2quart verification corpus")
    setattr(config, _STATE, _Run(config, corpus))


@pytest.hookimpl(tryfirst=True)  # before -k/-m deselection, so they apply to corpus items too
def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config, items: list) -> None:
    run = getattr(config, _STATE, None)
    if run is None:
        return
    collector = CorpusFile.from_parent(session, path=run.corpus.resolve())
    items.extend(collector.collect())


def pytest_unconfigure(config: pytest.Config) -> None:
    run = getattr(config, _STATE, None)
    if run is not None:
        run.close()


class _Run:
    """One ``verify`` run per session, started by the first corpus item that runs."""

    def __init__(self, config: pytest.Config, corpus: Path) -> None:
        self.config = config
        self.corpus = corpus
        self.result: Any = None
        self.error: str | None = None
        self.records: dict[int, dict[str, Any]] = {}
        self.done = False

    def ensure(self) -> None:
        if self.done:
            return
        self.done = True
        from flask2quart.harness import verify
        from flask2quart.harness.errors import HarnessError

        opt = self.config.getoption
        candidate = opt("flask2quart_candidate") or str(self.config.rootpath)
        try:
            self.result = verify(opt("flask2quart_baseline"), candidate, app=opt("flask2quart_app"),
                                 corpus=self.corpus, accept=opt("flask2quart_accept"),
                                 aa=not opt("flask2quart_no_aa"))
        except HarnessError as exc:
            self.error = f"flask2quart verify could not run: {exc}"
            return
        self.records = {r["seq"]: r for r in self.result.records()}

    def close(self) -> None:
        if self.result is not None:
            self.result.close()
            self.result = None


def _requests(corpus: Path) -> list[Any]:
    from flask2quart.harness.corpus import CorpusError, read_corpus

    path = corpus
    if corpus.suffix.lower() == ".har":
        import tempfile

        from flask2quart.harness import har

        path = Path(tempfile.mkdtemp(prefix="f2q-pytest-")) / "corpus.jsonl"
        har.har_to_corpus(corpus, path)
    try:
        return list(read_corpus(path))
    except CorpusError as exc:
        raise pytest.UsageError(f"--flask2quart-corpus {corpus}: {exc}") from None


class CorpusFile(pytest.File):
    def collect(self):
        for req in _requests(self.path):
            name = f"[{req.seq}] {req.method} {req.path}" + (f" ({req.id})" if req.id else "")
            yield CorpusItem.from_parent(self, name=name, request=req)


class CorpusDifference(Exception):
    pass


class CorpusItem(pytest.Item):
    def __init__(self, *, request: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.request_ = request
        self.add_marker("flask2quart")

    def runtest(self) -> None:
        run: _Run = getattr(self.config, _STATE)
        run.ensure()
        if run.error:
            raise CorpusDifference(run.error)
        rec = run.records.get(self.request_.seq)
        if rec is None:
            raise CorpusDifference(f"request {self.request_.seq} was not replayed")
        if rec["outcome"] in ("different", "error"):
            raise CorpusDifference(_describe(rec))

    def repr_failure(self, excinfo, style=None):  # noqa: ANN001
        if isinstance(excinfo.value, CorpusDifference):
            return str(excinfo.value)
        return super().repr_failure(excinfo, style=style)

    def reportinfo(self):
        return self.path, self.request_.line - 1, f"{self.request_.method} {self.request_.path} " \
                                                  f"(corpus line {self.request_.line})"


def _clip(value: Any, limit: int = 300) -> str:
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= limit else text[:limit] + "…"


def _describe(rec: dict[str, Any]) -> str:
    out = [f"{rec['method']} {rec['path']} (session {rec.get('session')}, corpus line {rec.get('line')}): "
           f"{rec['outcome']}"]
    for f in rec.get("fields", []):
        if f.get("class") == "difference":
            out.append(f"  {f['field']}:\n    baseline:  {_clip(f.get('baseline'))}\n"
                       f"    candidate: {_clip(f.get('candidate'))}")
    for e in rec.get("errors", []):
        out.append(f"  {e.get('side')}: {e.get('kind')}: {_clip(e.get('message', ''))}")
    return "\n".join(out)


def pytest_report_header(config: pytest.Config) -> list[str] | None:
    run = getattr(config, _STATE, None)
    if run is None:
        return None
    return [f"flask2quart: corpus {run.corpus} against baseline {config.getoption('flask2quart_baseline')}"]


__all__ = ["CorpusFile", "CorpusItem"]
