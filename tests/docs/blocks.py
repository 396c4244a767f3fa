"""Fenced code blocks of README.md and docs/: found, classified, and checked as the convention says.

The convention (docs/contributing.md): the first word of a fence's info string is the language,
further words are flags.

- ``python``: complete; run, in page order and one namespace per page, against the emulator.
- ``sh``: complete; run by bash in the page's directory against the emulator; must exit 0.
- ``sh background``: a server; started by bash, stopped when the page is done.
- ``yaml file=NAME`` / ``json file=NAME``: written to NAME in the page's directory (and parsed).
- ``… fragment``: not run, but parsed: ``ast.parse`` for Python, ``yaml.safe_load`` for YAML and
  JSON, and every ``wecom-contacts …`` line of a shell block by the CLI's own command tree
  (every command and option named must exist, and a choice must be one of the choices).
- ``console``: a terminal transcript (``$ `` commands, then their output); not run, but each
  ``$ wecom-contacts …`` line is checked like a fragment's.
- ``sql``: not run; ``sqlite3.complete_statement`` must accept it (quotes closed).
- ``text``: output, file formats and diagrams; not code, not checked.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any, Literal, get_args, get_origin

ROOT = Path(__file__).resolve().parents[2]
LANGUAGES = {"python", "sh", "console", "yaml", "json", "toml", "sql", "text"}
FLAGS = {"fragment", "background"}
_FENCE = re.compile(r"^(?P<indent> *)```(?P<info>[^`\n]*)\n(?P<body>.*?)^(?P=indent)```[ \t]*$",
                    re.M | re.S)


@dataclass
class Block:
    """One fenced block: where it is, its language, flags and attributes, and its text."""

    page: Path
    line: int
    language: str
    flags: set[str] = field(default_factory=set)
    attrs: dict[str, str] = field(default_factory=dict)
    text: str = ""

    @property
    def where(self) -> str:
        return f"{self.page.relative_to(ROOT)}:{self.line}"

    @property
    def fragment(self) -> bool:
        return "fragment" in self.flags


def pages() -> list[Path]:
    """README.md and every .md under docs/ (new pages are covered without a list to extend)."""
    return [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]


def blocks(page: Path) -> list[Block]:
    """The fenced blocks of one page; a bad info string raises ValueError naming the line."""
    text = page.read_text(encoding="utf-8")
    found = []
    for match in _FENCE.finditer(text):
        line = text.count("\n", 0, match.start()) + 1
        words = match.group("info").split()
        where = f"{page.relative_to(ROOT)}:{line}"
        if not words:
            raise ValueError(f"{where}: a fence needs a language (```text for output)")
        language, rest = words[0], words[1:]
        if language not in LANGUAGES:
            raise ValueError(f"{where}: unknown language {language!r} (one of {sorted(LANGUAGES)})")
        block = Block(page, line, language)
        for word in rest:
            if "=" in word:
                key, _, value = word.partition("=")
                block.attrs[key] = value
            elif word in FLAGS:
                block.flags.add(word)
            else:
                raise ValueError(f"{where}: unknown flag {word!r} (one of {sorted(FLAGS)})")
        indent = len(match.group("indent"))
        block.text = "".join(
            line[indent:] if line[:indent].isspace() else line
            for line in match.group("body").splitlines(keepends=True)
        )
        found.append(block)
    return found


def shell_lines(text: str) -> list[str]:
    """Logical lines of a shell block: continuations joined, ``$ `` prompts dropped."""
    lines: list[str] = []
    pending = ""
    for raw in text.splitlines():
        stripped = raw.rstrip()
        if stripped.endswith("\\"):
            pending += stripped[:-1] + " "
            continue
        line = (pending + stripped).strip()
        pending = ""
        if line.startswith("$ "):
            line = line[2:]
        if line:
            lines.append(line)
    return lines


def cli_words(line: str) -> list[str] | None:
    """The arguments after ``wecom-contacts`` on a line (before a pipe or redirect), or None."""
    try:
        words = shlex.split(line, comments=True)
    except ValueError as exc:
        raise ValueError(f"cannot split {line!r}: {exc}") from None
    while words and re.fullmatch(r"[A-Z_][A-Z0-9_]*=.*", words[0]):
        words = words[1:]  # VAR=value prefixes
    if not words or words[0] != "wecom-contacts":
        return None
    args = []
    for word in words[1:]:
        if word in {"|", ">", ">>", "&&", ";", "&", "2>&1"} or word.startswith(">"):
            break
        args.append(word)
    return args


def _choices(option: Any) -> list[str] | None:
    """The values a Typer option accepts, when it is an Enum or a Literal; else None."""
    annotation = getattr(getattr(option, "type_descriptor", None), "annotation", None)
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return [str(member.value) for member in annotation]
    if get_origin(annotation) is Literal:
        return [str(value) for value in get_args(annotation)]
    return None


def check_cli_args(root: Any, args: list[str]) -> None:
    """Walk ``args`` down the command tree; raise ValueError at the first name that does not exist.

    Options of a group stay valid below it (global options). Values of a Choice option must be
    one of its choices; other values and arguments are not checked (they may be placeholders).
    """
    # Typer (0.2x) carries its own copy of click: the tree is walked by duck typing.
    command = root
    path = ["wecom-contacts"]
    options: dict[str, Any] = {}
    flag: dict[str, Any] = {"is_flag": True}

    def learn(cmd: Any) -> None:
        for param in cmd.params:
            if getattr(param, "param_type_name", "") == "option":
                for name in (*param.opts, *param.secondary_opts):
                    options[name] = param
        for name in ("--help", "-h"):
            options[name] = flag

    learn(command)
    words = iter(args)
    for word in words:
        if word == "--":
            break
        if word.startswith("-") and word != "-":
            name, has_value, value = word.partition("=")
            option = options.get(name)
            if option is None:
                raise ValueError(f"`{' '.join(path)}` has no option {name}")
            if option is flag or option.is_flag or option.count:
                continue
            if not has_value:
                value = next(words, "")
            choices = _choices(option)
            if choices is not None and value not in choices:
                raise ValueError(f"`{' '.join(path)} {name}`: {value!r} is not one of {choices}")
            continue
        if hasattr(command, "commands"):
            child = command.commands.get(word)
            if child is None:
                raise ValueError(f"`{' '.join(path)}` has no command {word!r}")
            command = child
            path.append(word)
            learn(command)
    asks_only = {"--help", "-h", "--version", "--install-completion", "--show-completion"}
    if hasattr(command, "commands") and not asks_only & set(args):
        raise ValueError(f"`{' '.join(path)}` needs a command")
