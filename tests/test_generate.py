"""The generator's CPU-dependent model parameters, and the guard that turns a crash in llama.cpp into a message."""

import sys

import pytest

from qa.errors import ModelError
from qa.generate import cpu_flags, model_overrides, probe

AMX = (
    "processor\t: 0\nvendor_id\t: GenuineIntel\nflags\t\t: fpu vme sse2 avx2 avx512f avx512_vnni amx_bf16 amx_tile "
    "amx_int8\nbugs\t\t: spectre_v1\n"
)
NO_AMX = "processor\t: 0\nvendor_id\t: AuthenticAMD\nflags\t\t: fpu vme sse2 avx2 fma f16c\n"


def test_amx_cpus_turn_off_the_extra_buffer_types():
    assert "amx_tile" in cpu_flags(AMX)
    assert model_overrides(cpu_flags(AMX)) == {"use_extra_bufts": False}


def test_other_cpus_keep_llama_cpps_defaults():
    assert model_overrides(cpu_flags(NO_AMX)) == {}
    assert model_overrides(cpu_flags("")) == {}  # no flags line (another OS): defaults


def test_the_model_parameters_reach_llama_cpp(model_path):
    """The override is applied to the parameters llama.cpp loads with, and the defaults are restored after."""
    import llama_cpp.llama_cpp as lib

    from qa.generate import LlamaCppGenerator

    g = LlamaCppGenerator(model_path, n_ctx=256, flags=cpu_flags(AMX))
    assert g._llm.model_params.use_extra_bufts is False
    assert lib.llama_model_default_params().use_extra_bufts is True


def _fake_model(tmp_path):
    path = tmp_path / "m.gguf"
    path.write_bytes(b"GGUF" + b"\0" * 16)
    return path


def test_a_crash_in_the_first_generation_becomes_one_clear_error(tmp_path):
    segv = [sys.executable, "-c", "import os, signal; os.kill(os.getpid(), signal.SIGSEGV)"]
    with pytest.raises(ModelError) as err:
        probe(_fake_model(tmp_path), stamp_dir=tmp_path, command=segv)
    text = str(err.value)
    assert "SIGSEGV" in text and "QA_LLM_URL" in text and "use_extra_bufts" in text
    assert not (tmp_path / "m.gguf.probed").exists()


def test_a_probe_that_passes_is_remembered(tmp_path):
    model = _fake_model(tmp_path)
    probe(model, stamp_dir=tmp_path, command=[sys.executable, "-c", "print('OK')"])
    assert (tmp_path / "m.gguf.probed").is_file()
    probe(model, stamp_dir=tmp_path, command=[sys.executable, "-c", "exit(3)"])  # not run again: remembered
    model.write_bytes(b"GGUF" + b"\1" * 16)  # another file: probed again, and its failure is reported
    with pytest.raises(ModelError, match="failed on its first generation"):
        probe(model, stamp_dir=tmp_path, command=[sys.executable, "-c", "raise SystemExit('bad model')"])


def test_p_yes_from_an_openai_choice():
    from qa.judge import p_yes_from_choice

    choice = {
        "message": {"content": "Yes"},
        "logprobs": {
            "content": [
                {
                    "token": "Yes",
                    "logprob": -0.2,
                    "top_logprobs": [
                        {"token": "Yes", "logprob": -0.2},
                        {"token": "No", "logprob": -1.8},
                        {"token": " yes", "logprob": -5.0},
                    ],
                }
            ]
        },
    }
    p = p_yes_from_choice(choice)
    assert 0.8 < p < 0.85
    assert p_yes_from_choice({"message": {"content": "No."}}) == 0.0  # a server without logprobs: the word
    assert p_yes_from_choice({"message": {"content": "Yes"}}) == 1.0
