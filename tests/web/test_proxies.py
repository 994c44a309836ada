"""The client address behind each documented topology: single instance (nginx) and load-balanced (ALB + nginx)."""
from __future__ import annotations

import pytest
from flask import request

from tests.conftest import ADMIN_PASSWORD, AuthActions
from webapp import create_app

NGINX = "127.0.0.1"  # gunicorn sees nginx on the same instance
ALB = "172.31.5.9"  # the load balancer's private address, appended by nginx
CLIENT, OTHER_CLIENT = "203.0.113.7", "198.51.100.9"


def _app(data_dir, backend, hops: int):
    """An app trusting `hops` proxies, with a route that echoes what it believes about the client."""
    app = create_app({"data_dir": data_dir, "secret_key": "t", "admin_password": ADMIN_PASSWORD,
                      "trusted_proxies": hops}, backend=backend)
    app.add_url_rule("/whoami", "whoami", lambda: {"addr": request.remote_addr, "scheme": request.scheme,
                                                    "host": request.host})
    return app


def _seen(app, forwarded_for: str, **headers: str) -> dict:
    """What the app believes about a request that reached gunicorn from nginx with these headers."""
    environ = {"REMOTE_ADDR": NGINX, "HTTP_X_FORWARDED_FOR": forwarded_for}
    environ.update({f"HTTP_{name.upper()}": value for name, value in headers.items()})
    return app.test_client().get("/whoami", environ_base=environ, headers={"Host": "glimpse.example"}).get_json()


@pytest.mark.parametrize(("hops", "forwarded_for"), [
    (1, CLIENT),  # single instance: nginx appended the client
    (1, f"6.6.6.6, {CLIENT}"),  # …and whatever the client wrote itself is ignored
    (2, f"{CLIENT}, {ALB}"),  # load-balanced: the ALB appended the client, nginx the ALB
    (2, f"6.6.6.6, {CLIENT}, {ALB}"),
])
def test_each_topology_finds_the_real_client_even_when_it_forges_the_header(data_dir, backend, hops, forwarded_for):
    assert _seen(_app(data_dir, backend, hops), forwarded_for)["addr"] == CLIENT


def test_one_hop_behind_a_load_balancer_would_see_only_the_balancer(data_dir, backend):
    assert _seen(_app(data_dir, backend, 1), f"{CLIENT}, {ALB}")["addr"] == ALB


def test_without_trusted_proxies_the_forwarded_header_is_ignored(data_dir, backend):
    assert _seen(_app(data_dir, backend, 0), CLIENT)["addr"] == NGINX


def test_scheme_comes_from_the_balancer_and_the_host_is_never_taken_from_a_header(data_dir, backend):
    seen = _seen(_app(data_dir, backend, 2), f"{CLIENT}, {ALB}", x_forwarded_proto="https",
                 x_forwarded_host="evil.example")
    assert seen["scheme"] == "https" and seen["host"] == "glimpse.example"


def _failed_logins(app, forwarded_for: str, count: int) -> None:
    """`count` wrong passwords from one address, each through a fresh client (no shared cookies)."""
    for n in range(count):
        client = app.test_client()
        client.environ_base.update(REMOTE_ADDR=NGINX, HTTP_X_FORWARDED_FOR=forwarded_for.format(n=n))
        AuthActions(client).login(username=f"mallory{n}", password="wrong password")


def _login_status(app, forwarded_for: str) -> int:
    client = app.test_client()
    client.environ_base.update(REMOTE_ADDR=NGINX, HTTP_X_FORWARDED_FOR=forwarded_for)
    return AuthActions(client).login().status_code


def test_behind_a_load_balancer_one_client_cannot_lock_out_the_admin(data_dir, backend):
    app = _app(data_dir, backend, 2)
    _failed_logins(app, f"{CLIENT}, {ALB}", 5)
    assert _login_status(app, f"{OTHER_CLIENT}, {ALB}") == 302


def test_behind_a_load_balancer_forging_the_header_does_not_escape_the_throttle(data_dir, backend):
    app = _app(data_dir, backend, 2)
    _failed_logins(app, "10.9.9.{n}, " + f"{CLIENT}, {ALB}", 5)  # a new forged address each time
    assert _login_status(app, f"{CLIENT}, {ALB}") == 429


def test_on_a_single_instance_one_client_cannot_lock_out_the_admin(data_dir, backend):
    app = _app(data_dir, backend, 1)
    _failed_logins(app, "10.9.9.{n}, " + CLIENT, 5)
    assert _login_status(app, CLIENT) == 429
    assert _login_status(app, OTHER_CLIENT) == 302
