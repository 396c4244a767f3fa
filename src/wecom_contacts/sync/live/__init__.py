"""Stage 2, the live read: what WeCom holds now, as a LiveDirectory.

`read` walks departments, members and tags through the client, `details` picks the read
path (per-department lists or an export job) and fetches member details, and `model` holds the
Live* records and the wire → record conversion.
"""
