"""``fix --unified``'s diff: ``patch -p1`` and ``git apply`` turn the file as read into the fixed
file, byte for byte, whatever the line endings and the last line."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from wikilint.bot.change.patch import unified_diff

CASES = {
    "one changed line": ("a\nb\nc\n", "a\nB\nc\n"),
    "no newline at end, changed": ("a\nb", "a\nB"),
    "newline added at end": ("a\nb", "a\nb\n"),
    "newline removed at end": ("a\nb\n", "a\nb"),
    "crlf kept": ("a\r\nb\r\nc\r\n", "a\r\nB\r\nc\r\n"),
    "mixed endings": ("a\r\nb\nc\rd\n", "a\r\nb\nC\rd\n"),
    "lines inserted and deleted": (
        "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n",
        "0\n1\n2\n4\n5\n6\n7\n8\n9\n10\n11\n",
    ),
    "empty to text": ("", "new\n"),
    "text to empty": ("old\n", ""),
    "unicode": ("Étude – “x”\n", "Étude – “y”\n"),
}


def apply_with(tool: list[str], tmp_path: Path, name: str, old: str, new: str) -> bytes:
    work = tmp_path / tool[0]
    (work / Path(name).parent).mkdir(parents=True, exist_ok=True)
    (work / name).write_bytes(old.encode())
    patch = unified_diff(name, old, new)
    (tmp_path / f"{tool[0]}.patch").write_bytes(patch.encode())
    subprocess.run(
        [*tool, str(tmp_path / f"{tool[0]}.patch")], cwd=work, check=True, capture_output=True
    )
    return (work / name).read_bytes()


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize(
    "tool", [["patch", "-p1", "--binary", "-i"], ["git", "apply"]], ids=["patch", "git-apply"]
)
def test_the_diff_applies_exactly(case: str, tool: list[str], tmp_path: Path) -> None:
    if shutil.which(tool[0]) is None:
        pytest.fail(f"{tool[0]} is not installed")
    old, new = CASES[case]
    if tool[0] == "git":
        subprocess.run(["git", "init", "-q", str(tmp_path / "git")], check=True)
    assert apply_with(tool, tmp_path, "pages/Leon Trotsky.wiki", old, new) == new.encode()


def test_headers_and_no_change() -> None:
    diff = unified_diff("./pages/a.wiki", "x\n", "y\n")
    assert diff.splitlines()[:3] == ["--- a/pages/a.wiki", "+++ b/pages/a.wiki", "@@ -1 +1 @@"]
    assert unified_diff("my page.wiki", "x", "y").startswith("--- a/my page.wiki\t\n")
    assert unified_diff("a.wiki", "same\n", "same\n") == ""


endings = st.sampled_from(["\n", "\r\n", "\r"])


@pytest.mark.slow  # runs patch(1) for each of its generated examples
@settings(max_examples=40, deadline=None)
@given(
    old=st.lists(st.tuples(st.sampled_from(["a", "b", "c", ""]), endings), max_size=10),
    new=st.lists(st.tuples(st.sampled_from(["a", "b", "c", ""]), endings), max_size=10),
    old_tail=st.booleans(),
    new_tail=st.booleans(),
)
def test_patch_reproduces_any_change(
    tmp_path_factory: pytest.TempPathFactory,
    old: list[tuple[str, str]],
    new: list[tuple[str, str]],
    old_tail: bool,
    new_tail: bool,
) -> None:
    before = "".join(a + b for a, b in old) + ("tail" if old_tail else "")
    after = "".join(a + b for a, b in new) + ("tail" if new_tail else "")
    if before == after:
        return
    tmp = tmp_path_factory.mktemp("p")
    assert (
        apply_with(["patch", "-p1", "--binary", "-s", "-i"], tmp, "f.wiki", before, after)
        == after.encode()
    )
