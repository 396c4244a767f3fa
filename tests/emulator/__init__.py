"""Tests of the emulator over real HTTP with raw httpx."""
