"""F2Q146 / F2Q147: how the project is started follows the code.

* F2Q146 env files: Quart's CLI reads ``.env`` and ``.quartenv`` (quart/cli.py load_dotenv, 0.22.0
  and 0.23.1), never ``.flaskenv``. ``.env`` is rewritten in place (``FLASK_APP`` → ``QUART_APP`` …,
  ``catalogue.project.ENV_VARS``); ``.flaskenv`` is copied to a new ``.quartenv`` with the Quart
  names, and ``.flaskenv`` keeps its content plus a marker line (delete it once Flask is gone).
* F2Q147 commands in Procfile / Dockerfile / Makefile / shell scripts / compose files:
  ``flask <cmd>`` → ``quart <cmd>`` (same CLI shape: ``--app``, ``run --host/--port/--cert/--key/
  --reload``); ``gunicorn`` and ``waitress-serve`` → ``hypercorn`` with the options that have a
  hypercorn counterpart (``catalogue.project.GUNICORN_OPTIONS``); options without one are dropped
  and marked; ``uwsgi`` is marked. The CLI's ``FLASK_*`` variables are renamed in these files too.

Markers are a ``# flask2quart: CODE …`` line above the line (all these formats use ``#``) and
are listed in the report. Only single-line commands are translated; a continued line is marked.
"""

from __future__ import annotations

import fnmatch
import json
import re
import shlex

from flask2quart import catalogue as C
from flask2quart.catalogue import project as P
from flask2quart.rules import Example, marker, rule

ENV_MANUAL = marker(
    "F2Q162", "env-var-manual", 1,
    "A FLASK_* variable has no Quart counterpart",
    "See the advice in the marker (catalogue.project.ENV_VARS_MANUAL).",
)
FLASKENV_SUPERSEDED = marker(
    "F2Q163", "flaskenv-superseded", 1,
    "Quart does not read .flaskenv: its settings were copied to .quartenv",
    "Delete .flaskenv once the Flask version of the app is gone.",
)
COMMAND_MANUAL = marker(
    "F2Q164", "server-command-manual", 1,
    "A server command or option has no hypercorn/quart counterpart",
    "The option was removed (hypercorn would reject it) or the command left as is; check the "
    "marker's advice and docs/project-files.md.",
)

_MARK = "# flask2quart: "
_ENV_LINE = re.compile(r"^(?P<pre>\s*(?:export\s+)?)(?P<key>FLASK_[A-Z_]+)(?P<post>\s*=.*)$")


def _env_names(text: str) -> tuple[str, int]:
    count = 0

    def repl(m: re.Match) -> str:
        nonlocal count
        count += 1
        return P.ENV_VARS[m.group(0)]

    pattern = r"\b(" + "|".join(map(re.escape, P.ENV_VARS)) + r")\b"
    return re.sub(pattern, repl, text), count


def _with_markers(lines: list[str], marks: dict[int, list[str]], indent_of=None):
    """Insert ``# flask2quart: CODE msg`` lines before the 0-based line numbers in ``marks``;
    returns (lines, [(code, line, message)]) with 1-based lines of the marker comments."""
    out, reported = [], []
    for i, line in enumerate(lines):
        prev = out[-1] if out else ""
        for msg in marks.get(i, ()):
            code, _, text = msg.partition(" ")
            comment = f"{_MARK}{code} {text}"
            if prev.strip() == comment.strip():
                continue
            eol = "\r\n" if line.endswith("\r\n") else "\n"
            indent = indent_of(line) if indent_of else re.match(r"\s*", line).group(0)
            out.append(f"{indent}{comment}{eol}")
            reported.append((code, len(out), text))
        out.append(line)
    return out, reported


@rule(
    "F2Q146", "env-files", 1,
    "Rename the CLI's FLASK_* variables in .env; copy .flaskenv to .quartenv with Quart names",
    examples=(Example("FLASK_APP=app.py\nFLASK_DEBUG=1\n", "QUART_APP=app.py\nQUART_DEBUG=1\n"),),
)
class EnvFiles:
    """``.env`` in place; ``.flaskenv`` → new ``.quartenv`` (the original gets a marker line)."""

    def __init__(self) -> None:
        self._created: dict[str, str] = {}

    @staticmethod
    def applies_to(name: str) -> bool:
        return name in P.ENV_FILES

    def rewrite(self, name: str, text: str):
        lines = text.splitlines(keepends=True)
        converted, count = _env_names(text)
        marks: dict[int, list[str]] = {}
        for i, line in enumerate(lines):
            m = _ENV_LINE.match(line.rstrip("\r\n"))
            if m and m.group("key") in P.ENV_VARS_MANUAL:
                marks.setdefault(i, []).append(
                    f"{ENV_MANUAL.code} {m.group('key')}: {P.ENV_VARS_MANUAL[m.group('key')]}")
        target = P.ENV_FILES[name]
        if target is None:  # Quart reads this file: rewrite in place
            out, reported = _with_markers(converted.splitlines(keepends=True), marks)
            return "".join(out), count, reported
        if not count or any(FLASKENV_SUPERSEDED.code in ln for ln in lines):
            return text, 0, []
        q_lines, _ = _with_markers(converted.splitlines(keepends=True), marks)
        self._created[name] = "".join(q_lines)
        head = {0: [f"{FLASKENV_SUPERSEDED.code} Quart reads {target}, not {name}: the settings "
                    f"were copied there; delete this file once Flask is gone"]}
        out, reported = _with_markers(lines, head, indent_of=lambda _l: "")
        return "".join(out), count, reported

    def creates(self, name: str, text: str) -> list[tuple[str, str]]:
        body = self._created.pop(name, None)
        return [(P.ENV_FILES[name], body)] if body is not None else []


# ---------------------------------------------------------------------------
# F2Q147: commands
# ---------------------------------------------------------------------------

_SEGMENT_SPLIT = re.compile(r"(\s*(?:&&|\|\||;|\|)\s*)")
_PREFIX = re.compile(
    r"^(?P<prefix>\s*(?:[A-Za-z0-9_.-]+:\s+(?=\S))?"          # Procfile "web: " / yaml "command: "
    r"(?:-\s+)?"                                                  # yaml list item
    r"(?:(?:RUN|CMD|ENTRYPOINT)\s+)?"                             # Dockerfile shell form
    r"(?:exec\s+)?(?:[A-Z_][A-Z0-9_]*=\S*\s+)*"                   # exec / env assignments
    r"(?:(?:poetry|pipenv|uv|pdm|hatch)\s+run\s+)?)"
    r"(?P<cmd>(?:python3?(?:\.\d+)?\s+-m\s+)?[^\s'\"]*?(?P<base>flask|gunicorn|waitress-serve|uwsgi))"
    r"(?=\s|$)(?P<rest>.*)$"
)


_PIP_INSTALL = re.compile(r"\bpip3?\s+install\s+(?P<args>.*)$")


def _shell_quote(word: str) -> str:
    """Quote a word for sh only when needed; ``$VAR`` keeps expanding (double quotes)."""
    if re.fullmatch(r"[\w@%+=:,./$-]+", word) and "$(" not in word:
        return word
    if "$" in word:
        return '"' + re.sub(r'(["\\`])', r"\\\1", word) + '"'
    return shlex.quote(word)


def _is_command_file(name: str) -> bool:
    return any(fnmatch.fnmatch(name, g) for g in P.COMMAND_FILE_GLOBS)


@rule(
    "F2Q147", "server-commands", 1,
    "flask/gunicorn/waitress commands in Procfile, Dockerfile, Makefile, scripts and compose "
    "files become quart/hypercorn commands",
    examples=(Example("web: gunicorn app:app -w 4 --bind 0.0.0.0:$PORT\n",
                      "web: hypercorn app:app --workers 4 --bind 0.0.0.0:$PORT\n"),),
)
class ServerCommands:
    """Translates single-line commands token by token; marks what it cannot translate."""

    _ctx = None
    _flask_project: bool | None = None

    def bind(self, ctx) -> None:
        self._ctx, self._flask_project = ctx, None

    @property
    def flask_project(self) -> bool:
        """``pip install flask`` is marked only in a project whose code imports flask
        (computed on first need: most projects have no such line)."""
        if self._flask_project is None:
            import ast

            ctx = self._ctx
            self._flask_project = ctx is None or ctx.facts is None or any(
                (isinstance(n, ast.ImportFrom) and C.is_flask_module(n.module))
                or (isinstance(n, ast.Import) and any(C.is_flask_module(a.name) for a in n.names))
                for f in ctx.project.files for n in ast.walk(f.tree))
        return self._flask_project

    @staticmethod
    def applies_to(name: str) -> bool:
        return _is_command_file(name)

    def rewrite(self, name: str, text: str):
        lines = text.splitlines(keepends=True)
        out_lines, marks, count = [], {}, 0
        procfile = name.startswith("Procfile")
        for i, line in enumerate(lines):
            body = line.rstrip("\r\n")
            eol = line[len(body):]
            if body.lstrip().startswith("#"):
                out_lines.append(line)
                continue
            new, n, msgs = self._line(body, procfile)
            new, n_env = _env_names(new)
            for key in P.ENV_VARS_MANUAL:
                if re.search(rf"\b{key}\b", new):
                    msgs.append(f"{ENV_MANUAL.code} {key}: {P.ENV_VARS_MANUAL[key]}")
            count += n + n_env
            if msgs:
                marks[i] = msgs
            out_lines.append(new + eol)
        indent = (lambda _l: "") if name.lower().endswith(("makefile", ".mk")) or name.startswith(
            ("Dockerfile", "Procfile")) else None
        out, reported = _with_markers(out_lines, marks, indent_of=indent)
        return "".join(out), count, reported

    def _line(self, body: str, procfile: bool) -> tuple[str, int, list[str]]:
        exec_form = re.match(r"^(?P<head>\s*(?:CMD|ENTRYPOINT|RUN)\s+|\s*command:\s+)(?P<arr>\[.*\])\s*$",
                             body)
        if exec_form:
            try:
                argv = json.loads(exec_form.group("arr"))
            except ValueError:
                argv = None
            if isinstance(argv, list) and argv and all(isinstance(a, str) for a in argv):
                new, msgs = self._argv(argv, procfile=False)
                if new is None:
                    return body, 0, msgs
                sep = ", " if ", " in exec_form.group("arr") or len(argv) < 2 else ","
                arr = "[" + sep.join(json.dumps(a) for a in new) + "]"
                return exec_form.group("head") + arr, 1, msgs
        parts = _SEGMENT_SPLIT.split(body)
        count, msgs = 0, []
        for k in range(0, len(parts), 2):
            m = _PREFIX.match(parts[k])
            if m is None:
                pip = _PIP_INSTALL.search(parts[k])
                names = pip and {re.split(r"[\[=<>!~;]", w)[0].lower()
                                 for w in pip.group("args").split() if not w.startswith("-")}
                if names and names & P.PIP_INSTALL_MARKED and self.flask_project:
                    msgs.append(f"{COMMAND_MANUAL.code} installs "
                                f"{', '.join(sorted(names & P.PIP_INSTALL_MARKED))}: install quart "
                                f"and hypercorn instead (the requirement lines of the project)")
                continue
            if body.rstrip().endswith("\\"):
                msgs.append(f"{COMMAND_MANUAL.code} a command continued on the next line is not "
                            f"translated: port `{m.group('base')}` by hand")
                continue
            try:
                words = shlex.split(m.group("rest"))
            except ValueError:
                msgs.append(f"{COMMAND_MANUAL.code} unbalanced quotes: port `{m.group('base')}` "
                            "by hand")
                continue
            new, more = self._argv([m.group("cmd").split()[-1], *words], procfile)
            msgs += more
            if new is None:
                continue
            cmd = m.group("cmd")
            head = cmd[: cmd.rfind(m.group("base"))]  # "python -m " / ".venv/bin/" stay
            parts[k] = m.group("prefix") + head + " ".join([new[0], *map(_shell_quote, new[1:])])
            count += 1
        return "".join(parts), count, msgs

    def _argv(self, argv: list[str], procfile: bool) -> tuple[list[str] | None, list[str]]:
        base = argv[0].rsplit("/", 1)[-1]
        if base == P.FLASK_CLI:
            return self._flask(argv)
        if base == "gunicorn":
            return self._gunicorn(argv, procfile)
        if base == "waitress-serve":
            return self._waitress(argv)
        if base in P.OTHER_WSGI_SERVERS:
            return None, [f"{COMMAND_MANUAL.code} `{base}` serves WSGI: run the app with "
                          "`hypercorn module:app --bind HOST:PORT --workers N` instead"]
        return None, []

    @staticmethod
    def _flask(argv: list[str]):
        out, msgs, skip = [P.QUART_CLI], [], False
        for a in argv[1:]:
            if skip:
                skip = False
                continue
            opt = a.split("=", 1)[0]
            if opt in P.FLASK_RUN_OPTIONS_MANUAL:
                msgs.append(f"{COMMAND_MANUAL.code} `quart run` has no `{opt}` option: removed")
                skip = "=" not in a and opt in ("--extra-files", "--exclude-patterns")
                continue
            out.append(a)
        return out, msgs

    @staticmethod
    def _gunicorn(argv: list[str], procfile: bool):
        out, msgs, target, i, has_bind = [P.HYPERCORN], [], [], 1, False
        while i < len(argv):
            a = argv[i]
            i += 1
            if not a.startswith("-"):
                target.append(a)
                continue
            opt, eq, val = a.partition("=")
            if not eq and re.match(r"^-[bwgupc]\S+$", a):  # -w4, -b0.0.0.0:80
                opt, val, eq = a[:2], a[2:], "="
            if opt in P.GUNICORN_OPTIONS:
                new, takes = P.GUNICORN_OPTIONS[opt]
                if takes and not eq:
                    if i >= len(argv):
                        return None, [f"{COMMAND_MANUAL.code} `{a}` without a value"]
                    val = argv[i]
                    i += 1
                if new is None:
                    msgs.append(f"{COMMAND_MANUAL.code} gunicorn `{opt}` has no hypercorn "
                                "counterpart: removed")
                    continue
                has_bind |= new == "--bind"
                out += [new, val] if takes else [new]
            elif opt in P.GUNICORN_OPTIONS_MANUAL:
                if P.GUNICORN_OPTIONS_MANUAL[opt] and not eq:
                    val = argv[i] if i < len(argv) else ""
                    i += 1
                shown = f"{opt} {val}".strip() if P.GUNICORN_OPTIONS_MANUAL[opt] else opt
                msgs.append(f"{COMMAND_MANUAL.code} gunicorn `{shown}` has no hypercorn "
                            "counterpart: removed")
            else:
                return None, [f"{COMMAND_MANUAL.code} gunicorn option `{opt}` is not known to "
                              "flask2quart: port this command by hand"]
        if len(target) != 1:
            return None, [f"{COMMAND_MANUAL.code} gunicorn command without one app target"]
        if procfile and not has_bind:  # gunicorn binds 0.0.0.0:$PORT when PORT is set
            out += ["--bind", "0.0.0.0:$PORT"]
        return [out[0], target[0], *out[1:]], msgs

    @staticmethod
    def _waitress(argv: list[str]):
        out, msgs, target, host, port, call, bind = [P.HYPERCORN], [], [], None, None, False, []
        i = 1
        while i < len(argv):
            a = argv[i]
            i += 1
            if not a.startswith("-"):
                target.append(a)
                continue
            opt, eq, val = a.partition("=")
            if opt == P.WAITRESS_CALL:
                call = True
                continue
            if not eq and i < len(argv):
                val = argv[i]
                i += 1
            if opt == "--host":
                host = val
            elif opt == "--port":
                port = val
            elif opt == "--listen":
                bind.append(val)
            else:
                msgs.append(f"{COMMAND_MANUAL.code} waitress `{opt}` has no hypercorn counterpart: "
                            "removed")
        if len(target) != 1:
            return None, [f"{COMMAND_MANUAL.code} waitress-serve command without one app target"]
        app = target[0] + ("()" if call and not target[0].endswith(")") else "")
        if host or port:
            bind.append(f"{host or '0.0.0.0'}:{port or '8080'}")
        if not bind:
            bind.append(P.WAITRESS_DEFAULT_BIND)
        for b in bind:
            out += ["--bind", b]
        return [out[0], app, *out[1:]], msgs
