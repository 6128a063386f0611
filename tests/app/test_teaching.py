"""AppTest of the teaching pages: gradients through time with the live memory experiment, and the pitfalls, on every
shipped model of the matching task, on the tiny models and (tests/app/test_pages.py) on a model trained in the app."""

from __future__ import annotations

import json
import time

import pytest
from streamlit.testing.v1 import AppTest

from seqcore.gradflow import gradient_flow_text
from seqcore.inference import Predictor
from tests.app.appdata import APP, ROOT
from tests.app.figures import log_axes, shows, trace_names, trace_types
from ui.teaching import fall_text

SHIPPED = {p.parent.name: json.loads(p.read_text()) for p in sorted((ROOT / "models").glob("*/card.json"))}
SENTIMENT = [name for name, card in SHIPPED.items() if card["task"] == "sentiment"]
TAGGING = [name for name, card in SHIPPED.items() if card["task"] == "tagging"]


def goto(at: AppTest, page: str) -> AppTest:
    return at.switch_page(f"app_pages/{page}.py").run()


def clean(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def specs(at: AppTest) -> list:
    return list(at.get("plotly_chart"))


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


@pytest.fixture()
def shipped(monkeypatch):
    """An AppTest on the shipped models and the project's data/."""
    monkeypatch.delenv("SEQCORE_MODELS_DIR", raising=False)
    monkeypatch.delenv("SEQCORE_DATA", raising=False)

    def make(model: str) -> AppTest:
        at = AppTest.from_file(APP, default_timeout=180).run()
        at.selectbox(key="model_key").set_value(f"shipped:{model}").run()
        return at

    return make


# ----------------------------------------------------------------------------- gradients through time


@pytest.mark.skipif(not SENTIMENT, reason="no shipped sentiment model")
def test_gradients_compare_the_shipped_cells_and_their_untrained_twins(shipped):
    at = goto(shipped(SENTIMENT[0]), "8_gradients")
    clean(at)
    chosen = at.multiselect(key="grad_models").value
    assert len(chosen) == min(3, len(SENTIMENT))
    assert at.radio(key="grad_readout").value == "last"  # the readout that shows the fall
    main = specs(at)[0]
    assert log_axes(main)
    text = at.text_input(key="grad_sentence").value
    for key in chosen:
        name = key.removeprefix("shipped:")
        assert {f"{name} · trained", f"{name} · untrained"} <= set(trace_names(main))
        predictor = Predictor.load(ROOT / "models" / name)
        flow = gradient_flow_text(predictor.model, predictor.encoder, text, readout="last")
        label = next(label for label in metrics(at) if label.startswith(f"{name} ("))
        assert metrics(at)[label] == fall_text(flow.orders_of_magnitude(0, "forward"))
    # every layer and direction, model by model: one chart, a panel per model, the same norms as seqcore's
    panels = json.loads(next(c.proto.spec for c in at.get("plotly_chart") if c.proto.id.endswith("-grad_all")))
    assert len([a for a in panels["layout"]["annotations"] if "(" in a["text"]]) == len(chosen)
    name = chosen[0].removeprefix("shipped:")
    predictor = Predictor.load(ROOT / "models" / name)
    flow = gradient_flow_text(predictor.model, predictor.encoder, text, readout="last")
    line = next(d for d in panels["data"] if d["name"] == f"{name} · layer 0 forward")
    assert [f"{v:.3e}" for v in line["y"]] == [f"{v:.3e}" for v in flow.hidden[(0, "forward")]]  # as its hover shows them
    at.radio(key="grad_readout").set_value("own").run()
    at.selectbox(key="grad_direction").set_value("backward").run()
    at.toggle(key="grad_twin").set_value(False).run()
    clean(at)
    assert shows(specs(at)[0], "layer 0, backward") and not shows(specs(at)[0], "untrained")
    assert at.query_params["direction"] == "backward"


@pytest.mark.parametrize("model", SENTIMENT)
def test_gradients_on_each_shipped_sentiment_model_alone(shipped, model):
    at = goto(shipped(model), "8_gradients")
    at.multiselect(key="grad_models").set_value([f"shipped:{model}"]).run()
    at.text_input(key="grad_sentence").set_value("Not good.").run()
    clean(at)
    assert len([label for label in metrics(at) if label.startswith(model)]) == 1
    assert any(shows(c, f"{model} · layer 0 backward") for c in specs(at))  # every layer and direction of the model
    table = [d.value for d in at.dataframe if "word" in d.value.columns][0]
    assert table["word"].tolist() == ["Not", "good", "."]


def test_gradients_on_tiny_models_and_bad_input(app):
    at = goto(app(), "8_gradients")
    clean(at)
    assert len(at.multiselect(key="grad_models").value) == 3
    at.text_input(key="grad_sentence").set_value("   ").run()
    assert "empty" in "\n".join(str(e.value) for e in at.error) and not at.exception
    at.multiselect(key="grad_models").set_value([]).run()
    assert "Choose at least one model." in [str(i.value) for i in at.info]


def test_gradients_without_sentiment_models_still_offer_the_memory_experiment(monkeypatch, tmp_path, tiny_models):
    import shutil

    only = tmp_path / "models"
    shutil.copytree(tiny_models / "tiny-tagging-gru", only / "tiny-tagging-gru")
    monkeypatch.setenv("SEQCORE_MODELS_DIR", str(only))
    at = goto(AppTest.from_file(APP, default_timeout=90).run(), "8_gradients")
    clean(at)
    assert "No sentiment model" in "\n".join(str(w.value) for w in at.warning)
    assert at.button(key="mem_run") and not at.button(key="mem_run").disabled


# ----------------------------------------------------------------------------- the memory experiment


def wait_memory(at: AppTest, until, timeout: float = 180) -> AppTest:
    end = time.time() + timeout
    while time.time() < end:
        at.run()
        job = at.session_state["memory_job"]
        job.poll()
        if until(job):
            return at.run()
        time.sleep(0.5)
    raise AssertionError("the memory experiment did not get there in time")


def test_memory_experiment_runs_in_a_child_process_and_is_kept_for_these_settings(app):
    at = goto(app(), "8_gradients")
    at.multiselect(key="mem_lengths").set_value([5]).run()
    at.multiselect(key="mem_cells").set_value(["gru", "rnn"]).run()
    at.number_input(key="mem_seed").set_value(7).run()
    at.button(key="mem_run").click().run()
    clean(at)
    job = at.session_state["memory_job"]
    assert job.target == "seqcore.memory:run_memory_experiment" and job.kwargs["task"].lengths == (5,)
    assert job.kwargs["task"].cells == ("rnn", "gru")  # the library's order, whatever the order chosen
    assert at.button(key="mem_run").disabled  # one run at a time
    wait_memory(at, lambda j: j.done)
    clean(at)
    assert job.error is None and job._process.pid is not None
    measured = "\n".join(str(m.value) for m in at.markdown if "Measured" in str(m.value))
    assert "RNN: " in measured and "GRU: " in measured and "at 5 words" in measured
    rows = [d.value for d in at.dataframe if "epochs_run" in d.value.columns][0]
    assert sorted(rows["cell"]) == ["gru", "rnn"] and set(rows["length"]) == {5}
    assert rows["accuracy"].between(0, 1).all()
    assert any(shows(c, "Remembering the first word") for c in specs(at))
    # Another session with the same settings sees the result at once, without running anything.
    other = goto(app(), "8_gradients")
    other.multiselect(key="mem_lengths").set_value([5]).run()
    other.multiselect(key="mem_cells").set_value(["rnn", "gru"]).run()
    other.number_input(key="mem_seed").set_value(7).run()
    assert other.button(key="mem_run").disabled and "memory_job" not in other.session_state
    assert any("Measured" in str(m.value) for m in other.markdown)


def test_memory_experiment_stop_keeps_the_finished_runs(app):
    at = goto(app(), "8_gradients")
    at.number_input(key="mem_seed").set_value(11).run()
    at.button(key="mem_run").click().run()
    wait_memory(at, lambda j: any(p.progress is not None for p in j.progress))
    assert at.button(key="mem_stop")
    progress = [p for p in at.get("progress")]
    assert progress and "run " in progress[0].proto.text
    at.button(key="mem_stop").click().run()
    wait_memory(at, lambda j: j.done)
    clean(at)
    job = at.session_state["memory_job"]
    assert job.result.stopped and len(job.result.runs) < 9
    assert "Stopped by you" in "\n".join(str(w.value) for w in at.warning)
    assert not at.button(key="mem_run").disabled  # a stopped result is not kept: it can run again


# ----------------------------------------------------------------------------- pitfalls


PADDING_HARMLESS = {"sst-rnn"}


@pytest.mark.parametrize("model", SENTIMENT)
def test_readouts_of_each_shipped_sentiment_model_on_its_real_test_set(shipped, model):
    at = goto(shipped(model), "9_pitfalls")
    clean(at)
    assert at.radio(key="pit_source").value == "test"
    shown = metrics(at)
    right, padded, first = (
        float(shown[k].rstrip("%"))
        for k in ("last relevant step (right)", "last padded position (wrong)", "step 0 (the Theano bug)")
    )
    # Read right, on its own test set, the model scores what its card says; the two mistakes cost accuracy.
    assert right == pytest.approx(100 * SHIPPED[model]["test_metrics"]["accuracy"], abs=0.051)
    assert first < padded and first < right
    # Reading at the last padded position costs every model but sst-rnn, whose BiRNN with max pooling scores 1.1
    # points more there on SST-2 test (83.9% against 82.8%): measured, and shown so on the page.
    assert padded < right or model in PADDING_HARMLESS
    rows = [d.value for d in at.dataframe if "padded to" in d.value.columns][0]
    assert len(rows) == 6 and (rows["length"] <= rows["padded to"]).all()
    assert any("heatmap" in trace_types(c) and shows(c, "last relevant step (right) (forward)") for c in specs(at))


@pytest.mark.parametrize("model", TAGGING)
def test_masking_on_each_shipped_tagger(shipped, model):
    at = goto(shipped(model), "9_pitfalls")
    clean(at)
    rows = [d.value for d in at.dataframe if "counted_loss" in d.value.columns][0]
    assert rows["masked_accuracy"].nunique() == 1 and rows["masked_loss"].round(6).nunique() == 1
    assert (rows["counted_accuracy"].diff().dropna() < 0).all()  # more padding, lower counted accuracy
    assert (rows["counted_loss"].diff().dropna() > 0).all()
    assert rows["padding_share"].iloc[-1] > 0.9
    assert "many-to-many" in "\n".join(str(h.value) for h in at.subheader)


def test_pitfalls_on_tiny_models(app):
    from tests.app.appdata import CONLLU

    at = goto(app(), "9_pitfalls")
    clean(at)
    assert at.radio(key="pit_source").value == "demo"  # a tiny model's card names no test files
    assert any(shows(c, "The same model, read at three places") for c in specs(at))
    at.radio(key="pit_tag_source").set_value("upload").run()
    at.file_uploader(key="pit_tag_upload").set_value(("t.conllu", CONLLU.encode(), "text/plain")).run()
    clean(at)
    rows = [d.value for d in at.dataframe if "counted_loss" in d.value.columns][0]
    assert rows["real_tokens"].iloc[0] == 13 and rows["padded_length"].tolist() == [5, 10, 20, 40]
    # Shapes: a sentence model is many-to-one; the same weights on every step give one prediction per token.
    heads = "\n".join(str(h.value) for h in at.subheader)
    assert "This model: many-to-one" in heads and "The same weights, many-to-many" in heads
    at.text_input(key="pit_sentence").set_value("Staff smiled warmly").run()
    code = [str(c.value) for c in at.code]
    assert code[0].startswith("[1, 3]") and code[1].endswith("[1, 3, 2]")
    # An aspect model: one prediction per aspect term.
    at.selectbox(key="model_key").set_value("shipped:tiny-aspect-lstm").run()
    at.text_input(key="pit_terms").set_value("Staff").run()
    clean(at)
    assert "many-to-one (per aspect)" in "\n".join(str(h.value) for h in at.subheader)
    at.text_input(key="pit_terms").set_value("pizza").run()
    assert "does not occur" in "\n".join(str(e.value) for e in at.error) and not at.exception
