"""The /_emulator control namespace: reset, seed, faults, config, callbacks, jobs."""
