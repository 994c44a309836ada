"""gunicorn settings read from the project folder (`make run`, the Procfile): start each worker's models early.

Each worker starts loading its models in a background thread as soon as it has imported the
app, so the first request waits only for what is left (docs/performance.md, Start-up). The hook
runs in the worker, after the fork: onnxruntime's and OpenCV's thread pools never exist in the
master, so `--preload` stays safe.
"""


def post_worker_init(worker):
    """Start loading the models of the app this worker serves (returns at once)."""
    from webapp.extensions import preload_models

    preload_models(worker.wsgi)
