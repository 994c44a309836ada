"""Entry point for gunicorn and Elastic Beanstalk: `application` is the WSGI app."""
from webapp import create_app

application = create_app()
