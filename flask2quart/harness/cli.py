"""The ``verify``, ``record`` and ``corpus`` commands (thin layers over the Python API).

Exit codes (all three commands): 0 success / all equivalent, 1 differences found
(``verify`` only), 2 error (bad arguments, bad corpus line, app does not import).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import click

from flask2quart.harness.errors import HarnessError

FORMATS = ("text", "json", "junit", "markdown", "html")


def _fail(message: str) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(2)


def _parse_env(values: tuple[str, ...]) -> dict[str, str]:
    env = {}
    for item in values:
        key, eq, value = item.partition("=")
        if not eq or not key:
            raise click.BadParameter(f"{item!r} is not KEY=VALUE", param_hint="--env")
        env[key] = value
    return env


def _report_targets(reports: tuple[str, ...], fmt: str | None) -> list[tuple[str, Path]]:
    from flask2quart.reports.verify import format_for

    out = []
    for spec in reports:
        head, colon, rest = spec.partition(":")
        if colon and head in FORMATS:
            out.append((head, Path(rest)))
            continue
        path = Path(spec)
        if fmt and len(reports) == 1:
            out.append((fmt, path))
            continue
        try:
            out.append((format_for(path), path))
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="--report") from None
    return out


class _Progress:
    """A rich progress bar on a terminal; a few plain lines otherwise."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.bar: Any = None
        self.task: Any = None
        self.next_plain = 0.1

    def __call__(self, done: int, total: int, flagged: int) -> None:
        if not self.enabled:
            return
        if sys.stderr.isatty():
            if self.bar is None:
                from rich.console import Console
                from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

                self.bar = Progress(
                    TextColumn("replaying"), BarColumn(), MofNCompleteColumn(),
                    TextColumn("{task.fields[flagged]} flagged"), TimeRemainingColumn(),
                    console=Console(stderr=True), transient=True,
                )
                self.bar.start()
                self.task = self.bar.add_task("replay", total=total, flagged=0)
            self.bar.update(self.task, completed=done, flagged=flagged)
        elif total and done / total >= self.next_plain:
            click.echo(f"replayed {done}/{total} requests ({flagged} flagged)", err=True)
            while done / total >= self.next_plain:
                self.next_plain += 0.1

    def stop(self) -> None:
        if self.bar is not None:
            self.bar.stop()


@click.command("verify")
@click.option("--baseline", required=True, metavar="DIR|git:REF", help="The Flask tree, or git:REF of the candidate's repository.")
@click.option("--candidate", default=".", show_default=True, metavar="DIR", help="The Quart tree.")
@click.option("--app", "app", metavar="MODULE:EXPR", help='e.g. "notebook:create_app()"; evaluated in each side\'s process.')
@click.option("--corpus", metavar="FILE", help="JSONL corpus (or a .har file).")
@click.option("--setup-cli", multiple=True, metavar="ARGS", help='App CLI command run in each side before replay, e.g. "init-db". Repeatable.')
@click.option("--env", "env", multiple=True, metavar="KEY=VALUE", help="Environment for both sides; {scratch} expands to the side's scratch dir. Repeatable.")
@click.option("--baseline-python", metavar="PY", help="Interpreter for the baseline (default: this one).")
@click.option("--candidate-python", metavar="PY", help="Interpreter for the candidate (default: this one).")
@click.option("--format", "fmt", type=click.Choice(FORMATS), help="Output format on stdout (default text), or of a single --report.")
@click.option("--report", "reports", multiple=True, metavar="[FORMAT:]FILE", help="Write a report; format from FORMAT: or the extension (.txt .json .xml .md .html). Repeatable.")
@click.option("--accept", type=click.Path(exists=True, dir_okay=False), help="Known differences (a JSON report); only new ones fail.")
@click.option("--timeout", type=float, metavar="S", help="Seconds per request before the side is killed and restarted (default 30).")
@click.option("--app-dir", metavar="DIR", help="Directory inside each tree to put on sys.path (default: the tree).")
@click.option("--config", type=click.Path(dir_okay=False), help="pyproject.toml with [tool.flask2quart.verify] (default: the candidate's).")
@click.option("--no-config", is_flag=True, help="Ignore pyproject.toml.")
@click.option("--no-aa", is_flag=True, help="Skip the A/A baseline run (faster; nothing is classified as noise).")
@click.option("--ignore-header", multiple=True, metavar="NAME")
@click.option("--ignore-cookie", multiple=True, metavar="NAME")
@click.option("--ignore-json-path", multiple=True, metavar="PATH", help="e.g. '$.items[*].updated_at'.")
@click.option("--ignore-field", multiple=True, metavar="GLOB", help="Field-name glob, e.g. 'outbound[*].header:x-trace'.")
@click.option("--replace", nargs=2, multiple=True, metavar="REGEX REPLACEMENT", help="Regex replacement in text bodies before comparing.")
@click.option("--disable-normalizer", multiple=True, metavar="NAME")
@click.option("--redact-header", multiple=True, metavar="NAME")
@click.option("--redact-key", multiple=True, metavar="NAME", help="Query/form/JSON key (substring, case-insensitive) to redact.")
@click.option("--redact-pattern", multiple=True, metavar="REGEX")
@click.option("--outbound-ignore-header", multiple=True, metavar="NAME")
@click.option("--list-normalizers", is_flag=True, help="Print the built-in normalizers and exit.")
@click.option("-q", "--quiet", is_flag=True, help="No progress output.")
def verify(**opts: Any) -> None:
    """Replay a corpus against the Flask baseline and the Quart candidate and compare.

    Exit status: 0 all equivalent (after normalization, noise and accepted
    differences), 1 differences or errors on a request, 2 the run itself failed.
    """
    if opts["list_normalizers"]:
        from flask2quart.harness.normalize import BUILTINS

        for n in BUILTINS.values():
            click.echo(f"{n.name}\n  {n.summary}\n  {n.explanation}\n  source: {n.source}\n")
        return
    from flask2quart.harness.api import verify as run_verify

    env = _parse_env(opts["env"])
    targets = _report_targets(opts["reports"], opts["fmt"])
    progress = _Progress(not opts["quiet"])
    try:
        result = run_verify(
            opts["baseline"], opts["candidate"], opts["app"], opts["corpus"],
            setup_cli=opts["setup_cli"], env=env,
            baseline_python=opts["baseline_python"], candidate_python=opts["candidate_python"],
            timeout=opts["timeout"], accept=opts["accept"], aa=not opts["no_aa"], app_dir=opts["app_dir"],
            config=False if opts["no_config"] else opts["config"],
            ignore_headers=opts["ignore_header"], ignore_cookies=opts["ignore_cookie"],
            ignore_json_paths=opts["ignore_json_path"], ignore_fields=opts["ignore_field"], replace=opts["replace"],
            disable_normalizers=opts["disable_normalizer"], redact_headers=opts["redact_header"],
            redact_keys=opts["redact_key"], redact_patterns=opts["redact_pattern"],
            outbound_ignore_headers=opts["outbound_ignore_header"],
            progress=progress,
        )
    except HarnessError as exc:
        progress.stop()
        _fail(str(exc))
        return
    progress.stop()
    with result:
        for fmt, path in targets:
            result.write_report(fmt, path)
        if targets and not opts["fmt"]:
            click.echo(f"flask2quart verify: {'PASS' if result.ok else 'FAIL'} - {result.summary()}")
            for fmt, path in targets:
                click.echo(f"  {fmt} report: {path}")
        else:
            click.echo(result.report(opts["fmt"] or "text"), nl=False)
        code = result.exit_code
    sys.exit(code)


@click.command("record", context_settings={"ignore_unknown_options": True, "allow_interspersed_args": False})
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False), help="Corpus file to append to.")
@click.option("--app", "app", metavar="MODULE:EXPR", help="Serve this Flask app with Werkzeug's server while recording.")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--app-dir", default=".", show_default=True)
@click.option("--keep-cookies", is_flag=True, help="Keep Cookie request headers (dropped by default).")
@click.argument("command", nargs=-1, type=click.UNPROCESSED)
def record(output: str, app: str | None, host: str, port: int, app_dir: str, keep_cookies: bool, command: tuple[str, ...]) -> None:
    """Append live traffic of a Flask app to a JSONL corpus.

    \b
    Around any server command (no code change; every Flask app in it records):
      flask2quart record -o corpus.jsonl -- gunicorn -w 4 "myapp:create_app()"
      flask2quart record -o corpus.jsonl -- flask --app myapp run
    Or serve the app directly:
      flask2quart record -o corpus.jsonl --app "myapp:create_app()" --port 5000
    """
    from flask2quart.harness import record as rec

    if bool(app) == bool(command):
        _fail("give either --app MODULE:EXPR or a server command after --")
    env = dict(os.environ)
    env[rec.ENV_VAR] = os.path.abspath(output)
    if keep_cookies:
        env[rec.ENV_KEEP_COOKIES] = "1"
    with tempfile.TemporaryDirectory(prefix="f2q-record-") as tmp:
        if app:
            argv = [sys.executable, "-m", "flask2quart.harness.record", "--app", app, "--host", host, "--port", str(port), "--app-dir", app_dir]
            rec.package_dir(tmp)  # served directly: only the package link, no global patch
        else:
            argv = list(command)
            rec.hook_dir(tmp)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (tmp, env.get("PYTHONPATH", "")) if p)
        click.echo(f"flask2quart record: appending requests to {env[rec.ENV_VAR]}", err=True)
        try:
            code = subprocess.call(argv, env=env)
        except FileNotFoundError:
            _fail(f"command not found: {argv[0]}")
            return
        except KeyboardInterrupt:
            code = 130
    sys.exit(code)


@click.command("corpus")
@click.option("--from-har", "from_har", type=click.Path(exists=True, dir_okay=False), help="Convert a HAR 1.2 file to JSONL.")
@click.option("--to-har", "to_har", type=click.Path(exists=True, dir_okay=False), help="Convert a JSONL corpus to HAR 1.2.")
@click.option("--from-url-map", is_flag=True, help="Generate a starter corpus from --app's routes.")
@click.option("--check", "check", type=click.Path(exists=True, dir_okay=False), help="Validate a corpus (exit 2 on the first bad line).")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Output file (default: stdout for JSONL).")
@click.option("--app", "app", metavar="MODULE:EXPR")
@click.option("--tree", default=".", show_default=True, type=click.Path(exists=True, file_okay=False), help="Tree containing the app (--from-url-map).")
@click.option("--python", "python", metavar="PY", help="Interpreter for --from-url-map.")
@click.option("--app-dir", default=".", show_default=True)
@click.option("--env", "env", multiple=True, metavar="KEY=VALUE")
@click.option("--include-unsafe", is_flag=True, help="--from-url-map: also POST/PUT/PATCH/DELETE with empty bodies.")
@click.option("--session", default="har", show_default=True, help="--from-har: corpus session for the entries.")
@click.option("--host", help="--from-har: keep only requests to this host (default: the first entry's host).")
@click.option("--keep-cookies", is_flag=True, help="--from-har: keep Cookie headers.")
@click.option("--base-url", default="http://localhost", show_default=True, help="--to-har: scheme and host of the URLs.")
def corpus(**opts: Any) -> None:
    """Create, convert and check request corpora."""
    from flask2quart.harness import corpus as corpus_mod
    from flask2quart.harness import har

    modes = [m for m in ("from_har", "to_har", "from_url_map", "check") if opts[m]]
    if len(modes) != 1:
        _fail("choose exactly one of --from-har, --to-har, --from-url-map, --check")
    mode = modes[0]
    try:
        if mode == "check":
            n = corpus_mod.validate_corpus(opts["check"])
            click.echo(f"{opts['check']}: {n} requests, all valid")
        elif mode == "from_har":
            out = _required_output(opts)
            info = har.har_to_corpus(opts["from_har"], out, session=opts["session"], host=opts["host"], keep_cookies=opts["keep_cookies"])
            click.echo(f"wrote {info['written']} requests for host {info['host']} to {out}", err=True)
            if info["skipped_hosts"]:
                skipped = ", ".join(f"{h} ({n})" for h, n in sorted(info["skipped_hosts"].items()))
                click.echo(f"skipped other hosts: {skipped} (use --host to choose)", err=True)
        elif mode == "to_har":
            out = _required_output(opts)
            n = har.corpus_to_har(opts["to_har"], out, base_url=opts["base_url"])
            click.echo(f"wrote {n} entries to {out}", err=True)
        else:
            if not opts["app"]:
                _fail("--from-url-map needs --app MODULE:EXPR")
            from flask2quart.harness.urlmap import corpus_from_url_map

            entries = corpus_from_url_map(
                opts["app"], opts["tree"], python=opts["python"], app_dir=opts["app_dir"],
                env=_parse_env(opts["env"]), include_unsafe=opts["include_unsafe"],
            )
            _write_lines(opts["output"], (corpus_mod.dump_line(e) for e in entries))
            if opts["output"]:
                click.echo(f"wrote {len(entries)} requests to {opts['output']}", err=True)
    except corpus_mod.CorpusError as exc:
        _fail(f"bad corpus line: {exc}")
    except HarnessError as exc:
        _fail(str(exc))


def _required_output(opts: dict[str, Any]) -> str:
    if not opts["output"]:
        _fail("--output is required")
    return str(opts["output"])


def _write_lines(path: str | None, lines: Any) -> None:
    if path:
        with open(path, "w", encoding="utf-8") as fh:
            fh.writelines(lines)
    else:
        for line in lines:
            click.echo(line, nl=False)

