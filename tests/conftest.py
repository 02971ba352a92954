"""Shared fixtures: every test gets its own data directory; the real embedder and model are loaded once."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from qa.settings import REPO_ROOT, Settings

SEEDS = REPO_ROOT / "seeds"


@pytest.fixture(autouse=True)
def _isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for key in list(os.environ):
        if key.startswith("QA_"):
            monkeypatch.delenv(key)
    monkeypatch.setenv("QA_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("ANONYMIZED_TELEMETRY", "False")


@pytest.fixture(scope="session")
def embedder():
    from index.embed import SentenceTransformerEmbedder

    return SentenceTransformerEmbedder()


@pytest.fixture(scope="session")
def model_path() -> Path:
    """The bundled GGUF model, assembled once into the default data directory (as `scripts/install` does)."""
    from qa.models import bundled_model

    return bundled_model(Settings(data_dir=Settings().data_dir).data_dir)


@pytest.fixture(scope="session")
def generator(model_path: Path):
    from qa.generate import LlamaCppGenerator

    return LlamaCppGenerator(model_path, n_ctx=4096)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data", seeds_dir=SEEDS)


@pytest.fixture
def app(settings: Settings, embedder):
    from qa.app import App

    a = App(settings, embedder)
    yield a
    a.close()


@pytest.fixture(scope="session")
def seeded_app(tmp_path_factory: pytest.TempPathFactory, embedder, generator):
    """One app over a copy of seeds/ with the real model, shared by the end-to-end tests."""
    from qa.app import App, seed_files

    root = tmp_path_factory.mktemp("seeded")
    shutil.copytree(SEEDS, root / "seeds")
    a = App(Settings(data_dir=root / "data", seeds_dir=root / "seeds"), embedder, generator)
    results = a.ingest(seed_files(root / "seeds"))
    assert all(r.status == "indexed" for r in results), results
    yield a
    a.close()
