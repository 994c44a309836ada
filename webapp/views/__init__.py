"""Blueprints: public pages, admin login, admin pages, JSON API."""
