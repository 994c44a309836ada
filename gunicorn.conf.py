"""gunicorn settings read from the project folder (`make run`, the Procfile): each worker loads its models early.

A worker starts loading its models (in background threads) at its first request or one second
after it booted, whichever comes first, so the first analysis waits only for what is left.
Not at once: workers boot together, and on a 2-core machine a worker loading models it has no
request for yet takes the cores from the one answering (docs/performance.md, Start-up). The
hooks run in the worker, after the fork: onnxruntime's and OpenCV's thread pools never exist
in the master, so `--preload` stays safe.
"""
import threading

PRELOAD_AFTER_SECONDS = 1.0


def post_worker_init(worker):
    """Load the models one second after boot if no request has started loading them by then."""
    timer = threading.Timer(PRELOAD_AFTER_SECONDS, _preload, args=(worker,))
    timer.daemon = True
    timer.start()


def pre_request(worker, req):
    """The first request starts loading every model at once (later calls return immediately)."""
    _preload(worker)


def _preload(worker):
    """Start loading the models of the app this worker serves (once per process; returns at once)."""
    from webapp.extensions import preload_models

    preload_models(worker.wsgi)
