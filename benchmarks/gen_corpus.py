"""Generate a large, deterministic Flask project for the migration-speed benchmark.

    .venv/bin/python benchmarks/gen_corpus.py OUT [--modules 1000] [--no-vendor]

The project (``OUT/bigshop``) is a realistic mix, every module ~100 lines:

- ``views/``     blueprints with routes, ``request``/``session``/``jsonify``/``render_template``,
                 calling services in other modules (so async propagates across modules);
- ``services/``  helpers calling each other across modules, some with ``requests``,
                 ``time.sleep`` and ``open()`` (phase 2/3 material), most plain Python;
- ``hooks/``     ``before_request``/``after_request``/error handlers on blueprints;
- ``models/``    dataclasses and plain classes, no Flask;
- ``forms/``     Flask-WTF forms;
- ``util/``      pure-Python helpers that never touch Flask (the bulk, as in real code bases);
- ``tests/``     pytest tests with the Flask test client.

With vendoring on (default) the installed source of flask, werkzeug, jinja2, click and
sqlalchemy is copied to ``OUT/vendor/`` as extra input (a package, so their modules never
shadow the real ``flask``). Same arguments → byte-identical output (a seeded ``random``).
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
import sysconfig
from pathlib import Path

VENDOR_PACKAGES = ("flask", "werkzeug", "jinja2", "click", "sqlalchemy")

# share of modules per kind (the rest is util)
MIX = {"views": 0.18, "services": 0.20, "hooks": 0.03, "models": 0.12, "forms": 0.05,
       "tests": 0.12}


def _kinds(n: int) -> dict[str, int]:
    counts = {k: max(1, int(n * share)) for k, share in MIX.items()}
    counts["util"] = max(1, n - sum(counts.values()) - 2)  # 2: app/__init__ + extensions
    return counts


def _plain_function(rng: random.Random, name: str, calls: list[str]) -> str:
    """A pure-Python function of ~12-20 lines (loops, comprehensions, f-strings)."""
    k = rng.randint(2, 9)
    body = [
        f"def {name}(items, factor={k}, *, label=None):",
        f'    """Combine ``items`` ({name})."""',
        "    total = 0",
        "    seen = {}",
        "    for i, item in enumerate(items):",
        "        if isinstance(item, dict):",
        "            value = item.get('value', i) * factor",
        "        elif isinstance(item, (list, tuple)):",
        "            value = sum(x for x in item if isinstance(x, int))",
        "        else:",
        f"            value = (hash(str(item)) % {rng.randint(50, 500)}) + i",
        "        seen[str(item)[:20]] = value",
        "        total += value",
    ]
    for c in calls:
        body.append(f"    total += len({c}([total, factor]) or ())" if rng.random() < 0.5
                    else f"    seen['{c}'] = {c}(list(seen.values())[:3])")
    body += [
        "    ranked = sorted(seen.items(), key=lambda kv: (-kv[1], kv[0]))",
        "    summary = [f'{k}={v}' for k, v in ranked[:5]]",
        "    return {'total': total, 'label': label or " + repr(name) + ", 'top': summary}",
        "",
        "",
    ]
    return "\n".join(body)


def gen_util(rng, i, n_util):
    names = [f"combine_{i}_{j}" for j in range(5)]
    lines = [f'"""Utility module {i}: pure Python, no Flask."""', "",
             "from __future__ import annotations", "", "import math", "import re",
             "from collections import defaultdict", ""]
    other = rng.randrange(n_util)
    if other != i:
        lines += [f"from bigshop.util.u{other:04d} import combine_{other}_0", ""]
    lines.append("")
    for j, name in enumerate(names):
        calls = [names[j - 1]] if j else ([f"combine_{other}_0"] if other != i else [])
        lines.append(_plain_function(rng, name, calls))
    lines += [
        f"class Registry{i}:",
        '    """A small registry."""', "",
        "    def __init__(self):",
        "        self._items = defaultdict(list)", "",
        "    def add(self, key, value):",
        "        self._items[key].append(value)",
        "        return len(self._items[key])", "",
        "    def norm(self, key):",
        "        values = self._items.get(key, [])",
        "        return math.sqrt(sum(v * v for v in values)) if values else 0.0", "",
        "    def matching(self, pattern):",
        "        rx = re.compile(pattern)",
        "        return [k for k in self._items if rx.search(str(k))]", "",
    ]
    return "\n".join(lines)


def gen_model(rng, i):
    fields = [f"field_{j}" for j in range(rng.randint(6, 10))]
    lines = [f'"""Model {i}."""', "", "from __future__ import annotations", "",
             "from dataclasses import dataclass, field", "from datetime import datetime", "", "",
             "@dataclass", f"class Model{i}:", "    id: int"]
    lines += [f"    {f}: str = ''" for f in fields]
    lines += ["    created: datetime = field(default_factory=datetime.utcnow)",
              "    tags: list = field(default_factory=list)", "",
              "    def to_dict(self):", "        return {"]
    lines += [f"            {f!r}: self.{f}," for f in fields]
    lines += ["            'id': self.id,", "            'created': self.created.isoformat(),",
              "        }", "", "    @classmethod", "    def from_dict(cls, data):",
              "        obj = cls(id=int(data['id']))"]
    lines += [f"        obj.{f} = str(data.get({f!r}, ''))" for f in fields]
    lines += ["        return obj", "", "    def validate(self):", "        errors = []"]
    for f in fields:
        lines += [f"        if len(self.{f}) > {rng.randint(20, 200)}:",
                  f"            errors.append(({f!r}, 'too long'))"]
    lines += ["        return errors", "", "",
              f"class Model{i}Repository:", "    def __init__(self):", "        self.rows = {}", "",
              "    def save(self, obj):", "        self.rows[obj.id] = obj", "        return obj", "",
              "    def get(self, key):", "        return self.rows.get(key)", "",
              "    def search(self, **kw):",
              "        return [r for r in self.rows.values()",
              "                if all(getattr(r, k, None) == v for k, v in kw.items())]", ""]
    return "\n".join(lines)


def gen_form(rng, i):
    lines = [f'"""Forms {i}."""', "", "from flask_wtf import FlaskForm",
             "from wtforms import IntegerField, StringField, SubmitField",
             "from wtforms.validators import DataRequired, Length", "", ""]
    for j in range(3):
        lines += [f"class Form{i}_{j}(FlaskForm):"]
        for k in range(rng.randint(4, 8)):
            lines.append(f"    name_{k} = StringField('Name {k}', validators=[DataRequired(), "
                         f"Length(max={rng.randint(10, 99)})])")
        lines += ["    count = IntegerField('Count')", "    submit = SubmitField('Save')", "",
                  "    def cleaned(self):",
                  "        return {k: v for k, v in self.data.items() if k not in ('submit', 'csrf_token')}",
                  "", ""]
    lines += _plain_function(rng, f"form_helper_{i}", []).splitlines()
    return "\n".join(lines)


def gen_service(rng, i, n_services, n_util):
    """Helpers: a few do I/O (requests, sleep, files); they call each other across modules."""
    lines = [f'"""Service {i}."""', "", "from __future__ import annotations", "", "import json",
             "import time", ""]
    io_kind = rng.random()
    uses_requests = io_kind < 0.15
    if uses_requests:
        lines += ["import requests", ""]
    uses_flask = rng.random() < 0.3
    if uses_flask:
        lines += ["from flask import current_app, g", ""]
    u = rng.randrange(n_util)
    lines += [f"from bigshop.util.u{u:04d} import combine_{u}_1"]
    dep = rng.randrange(n_services)
    if dep != i:
        lines += [f"from bigshop.services.s{dep:04d} import fetch_{dep}"]
    lines += ["", ""]
    lines += [f"def fetch_{i}(key, retries=2):", f'    """Load {i}."""']
    if uses_requests:
        lines += ["    resp = requests.get(f'http://upstream.local/items/{key}', timeout=5)",
                  "    data = resp.json()"]
    elif io_kind < 0.25:
        lines += ["    time.sleep(0.001)", "    data = {'key': key}"]
    elif io_kind < 0.32:
        lines += ["    with open(f'/tmp/cache-{key}.json') as fh:", "        data = json.load(fh)"]
    else:
        lines += ["    data = {'key': key, 'retries': retries}"]
    if dep != i and dep < i:  # acyclic: only call lower-numbered services
        lines += [f"    data['dep'] = fetch_{dep}(key)"]
    if uses_flask:
        lines += ["    g.last_key = key", "    current_app.logger.debug('fetched %s', key)"]
    lines += [f"    data['score'] = combine_{u}_1([data.get('key')])", "    return data", "", ""]
    lines += [f"def store_{i}(key, payload):",
              "    body = json.dumps(payload, sort_keys=True)",
              "    return {'key': key, 'size': len(body)}", "", ""]
    for j in range(4):
        lines += _plain_function(rng, f"svc_{i}_{j}", [f"svc_{i}_{j - 1}"] if j else []).splitlines()
    return "\n".join(lines)


def gen_view(rng, i, n_services, n_forms, n_models):
    s1, s2 = rng.randrange(n_services), rng.randrange(n_services)
    f, m = rng.randrange(n_forms), rng.randrange(n_models)
    lines = [f'"""Views {i}."""', "",
             "from flask import Blueprint, abort, jsonify, redirect, render_template, request, "
             "session, url_for", "",
             f"from bigshop.forms.f{f:04d} import Form{f}_0",
             f"from bigshop.models.m{m:04d} import Model{m}, Model{m}Repository",
             f"from bigshop.services.s{s1:04d} import fetch_{s1}, store_{s1}",
             f"from bigshop.services.s{s2:04d} import fetch_{s2}", "",
             f"bp = Blueprint('v{i}', __name__, url_prefix='/v{i}')",
             f"repo = Model{m}Repository()", "", ""]
    lines += ["def _load(key):", f"    data = fetch_{s1}(key)", f"    data['other'] = fetch_{s2}(key)",
              "    return data", "", "",
              "@bp.route('/')", "def index():",
              "    page = int(request.args.get('page', 1))",
              "    items = [repo.get(k) for k in range(page * 10, page * 10 + 10)]",
              "    return render_template('list.html', items=items, page=page)", "", "",
              "@bp.route('/<int:key>')", "def show(key):", "    obj = repo.get(key)",
              "    if obj is None:", "        abort(404)",
              "    return jsonify(obj.to_dict(), extra=_load(key))", "", "",
              "@bp.route('/new', methods=['GET', 'POST'])", "def create():",
              f"    form = Form{f}_0()", "    if form.validate_on_submit():",
              f"        obj = Model{m}.from_dict({{'id': len(repo.rows) + 1, **form.cleaned()}})",
              "        repo.save(obj)",
              f"        store_{s1}(obj.id, obj.to_dict())",
              "        session['last'] = obj.id",
              "        return redirect(url_for('.show', key=obj.id))",
              "    return render_template('form.html', form=form)", "", "",
              "@bp.route('/api', methods=['POST'])", "def api():",
              "    payload = request.get_json(silent=True) or {}",
              "    key = payload.get('key')",
              "    if key is None:", "        return jsonify(error='key required'), 400",
              "    return jsonify(_load(key))", "", "",
              "@bp.route('/upload', methods=['POST'])", "def upload():",
              "    files = request.files.getlist('file')",
              "    names = [f.filename for f in files]",
              "    extra = request.form.get('note', '')",
              "    return jsonify(names=names, note=extra)", "", ""]
    for j in range(2):
        lines += _plain_function(rng, f"view_helper_{i}_{j}", []).splitlines()
    return "\n".join(lines)


def gen_hooks(rng, i, n_views, n_services):
    v, s = rng.randrange(n_views), rng.randrange(n_services)
    lines = [f'"""Hooks {i}."""', "", "import time", "",
             "from flask import g, jsonify, request", "",
             f"from bigshop.services.s{s:04d} import fetch_{s}",
             f"from bigshop.views.v{v:04d} import bp", "", "",
             "@bp.before_request", f"def before_{i}():", "    g.started = time.perf_counter()",
             "    if request.headers.get('X-Key'):", f"        g.data = fetch_{s}(request.headers['X-Key'])",
             "", "",
             "@bp.after_request", f"def after_{i}(response):",
             "    response.headers['X-Elapsed'] = str(time.perf_counter() - g.started)",
             "    return response", "", "",
             "@bp.errorhandler(404)", f"def not_found_{i}(error):",
             "    return jsonify(error='not found', path=request.path), 404", "", ""]
    for j in range(5):
        lines += _plain_function(rng, f"hook_helper_{i}_{j}", []).splitlines()
    return "\n".join(lines)


def gen_test(rng, i, n_views):
    v = rng.randrange(n_views)
    lines = [f'"""Tests {i}."""', "", "import pytest", "", "from bigshop import create_app", "", "",
             "@pytest.fixture", "def client():", "    app = create_app({'TESTING': True})",
             "    return app.test_client()", "", ""]
    for j in range(6):
        lines += [f"def test_index_{j}(client):",
                  f"    resp = client.get('/v{v}/?page={j}')",
                  "    assert resp.status_code in (200, 500)", "", "",
                  f"def test_api_{j}(client):",
                  f"    resp = client.post('/v{v}/api', json={{'key': {j}}})",
                  "    assert resp.status_code in (200, 400, 500)",
                  "    if resp.status_code == 200:",
                  "        assert 'key' in resp.get_json()", "", ""]
    lines += ["def test_missing(client):", f"    resp = client.get('/v{v}/999999')",
              "    assert resp.status_code == 404", "    assert resp.get_json()['error']", ""]
    return "\n".join(lines)


def generate(out: Path, modules: int = 1000, vendor: bool = True, seed: int = 8) -> dict:
    """Write the corpus under ``out``; return counts (files, lines) per kind."""
    rng = random.Random(seed)
    if out.exists():
        shutil.rmtree(out)
    pkg = out / "bigshop"
    counts = _kinds(modules)
    written: dict[str, tuple[int, int]] = {}

    def put(kind: str, rel: str, text: str):
        path = pkg / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if not (path.parent / "__init__.py").exists() and path.parent != pkg:
            (path.parent / "__init__.py").write_text("")
        path.write_text(text if text.endswith("\n") else text + "\n")
        f, n = written.get(kind, (0, 0))
        written[kind] = (f + 1, n + text.count("\n") + 1)

    n = counts
    for i in range(n["util"]):
        put("util", f"util/u{i:04d}.py", gen_util(rng, i, n["util"]))
    for i in range(n["models"]):
        put("models", f"models/m{i:04d}.py", gen_model(rng, i))
    for i in range(n["forms"]):
        put("forms", f"forms/f{i:04d}.py", gen_form(rng, i))
    for i in range(n["services"]):
        put("services", f"services/s{i:04d}.py", gen_service(rng, i, n["services"], n["util"]))
    for i in range(n["views"]):
        put("views", f"views/v{i:04d}.py", gen_view(rng, i, n["services"], n["forms"], n["models"]))
    for i in range(n["hooks"]):
        put("hooks", f"hooks/h{i:04d}.py", gen_hooks(rng, i, n["views"], n["services"]))
    for i in range(n["tests"]):
        put("tests", f"tests/test_{i:04d}.py", gen_test(rng, i, n["views"]))
    imports = "\n".join(f"from bigshop.views.v{i:04d} import bp as bp{i}" for i in range(n["views"]))
    hooks = "\n".join(f"import bigshop.hooks.h{i:04d}  # noqa: F401" for i in range(n["hooks"]))
    regs = "\n".join(f"    app.register_blueprint(bp{i})" for i in range(n["views"]))
    put("app", "__init__.py",
        f'"""The bigshop application factory."""\n\nfrom flask import Flask\n\n'
        f"from bigshop.extensions import csrf\n{imports}\n{hooks}\n\n\n"
        f"def create_app(config=None):\n    app = Flask(__name__)\n"
        f"    app.config.update(SECRET_KEY='dev', WTF_CSRF_ENABLED=False)\n"
        f"    app.config.update(config or {{}})\n    csrf.init_app(app)\n{regs}\n    return app\n")
    put("app", "extensions.py", "from flask_wtf.csrf import CSRFProtect\n\ncsrf = CSRFProtect()\n")
    (out / "requirements.txt").write_text("flask==3.1.3\nflask-wtf==1.3.0\nrequests==2.34.2\n")
    if vendor:
        site = Path(sysconfig.get_paths()["purelib"])
        (out / "vendor").mkdir(parents=True, exist_ok=True)
        (out / "vendor" / "__init__.py").write_text("")
        for name in VENDOR_PACKAGES:
            src = site / name
            if not src.is_dir():
                print(f"warning: {name} not installed in {site}; skipped", file=sys.stderr)
                continue
            files = lines = 0
            for p in sorted(src.rglob("*.py")):
                dst = out / "vendor" / name / p.relative_to(src)
                dst.parent.mkdir(parents=True, exist_ok=True)
                data = p.read_bytes()
                dst.write_bytes(data)
                files += 1
                lines += data.count(b"\n")
            written[f"vendor:{name}"] = (files, lines)
    return written


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", type=Path)
    ap.add_argument("--modules", type=int, default=1000)
    ap.add_argument("--no-vendor", action="store_true", help="Do not copy installed packages.")
    ap.add_argument("--seed", type=int, default=8)
    args = ap.parse_args(argv)
    stats = generate(args.out, args.modules, not args.no_vendor, args.seed)
    for kind, (files, lines) in sorted(stats.items()):
        print(f"{kind:20} {files:6} files {lines:8} lines")
    files = sum(f for f, _ in stats.values())
    lines = sum(n for _, n in stats.values())
    print(f"{'total':20} {files:6} files {lines:8} lines")
    return 0


if __name__ == "__main__":
    sys.exit(main())
