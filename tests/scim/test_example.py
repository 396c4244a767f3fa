"""examples/scim/provision.py runs end to end and prints what WeCom then holds."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "examples" / "scim" / "provision.py"


def test_the_scim_example_provisions_a_small_company() -> None:
    done = subprocess.run([sys.executable, str(SCRIPT)], capture_output=True, text=True,
                          timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "WeCom now holds (read back from the emulator):"
    li_wei = next(line for line in lines if line.strip().startswith("li.wei@"))
    assert "高级后端工程师" in li_wei and "leader=chen.jing@yunfan.example.com" in li_wei
    assert next(line for line in lines if "sun.li@" in line).endswith("disabled")
    assert lines[-1] == ("  tag 技术委员会: chen.jing@yunfan.example.com, "
                         "wang.fang@yunfan.example.com")
