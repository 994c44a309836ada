"""Entry point for gunicorn and Elastic Beanstalk: `application` is the WSGI app."""
import sys

from webapp import create_app
from webapp.errors import ConfigError

try:
    application = create_app()
except ConfigError as exc:  # one readable line instead of a traceback, then stop
    sys.exit(exc.message)
