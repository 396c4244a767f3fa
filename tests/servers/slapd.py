"""A real OpenLDAP ``slapd`` for tests: generated slapd.conf (core, cosine, inetorgperson, nis and a
small Active-Directory schema; the memberof overlay), plain LDAP and LDAPS on free loopback ports, a
throwaway CA whose certificate tests pass as the CA file."""

from __future__ import annotations

import contextlib
import datetime
import ipaddress
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import ldap3  # type: ignore[import-untyped]  # (no stubs installed)
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from ._common import free_port

SUFFIX = "dc=example,dc=com"
ROOT_DN = f"cn=admin,{SUFFIX}"
ROOT_PASSWORD = "slapd-test-password"
_SCHEMAS = ("core", "cosine", "inetorgperson", "nis")
_HERE = Path(__file__).parent


def slapd_binary() -> str | None:
    """Debian installs slapd in /usr/sbin, which is not on every PATH."""
    return shutil.which("slapd") or next(
        (p for p in ("/usr/sbin/slapd",) if Path(p).exists()), None)


@dataclass
class SlapdServer:
    """A running slapd; ``url`` is plain LDAP (StartTLS works there too), ``ldaps_url`` LDAPS."""

    port: int
    tls_port: int
    workdir: Path
    ca_file: Path
    process: subprocess.Popen[bytes]
    base_dn: str = SUFFIX
    bind_dn: str = ROOT_DN
    password: str = ROOT_PASSWORD
    _stopped: bool = field(default=False, repr=False)

    @property
    def url(self) -> str:
        return f"ldap://127.0.0.1:{self.port}"

    @property
    def ldaps_url(self) -> str:
        return f"ldaps://127.0.0.1:{self.tls_port}"

    @contextlib.contextmanager
    def connection(self) -> Iterator[ldap3.Connection]:
        """A bound ldap3 connection as the root DN, unbound on exit.

        (ldap3's own ``with`` restores the state it found, so an auto-bound connection stays open.)
        """
        server = ldap3.Server(self.url, get_info=ldap3.NONE)
        conn = ldap3.Connection(server, self.bind_dn, self.password)
        try:
            conn.bind()
            yield conn
        finally:
            conn.unbind()

    def add_ldif(self, ldif: str) -> None:
        """Add the entries of an LDIF text with ``ldapadd`` (UTF-8; base64 values allowed)."""
        with tempfile.NamedTemporaryFile("w", suffix=".ldif", encoding="utf-8",
                                         dir=self.workdir, delete=False) as fh:
            fh.write(ldif)
        try:
            done = subprocess.run(
                ["ldapadd", "-x", "-H", self.url, "-D", self.bind_dn, "-w", self.password,
                 "-f", fh.name], capture_output=True, text=True, check=False)
        finally:
            Path(fh.name).unlink()
        if done.returncode != 0:
            raise RuntimeError(f"ldapadd failed ({done.returncode}): {done.stderr.strip()}")

    def clear(self) -> None:
        """Delete every entry below the suffix (the suffix entry itself stays)."""
        with self.connection() as conn:
            conn.search(self.base_dn, "(objectClass=*)", ldap3.SUBTREE, attributes=[],
                        paged_size=1000)
            dns = [e["dn"] for e in conn.response or [] if e.get("type") == "searchResEntry"]
            # Deepest first: a parent cannot be deleted before its children.
            for dn in sorted(dns, key=lambda d: d.count(","), reverse=True):
                if dn.lower() != self.base_dn.lower():
                    conn.delete(dn)

    def stop(self) -> None:
        if self._stopped:
            return
        self._stopped = True
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        shutil.rmtree(self.workdir, ignore_errors=True)


def _certificates(workdir: Path) -> tuple[Path, Path, Path]:
    """A CA and a server certificate for 127.0.0.1 and localhost, written as PEM files."""
    now = datetime.datetime.now(datetime.timezone.utc)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "wecom-contacts test CA")])
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name)
          .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
          .not_valid_before(now - datetime.timedelta(hours=1))
          .not_valid_after(now + datetime.timedelta(days=2))
          .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
          .sign(ca_key, hashes.SHA256()))
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
            .issuer_name(ca_name).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(hours=1))
            .not_valid_after(now + datetime.timedelta(days=2))
            .add_extension(x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName("localhost")]),
                critical=False)
            .sign(ca_key, hashes.SHA256()))
    paths = (workdir / "ca.pem", workdir / "server.pem", workdir / "server.key")
    paths[0].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    paths[1].write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    paths[2].write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()))
    paths[2].chmod(0o600)
    return paths


def _config(workdir: Path, ca: Path, cert: Path, key: Path) -> Path:
    includes = "\n".join(f"include /etc/ldap/schema/{name}.schema" for name in _SCHEMAS)
    (workdir / "db").mkdir()
    conf = workdir / "slapd.conf"
    conf.write_text(f"""{includes}
include {_HERE / "ad.schema"}
pidfile {workdir / "slapd.pid"}
modulepath /usr/lib/ldap
moduleload back_mdb
moduleload memberof
TLSCACertificateFile {ca}
TLSCertificateFile {cert}
TLSCertificateKeyFile {key}
sizelimit unlimited
database mdb
maxsize 1073741824
suffix "{SUFFIX}"
rootdn "{ROOT_DN}"
rootpw {ROOT_PASSWORD}
directory {workdir / "db"}
index objectClass eq
overlay memberof
memberof-group-oc group
memberof-member-ad member
memberof-memberof-ad memberOf
memberof-refint TRUE
""", encoding="utf-8")
    return conf


def start_slapd(binary: str) -> SlapdServer:
    """Start slapd with an empty ``dc=example,dc=com`` and return once it answers a bind."""
    workdir = Path(tempfile.mkdtemp(prefix="wecom-slapd-"))
    ca, cert, key = _certificates(workdir)
    conf = _config(workdir, ca, cert, key)
    log = workdir / "slapd.log"
    for _ in range(5):
        port, tls_port = free_port(), free_port()
        with log.open("ab") as out:
            # -d 0: stay in the foreground (so the PID is ours to stop) without debug output.
            proc = subprocess.Popen(
                [binary, "-f", str(conf), "-h",
                 f"ldap://127.0.0.1:{port}/ ldaps://127.0.0.1:{tls_port}/", "-d", "0"],
                stdout=out, stderr=out)
        server = SlapdServer(port, tls_port, workdir, ca, proc)
        if _wait_ready(server):
            with server.connection() as conn:
                conn.add(SUFFIX, ["dcObject", "organization"], {"dc": "example", "o": "Example"})
            return server
        proc.kill()
        proc.wait()
    err = log.read_text(errors="replace")
    shutil.rmtree(workdir, ignore_errors=True)
    raise RuntimeError(f"slapd did not start: {err[-2000:]}")


def _wait_ready(server: SlapdServer) -> bool:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            return False  # most likely a port was taken between probe and start
        # A plain socket probe: ldap3 leaves its socket open when a connect fails.
        try:
            socket.create_connection(("127.0.0.1", server.port), timeout=1).close()
        except OSError:
            time.sleep(0.05)
            continue
        with server.connection() as conn:
            return bool(conn.bound)
    return False
