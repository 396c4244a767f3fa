"""DTDs and entities are refused in the envelope and in the decrypted message."""

from __future__ import annotations

import pytest

from wecom_contacts.callback import (
    CallbackCrypto,
    MalformedXMLError,
    UnsafeXMLError,
    parse_event,
)
from wecom_contacts.callback.safexml import MAX_DEPTH, parse_xml, root_child_text

from .support import CORP_ID, KEY, TOKEN, ref_encrypt, ref_signature, signed_post

XXE = """<?xml version="1.0"?>
<!DOCTYPE xml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<xml><ToUserName>&xxe;</ToUserName><Event>change_contact</Event>
<ChangeType>delete_user</ChangeType><CreateTime>1</CreateTime><UserID>&xxe;</UserID></xml>"""

BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE xml [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<xml><Encrypt>&lol9;</Encrypt><UserID>&lol9;</UserID></xml>"""

EXTERNAL_DTD = '<!DOCTYPE xml SYSTEM "http://127.0.0.1:9/evil.dtd"><xml><Encrypt>x</Encrypt></xml>'
PARAMETER_ENTITY = ('<!DOCTYPE xml [<!ENTITY % p SYSTEM "http://127.0.0.1:9/p.dtd"> %p;]>'
                    "<xml><Encrypt>x</Encrypt></xml>")
PAYLOADS = [XXE, BILLION_LAUGHS, EXTERNAL_DTD, PARAMETER_ENTITY]


def crypto() -> CallbackCrypto:
    return CallbackCrypto(TOKEN, KEY, CORP_ID)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_dtd_bearing_envelopes_are_refused(payload: str) -> None:
    with pytest.raises(UnsafeXMLError, match="DTD"):
        crypto().decrypt("sig", "1", "1", payload.encode())


@pytest.mark.parametrize("payload", PAYLOADS)
def test_dtd_bearing_decrypted_messages_are_refused(payload: str) -> None:
    # Properly encrypted and signed: only the XML check stands in the way.
    post = signed_post(payload)
    plain = crypto().decrypt(post.params["msg_signature"], post.params["timestamp"],
                             post.params["nonce"], post.body)
    with pytest.raises(UnsafeXMLError, match="DTD"):
        parse_event(plain)
    with pytest.raises(UnsafeXMLError):
        parse_event(plain.encode())


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-32"])
def test_a_dtd_hidden_in_another_encoding_is_refused(encoding: str) -> None:
    data = XXE.replace('<?xml version="1.0"?>', f'<?xml version="1.0" encoding="{encoding}"?>')
    encoded = data.encode(encoding)
    with pytest.raises(MalformedXMLError):
        parse_event(encoded)
    with pytest.raises(MalformedXMLError):
        crypto().decrypt("sig", "1", "1", encoded)


def test_a_declared_single_byte_encoding_cannot_disguise_a_dtd() -> None:
    # EBCDIC spells "<!DOCTYPE" with other bytes; the parser is held to UTF-8 instead.
    data = b'<?xml version="1.0" encoding="cp500"?>' + XXE.split("?>", 1)[1].encode("cp500")
    with pytest.raises(MalformedXMLError):
        parse_event(data)
    with pytest.raises(MalformedXMLError):
        root_child_text(data, "Encrypt")


def test_an_undeclared_entity_is_malformed_not_expanded() -> None:
    with pytest.raises(MalformedXMLError, match="undefined entity"):
        parse_event("<xml><UserID>&xxe;</UserID></xml>")


def test_predefined_entities_and_character_references_still_work() -> None:
    assert parse_xml("<xml><a>&lt;&#x4e2d;&amp;</a></xml>").findtext("a") == "<中&"


def test_deep_nesting_is_refused_without_recursion_errors() -> None:
    deep = "<xml>" + "<a>" * 5000 + "</a>" * 5000 + "</xml>"
    with pytest.raises(MalformedXMLError, match="nests deeper"):
        parse_event(deep)
    shallow = "<xml><Event>x</Event>" + "<a>" * (MAX_DEPTH - 1) + "</a>" * (MAX_DEPTH - 1)
    parse_event(shallow + "</xml>")


def test_nul_bytes_and_invalid_utf8_are_malformed() -> None:
    for data in (b"<xml>\x00</xml>", b"<xml>\xff</xml>", "<xml>\ud800</xml>"):
        with pytest.raises(MalformedXMLError):
            parse_event(data)


def test_envelope_reader_takes_the_first_root_child_only() -> None:
    xml = b"<xml><a><Encrypt>nested</Encrypt></a><Encrypt>one</Encrypt><Encrypt>two</Encrypt></xml>"
    assert root_child_text(xml, "Encrypt") == "one"
    assert root_child_text(b"<xml><Encrypt/></xml>", "Encrypt") == ""
    assert root_child_text(b"<xml/>", "Encrypt") is None


def test_a_refused_dtd_in_the_envelope_is_refused_before_the_signature() -> None:
    # Signed correctly over a value that only entity expansion would produce.
    encrypted = ref_encrypt(b"<xml/>")
    signature = ref_signature(TOKEN, "1", "1", encrypted)
    body = (f'<!DOCTYPE xml [<!ENTITY e "{encrypted}">]><xml><Encrypt>&e;</Encrypt></xml>')
    with pytest.raises(UnsafeXMLError):
        crypto().decrypt(signature, "1", "1", body.encode())
