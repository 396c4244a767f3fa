"""media/upload: multipart in, a media_id out, WeCom's size and type rules, a 3-day life."""

from __future__ import annotations

from .jobs_support import upload
from .support import Api, Control


def test_upload_answers_type_media_id_and_created_at_as_a_string(api: Api) -> None:
    answer = upload(api, b"mytext and more")
    assert answer["errcode"] == 0 and answer["errmsg"] == ""
    assert answer["type"] == "file"
    assert isinstance(answer["media_id"], str) and len(answer["media_id"]) > 20
    assert answer["created_at"].isdigit()


def test_the_official_sample_form_header_is_understood(api: Api) -> None:
    body = (b"---------------------------acebdf13572468\r\n"
            b'Content-Disposition: form-data; name="media";filename="wework.txt"; filelength=6\r\n'
            b"Content-Type: application/octet-stream\r\n\r\n"
            b"mytext\r\n"
            b"---------------------------acebdf13572468--\r\n")
    r = api.http.post(
        "/cgi-bin/media/upload", params={"access_token": api.token, "type": "file"},
        content=body,
        headers={"Content-Type": "multipart/form-data; "
                                 "boundary=-------------------------acebdf13572468"},
    )
    assert r.json()["errcode"] == 0, r.text


def test_files_of_five_bytes_or_less_are_refused_with_40006(api: Api) -> None:
    assert upload(api, b"12345")["errcode"] == 40006
    assert upload(api, b"123456")["errcode"] == 0


def test_an_empty_or_missing_part_is_44001(api: Api) -> None:
    assert upload(api, b"")["errcode"] == 44001
    assert upload(api, b"abcdefgh", part="file")["errcode"] == 44001
    r = api.http.post("/cgi-bin/media/upload", params={"access_token": api.token, "type": "file"},
                      json={"media": "x"})
    assert r.json()["errcode"] == 44001


def test_a_bad_type_is_40005_and_content_not_matching_it_40004(api: Api) -> None:
    assert upload(api, b"abcdefgh", kind="csv")["errcode"] == 40005
    assert upload(api, b"not a png at all", kind="image")["errcode"] == 40004
    assert upload(api, b"\x89PNG\r\n\x1a\n" + b"0" * 10, kind="image")["errcode"] == 0


def test_a_file_over_its_type_limit_is_45001(api: Api) -> None:
    assert upload(api, b"#!AMR\n" + b"0" * (2 << 20), kind="voice")["errcode"] == 45001


def test_a_media_id_expires_after_three_days(api: Api, control: Control) -> None:
    media_id = upload(api, b"\xe5\xa7\x93\xe5\x90\x8d,\xe5\xb8\x90\xe5\x8f\xb7\n")["media_id"]
    control.post("clock", {"advance": 3 * 86400 - 60})
    later = Api(api.http)  # the first token has expired by now
    assert later.post("batch/syncuser", {"media_id": media_id})["errcode"] == 0
    control.post("jobs/advance")
    control.post("clock", {"advance": 61})
    assert later.post("batch/syncuser", {"media_id": media_id})["errcode"] == 40007


def test_a_job_without_media_id_is_41006(api: Api) -> None:
    assert api.post("batch/syncuser", {})["errcode"] == 41006
    assert api.post("batch/replaceparty", {"media_id": "nope"})["errcode"] == 40007
