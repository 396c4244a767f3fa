"""Whatever a caller sends, every API answers a WeCom envelope (never a 500)."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wecom_contacts.emulator.api.routes import ENDPOINTS

from .support import Api

FIELDS = [
    "id", "name", "name_en", "parentid", "order", "userid", "new_userid", "department",
    "is_leader_in_dept", "main_department", "mobile", "email", "biz_mail", "gender", "enable",
    "extattr", "external_profile", "direct_leader", "useridlist", "cursor", "limit", "openid",
    "email_type", "date", "user", "party", "tag", "tagid", "tagname", "userlist", "partylist",
    "department_id", "fetch_child", "size_type",
]  # fmt: skip

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=80),
)
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
bodies = st.dictionaries(st.sampled_from(FIELDS) | st.text(max_size=6), values, max_size=6)
queries = st.dictionaries(st.sampled_from(FIELDS), st.text(max_size=20), max_size=4)


@settings(
    max_examples=300,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(path=st.sampled_from(sorted(ENDPOINTS)), body=bodies, query=queries)
def test_any_input_gets_an_envelope(
    api: Api, path: str, body: dict[str, Any], query: dict[str, str]
) -> None:
    params = {**query, "access_token": api.token}
    if ENDPOINTS[path].method == "GET":
        r = api.http.get(path, params=params)
    else:
        r = api.http.post(path, params=params, json=body)
    assert r.status_code == 200, r.text
    assert isinstance(r.json()["errcode"], int)
