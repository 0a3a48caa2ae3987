"""The preview server: an unknown layout is a 404 on every route, and `passkit serve` refuses
to start on a file or folder that holds no layout."""

from __future__ import annotations

import shutil
from pathlib import Path

import httpx
import pytest

from passkit.layout import LAYOUTS_DIR
from tests.preview.test_serve import running_server, unsigned_env
from tests.support.cli import passkit


def test_unknown_layout_is_404_on_every_route(tmp_path: Path) -> None:
    layouts = tmp_path / "layouts"
    shutil.copytree(LAYOUTS_DIR, layouts)
    with running_server(layouts, unsigned_env()) as url:
        for route in ("", "/fragment", "/preview.png", "/pass.pkpass", "/google"):
            answer = httpx.get(f"{url}/layouts/nope{route}", timeout=30)
            assert answer.status_code == 404, (route, answer.status_code, answer.text[:200])
            assert "No layout named nope" in answer.text
        assert httpx.get(f"{url}/layouts/loyalty/fragment", timeout=60).status_code == 200


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("notes.txt", "just some notes\n", "not a layout"),
        ("compose.yaml", "services: {web: {image: nginx}}\n", "not a layout"),
        ("list.json", "[1, 2, 3]\n", "not a layout"),
        ("base.yaml", "abstract: true\nkind: loyalty\n", "not a layout"),
    ],
)
def test_serve_refuses_a_file_that_is_not_a_layout(
    tmp_path: Path, name: str, content: str, expected: str
) -> None:
    target = tmp_path / name
    target.write_text(content)
    result = passkit("serve", target, "--port", "0")
    assert result.returncode == 2, result.stdout + result.stderr
    assert expected in result.stderr and str(target) in result.stderr
    assert "preview on http" not in result.stdout


def test_serve_refuses_a_folder_of_records(tmp_path: Path) -> None:
    folder = tmp_path / "fixtures"
    folder.mkdir()
    (folder / "member.json").write_text('{"member_id": "40128833", "points": 5}')
    (folder / "readme.txt").write_text("records\n")
    result = passkit("serve", folder, "--port", "0")
    assert result.returncode == 2
    assert "holds no layout" in result.stderr and str(folder) in result.stderr


def test_serve_starts_on_a_broken_layout_to_show_its_error(tmp_path: Path) -> None:
    layouts = tmp_path / "layouts"
    shutil.copytree(LAYOUTS_DIR, layouts)
    broken = layouts / "loyalty.yaml"
    broken.write_text(broken.read_text() + "\n  : : :\n")
    with running_server(broken, unsigned_env()) as url:
        answer = httpx.get(f"{url}/layouts/loyalty/fragment", timeout=30)
        assert answer.status_code == 200 and 'class="error"' in answer.text
