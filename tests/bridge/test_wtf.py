"""Flask-WTF 1.3 form reading through the preloaded body (CSRF on and off)."""

from __future__ import annotations

import io
import re

import flask
import quart
from flask_wtf import CSRFProtect, FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import StringField
from wtforms.validators import DataRequired

from flask2quart.bridge import Quart


class NameForm(FlaskForm):
    name = StringField("name", validators=[DataRequired()])


class UploadForm(FlaskForm):
    doc = FileField(validators=[FileRequired()])


def wtf_app(csrf: bool) -> Quart:
    app = Quart(__name__)
    app.config.update(SECRET_KEY="wtf", WTF_CSRF_ENABLED=csrf)
    if csrf:
        CSRFProtect(app)

    @app.route("/form", methods=["GET", "POST"])
    async def form_view():
        form = NameForm()
        if form.validate_on_submit():
            return {"ok": form.name.data}
        if flask.request.method == "POST":
            return {"errors": form.errors}, 422
        return await quart.render_template_string("<form>{{ form.hidden_tag() }}</form>", form=form)

    @app.route("/json", methods=["POST"])
    async def json_view():
        form = NameForm()
        return {"valid": form.validate_on_submit(), "name": form.name.data}

    @app.route("/upload", methods=["POST"])
    async def upload():
        form = UploadForm()
        if form.validate_on_submit():
            return {"filename": form.doc.data.filename, "size": len(form.doc.data.read())}
        return {"errors": form.errors}, 422

    return app


async def test_form_validation_without_csrf():
    client = wtf_app(csrf=False).test_client()
    assert (await (await client.post("/form", form={"name": "ada"})).get_json()) == {"ok": "ada"}
    response = await client.post("/form", form={"name": ""})
    assert response.status_code == 422
    assert (await response.get_json()) == {"errors": {"name": ["This field is required."]}}
    body = await (await client.post("/json", json={"name": "bob"})).get_json()
    assert body == {"valid": True, "name": "bob"}


async def test_file_field():
    client = wtf_app(csrf=False).test_client()
    response = await client.post(
        "/upload", files={"doc": quart.datastructures.FileStorage(io.BytesIO(b"12345"), filename="d.txt")}
    )
    assert (await response.get_json()) == {"filename": "d.txt", "size": 5}
    assert (await client.post("/upload", form={})).status_code == 422


async def test_csrf_protect_and_form_token():
    client = wtf_app(csrf=True).test_client()
    assert (await client.post("/form", form={"name": "ada"})).status_code == 400  # CSRFProtect hook
    page = await (await client.get("/form")).get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = await client.post("/form", form={"name": "ada", "csrf_token": token})
    assert (await response.get_json()) == {"ok": "ada"}
    response = await client.post("/json", json={"name": "x"}, headers={"X-CSRFToken": token})
    assert (await response.get_json()) == {"valid": True, "name": "x"}
