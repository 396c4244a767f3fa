"""MkDocs hook: the docs' fence flags (```python fragment, ```yaml file=org.yaml) become plain
fences for the site's Markdown, which takes one word after the fence (docs/contributing.md).

``file=NAME`` becomes the code block's title, so the reader sees which file a block is.
"""

from __future__ import annotations

import re
from typing import Any

_FENCE = re.compile(r"^(?P<indent>[ \t]*)```(?P<lang>[\w+-]+)(?P<rest>[ \t]+[^`\n]*?)[ \t]*$",
                    re.M)


def _plain(match: re.Match[str]) -> str:
    names = re.findall(r"\bfile=(\S+)", match.group("rest"))
    title = f' title="{names[0]}"' if names else ""
    return f"{match.group('indent')}```{match.group('lang')}{title}"


def on_page_markdown(markdown: str, **_: Any) -> str:
    """Rewrite the fences of one page before it is converted."""
    return _FENCE.sub(_plain, markdown)
