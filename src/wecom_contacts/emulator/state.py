"""The running emulator's state: settings, store, faults, stats, limiter and clock."""

from __future__ import annotations

import time

from .api.faults import Faults
from .api.ratelimit import Limiter
from .api.stats import Stats
from .config import EmulatorConfig
from .inbox import Inbox
from .jobs.runner import JobRunner
from .outgoing.router import Deliverer
from .store.facade import Store
from .store.records import Secret


class EmulatorState:
    """Shared by the gate and the control API of one app."""

    def __init__(self, config: EmulatorConfig) -> None:
        self.initial_config = config
        self.config = config
        self.clock_offset = 0.0
        self.store = Store(config.db_path, self.now)
        self.faults = Faults()
        self.stats = Stats()
        self.limiter = Limiter()
        self.inbox = Inbox()  # what robots and message/send received
        with self.store.transaction():
            self.store.departments.ensure_root(config.root_department_name)
            self._install_secrets()
        self.jobs = JobRunner(self.store, lambda: self.config, self.now)
        self.callbacks = Deliverer(self.store, lambda: self.config, self.now)
        self.store.change_listeners.append(self.callbacks.wake)

    def now(self) -> float:
        """Wall-clock time, shifted by POST /_emulator/clock."""
        return time.time() + self.clock_offset

    def _install_secrets(self) -> None:
        cfg = self.config
        secrets = self.store.secrets
        # a --db file from an earlier run may hold another sync secret
        secrets.remove_kind("sync")
        secrets.put(Secret(cfg.secret, cfg.sync_secret_name, "sync"))
        for app in cfg.apps:
            secrets.put(
                Secret(
                    app.secret,
                    app.name,
                    "app",
                    app.visible_departments,
                    app.visible_users,
                    app.hide_sensitive,
                )
            )

    def reset(self) -> None:
        """Root department only; tokens, app secrets added at run time, changes, callbacks,
        faults, stats, limits, clock and settings back to how the server started."""
        self.config = self.initial_config
        self.clock_offset = 0.0
        with self.store.transaction():
            self.store.reset(self.config.root_department_name)
            self._install_secrets()
        self.callbacks.reset()
        self.faults.clear()
        self.stats.clear()
        self.limiter.clear()
        self.inbox.reset()

    def close(self) -> None:
        self.jobs.stop()
        self.callbacks.close()
        self.store.close()
