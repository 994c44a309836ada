"""Which proxy headers to believe: the client address and scheme behind nginx and a load balancer.

Each proxy that Glimpse sits behind appends the address it saw to X-Forwarded-For, so with
N trusted proxies the client is the N-th address from the right; anything further left was
written by the client and may be forged. On Elastic Beanstalk:

- single instance: client → nginx → gunicorn. nginx appends the client: N = 1.
- load-balanced:   client → ALB → nginx → gunicorn. The ALB appends the client, nginx the
  ALB's address: N = 2. With N = 1 every request would seem to come from the ALB and one
  attacker could lock every admin out through the login throttle.

X-Forwarded-Proto has one value whatever the topology (the outermost proxy sets it, nginx
passes it on), so only one value is trusted. No EB proxy sets X-Forwarded-Host: it is not
trusted at all, or a client could choose the host the app believes it serves.
"""
from __future__ import annotations

from flask import Flask


def trust_proxies(app: Flask, hops: int) -> None:
    """Take the client address from `hops` proxies' X-Forwarded-For and the scheme from the outermost."""
    if hops <= 0:
        return
    from werkzeug.middleware.proxy_fix import ProxyFix

    app.wsgi_app = ProxyFix(  # type: ignore[method-assign]  # Flask's documented way to wrap the WSGI app
        app.wsgi_app, x_for=hops, x_proto=1, x_host=0, x_port=0, x_prefix=0)
