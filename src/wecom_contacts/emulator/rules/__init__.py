"""Validation rules per API area: pure functions that raise ApiError(errcode)."""
