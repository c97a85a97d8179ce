"""The app's browser fixtures (tests/e2e/app_browser.py) for every end-to-end module."""

from .app_browser import app_chromium, open_page, served_app, shared_app  # noqa: F401
