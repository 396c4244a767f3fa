"""The server fixtures themselves: each answers over loopback, with TLS where offered."""

from __future__ import annotations

import ssl

import ldap3  # type: ignore[import-untyped]  # (no stubs installed)
import psycopg

from .postgres import PostgresServer
from .slapd import SlapdServer


def test_slapd_stores_chinese_rdns_and_fills_member_of(ldap_server: SlapdServer) -> None:
    base = ldap_server.base_dn
    ldap_server.add_ldif(f"""dn: ou=研发中心,{base}
objectClass: organizationalUnit
ou: 研发中心

dn: cn=张三,ou=研发中心,{base}
objectClass: user
cn: 张三
sn: 张
sAMAccountName: zhangsan
userAccountControl: 512

dn: cn=eng,{base}
objectClass: group
cn: eng
member: cn=张三,ou=研发中心,{base}
""")
    with ldap_server.connection() as conn:
        conn.search(base, "(sAMAccountName=zhangsan)", attributes=["cn", "memberOf"])
        entry = conn.entries[0]
    assert entry.cn.value == "张三"
    assert entry.memberOf.values == [f"cn=eng,{base}"]


def test_slapd_answers_ldaps_with_the_ca_file_and_refuses_without(
        ldap_server: SlapdServer) -> None:
    good = ldap3.Tls(ca_certs_file=str(ldap_server.ca_file), validate=ssl.CERT_REQUIRED)
    server = ldap3.Server(ldap_server.ldaps_url, use_ssl=True, tls=good, get_info=ldap3.NONE)
    conn = ldap3.Connection(server, ldap_server.bind_dn, ldap_server.password)
    try:
        assert conn.bind()
    finally:
        conn.unbind()
    bad = ldap3.Tls(validate=ssl.CERT_REQUIRED)
    server = ldap3.Server(ldap_server.ldaps_url, use_ssl=True, tls=bad, get_info=ldap3.NONE)
    conn = ldap3.Connection(server, ldap_server.bind_dn, ldap_server.password)
    try:
        conn.open()
    except ldap3.core.exceptions.LDAPException:
        pass
    else:
        raise AssertionError("an unknown CA was accepted")
    finally:
        conn.unbind()  # ldap3 keeps the failed socket open otherwise


def test_postgres_gives_each_test_its_own_database_behind_a_password(
        postgres_server: PostgresServer) -> None:
    url = postgres_server.new_database()
    name = url.rsplit("/", 1)[1]
    with postgres_server.connect(name) as conn:
        conn.execute("create table t (x int)")
        conn.execute("insert into t values (1)")
        assert conn.execute("select count(*) from t").fetchone() == (1,)
    try:
        psycopg.connect(host="127.0.0.1", port=postgres_server.port, user="postgres",
                        password="wrong", dbname=name).close()
    except psycopg.OperationalError:
        pass
    else:
        raise AssertionError("a wrong password was accepted")
