"""Pins the endpoint ledger: every README index path, unique names, well-formed doc links."""

import re

import pytest

from wecom_contacts._endpoints import BY_PATH, ENDPOINTS, Endpoint, endpoint

# The endpoint index of ../shared/wecom-api/README.md, in order, with its HTTP methods.
README_INDEX = [
    ("GET", "gettoken"),
    ("POST", "department/create"),
    ("POST", "department/update"),
    ("GET", "department/delete"),
    ("GET", "department/list"),
    ("GET", "department/simplelist"),
    ("GET", "department/get"),
    ("POST", "user/create"),
    ("GET", "user/get"),
    ("POST", "user/update"),
    ("GET", "user/delete"),
    ("POST", "user/batchdelete"),
    ("GET", "user/simplelist"),
    ("GET", "user/list"),
    ("POST", "user/list_id"),
    ("POST", "user/convert_to_openid"),
    ("POST", "user/convert_to_userid"),
    ("GET", "user/authsucc"),
    ("POST", "user/getuserid"),
    ("POST", "user/get_userid_by_email"),
    ("POST", "user/get_active_stat"),
    ("POST", "batch/invite"),
    ("GET", "corp/get_join_qrcode"),
    ("POST", "media/upload"),
    ("POST", "batch/syncuser"),
    ("POST", "batch/replaceuser"),
    ("POST", "batch/replaceparty"),
    ("GET", "batch/getresult"),
    ("POST", "tag/create"),
    ("POST", "tag/update"),
    ("GET", "tag/delete"),
    ("GET", "tag/get"),
    ("POST", "tag/addtagusers"),
    ("POST", "tag/deltagusers"),
    ("GET", "tag/list"),
    ("POST", "export/simple_user"),
    ("POST", "export/user"),
    ("POST", "export/department"),
    ("POST", "export/taguser"),
    ("GET", "export/get_result"),
]

# DESIGN.md "Public API" names; users.enable / users.disable ride on user/update and
# users.iter_ids / batch.wait / export.download are built on the rows below.
DESIGN_METHODS = {
    "tokens.fetch",
    "departments.create", "departments.update", "departments.delete", "departments.list",
    "departments.simple_list", "departments.get",
    "users.create", "users.get", "users.update", "users.delete", "users.batch_delete",
    "users.simple_list", "users.list", "users.list_ids", "users.to_openid", "users.to_userid",
    "users.auth_succ", "users.get_userid_by_mobile", "users.get_userid_by_email",
    "users.active_count", "users.invite",
    "corp.join_qrcode",
    "tags.create", "tags.update", "tags.delete", "tags.get", "tags.add_members",
    "tags.remove_members", "tags.list",
    "media.upload",
    "batch.sync_users", "batch.replace_users", "batch.replace_departments", "batch.get_result",
    "export.users", "export.simple_users", "export.departments", "export.tag_users",
    "export.get_result",
}
AREAS = {"auth", "departments", "users", "tags", "corp", "media", "batch", "export"}
DOC_URL = re.compile(r"^https://developer\.work\.weixin\.qq\.com/document/path/\d{5}$")


def test_table_has_the_readme_index_in_order_with_its_methods() -> None:
    assert len(README_INDEX) == 40
    assert [(e.method, e.path) for e in ENDPOINTS] == README_INDEX


def test_paths_are_unique_and_indexed() -> None:
    paths = [e.path for e in ENDPOINTS]
    assert len(paths) == len(set(paths))
    assert set(BY_PATH) == set(paths)
    assert all(BY_PATH[e.path] is e for e in ENDPOINTS)


def test_paths_are_relative_and_without_query() -> None:
    for e in ENDPOINTS:
        assert not e.path.startswith("/") and "?" not in e.path and "cgi-bin" not in e.path


def test_client_method_names_are_unique_and_those_of_the_design() -> None:
    names = [e.client_method for e in ENDPOINTS]
    assert len(names) == len(set(names))
    assert set(names) == DESIGN_METHODS


def test_area_is_the_resource_that_owns_the_method() -> None:
    for e in ENDPOINTS:
        assert e.area in AREAS, e.path
        resource = e.client_method.split(".", 1)[0]
        assert e.area == ("auth" if resource == "tokens" else resource), e.path


def test_doc_links_are_official_path_urls() -> None:
    for e in ENDPOINTS:
        assert DOC_URL.match(e.doc), (e.path, e.doc)


def test_titles_are_short_single_lines() -> None:
    for e in ENDPOINTS:
        assert e.title.strip() and "\n" not in e.title and len(e.title) <= 80, e.path


def test_only_the_documented_paths_share_a_doc_page() -> None:
    by_doc: dict[str, list[str]] = {}
    for e in ENDPOINTS:
        by_doc.setdefault(e.doc, []).append(e.path)
    shared = {doc: paths for doc, paths in by_doc.items() if len(paths) > 1}
    # userid <-> openid conversion is one official page (path/90202).
    assert list(shared.values()) == [["user/convert_to_openid", "user/convert_to_userid"]]


def test_reads_and_deletes_are_idempotent() -> None:
    for e in ENDPOINTS:
        if e.method == "GET":
            assert e.idempotent, e.path


@pytest.mark.parametrize(
    "path",
    [
        "department/create", "user/create", "tag/create", "batch/invite",
        "batch/syncuser", "batch/replaceuser", "batch/replaceparty",
    ],
)
def test_creates_invites_and_import_jobs_are_not_resent(path: str) -> None:
    assert endpoint(path).idempotent is False


def test_endpoint_accepts_cgi_bin_prefix_and_query() -> None:
    assert endpoint("/cgi-bin/user/get").path == "user/get"
    assert endpoint("media/upload?type=file").client_method == "media.upload"


def test_unknown_path_raises_key_error_naming_the_path() -> None:
    with pytest.raises(KeyError, match="user/nope"):
        endpoint("user/nope")


def test_rows_are_immutable() -> None:
    e = endpoint("user/get")
    assert isinstance(e, Endpoint)
    with pytest.raises(AttributeError):
        e.path = "x"  # type: ignore[misc]
