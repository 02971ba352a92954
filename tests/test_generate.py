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


def test_a_prompt_is_evaluated_in_batches_none_of_them_small():
    from qa.generate import ALIGN, MIN_BATCH, _chunks

    assert _chunks(513, 512) == [264, 249]
    assert _chunks(1316, 512) == [440, 440, 436]
    assert _chunks(40, 512) == [40]
    assert _chunks(0, 512) == []
    for total in range(MIN_BATCH, 2000, 7):
        sizes = _chunks(total, 512)
        assert sum(sizes) == total and max(sizes) <= 512 and min(sizes) >= MIN_BATCH
        assert all(size % ALIGN == 0 for size in sizes[:-1])  # every batch starts at a multiple of ALIGN


SOURCE = (
    "The Kestrel Bridge will carry two lanes of traffic, a cycle path and a footpath across the river. "
    "The council approved a budget of £46 million in March, and construction is due to start in the autumn. "
    "The residents' association says the true cost will be closer to £60 million once the approach roads are counted."
)


@pytest.mark.slow
def test_a_judge_score_does_not_depend_on_what_was_judged_before(generator):
    """A prompt that shares all but its last few tokens with the previous one must score as it does alone:
    reusing those cached tokens and evaluating the rest as a batch of 1-7 tokens shifted the score."""
    from qa.judge import support_messages

    judge = generator.judge()
    claim = support_messages("The bridge will cost £46 million.", SOURCE)
    near = support_messages("The bridge will cost £46 million.", SOURCE)
    near[-1] = {**near[-1], "content": near[-1]["content"] + " Be brief"}  # the same prompt plus a few tokens
    session = generator.session
    assert len(session.tokens(near)) - len(session.tokens(claim)) < 8
    with generator.lock:
        generator.llama.reset()
        session._exact = []
    alone = judge.p_yes(claim)
    judge.p_yes(near)  # leaves the cache holding `claim`'s tokens and a few more
    assert judge.p_yes(claim) == alone
    judge.p_yes(support_messages("The bridge has two lanes.", SOURCE))  # a shared prefix, another ending
    assert judge.p_yes(claim) == alone


@pytest.mark.slow
def test_a_draft_does_not_depend_on_the_cache_it_starts_from(generator):
    """The first token's logits after a prompt are the same, to the bit, whichever prefix of it was cached."""
    import numpy as np

    session, llm = generator.session, generator.llama
    messages = [
        {"role": "system", "content": "Answer from the source only."},
        {"role": "user", "content": f"{SOURCE}\n\nQuestion: What budget did the council approve?"},
    ]
    tokens = session.tokens(messages)

    def logits_after(cached: int) -> np.ndarray:
        with generator.lock:
            llm.reset()
            llm._ctx.kv_cache_seq_rm(-1, 0, -1)
            session._exact = []
            if cached:
                session.prefill(tokens[:cached])  # as a previous prompt that shares this prefix leaves it
            session.prefill(tokens)
            return np.ctypeslib.as_array(llm._ctx.get_logits(), shape=(llm.n_vocab(),)).copy()

    fresh = logits_after(0)
    for cached in (3, len(tokens) // 2, len(tokens) - 5, len(tokens) - 1):
        assert np.array_equal(logits_after(cached), fresh), cached
    draft = "".join(generator.stream(messages, max_tokens=24, temperature=0.0))
    assert "46" in draft
