"""A local, faithful WeCom Contacts API server on SQLite, with a control namespace for tests."""

from .app import create_app
from .config import AppSecret, EmulatorConfig, RateWindow
from .server import EmulatorServer

__all__ = ["AppSecret", "EmulatorConfig", "EmulatorServer", "RateWindow", "create_app"]
