"""AppTest: a cell variant trained on the Train page works on every page: its own gates, its equations and parameter
counts, gradients through time, the trajectory and the model zip; and a shipped variant model of another task does too."""

from __future__ import annotations

import io
import time
import zipfile

from streamlit.testing.v1 import AppTest

from seqcore.cells import cell_spec
from seqcore.checkpoints import load_checkpoint_zip


def goto(at: AppTest, page: str) -> AppTest:
    return at.switch_page(f"app_pages/{page}.py").run()


def clean(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def texts(elements) -> str:
    return "\n".join(str(e.value) for e in elements)


def wait_for_training(at: AppTest, timeout: float = 180) -> AppTest:
    end = time.time() + timeout
    while time.time() < end:
        at.run()
        if at.session_state["train_job"].done:
            return at.run()
        time.sleep(0.3)
    raise AssertionError("training did not finish in time")


def test_a_variant_trained_in_the_app_works_on_every_page(app):
    at = goto(app(), "5_train")
    offered = set(at.selectbox(key="train_cell").options)  # written upper-case
    assert {"LSTM-PEEPHOLE", "LSTM-CIFG", "LSTM-FGR", "MGU", "GRU-NRG", "GRU-NUG"} <= offered
    at.selectbox(key="train_cell").set_value("lstm-cifg").run()
    at.radio(key="train_source_sentiment").set_value("demo").run()
    at.number_input(key="train_epochs").set_value(1).run()
    at.number_input(key="train_hidden").set_value(6).run()
    at.button(key="train_start").click().run()
    wait_for_training(at)
    clean(at)
    key = at.selectbox(key="model_key").value
    assert key.endswith("my-sentiment-lstm-cifg-1")
    zipped = at.session_state["trained_models"][key]["zip"]
    loaded = load_checkpoint_zip(zipped)  # the model zip round-trips, validated
    assert loaded.config.cell == "lstm-cifg" and loaded.card["cell"] == "lstm-cifg"
    assert sorted(n.split("/")[1] for n in zipfile.ZipFile(io.BytesIO(zipped)).namelist())[0] == "card.json"
    spec = cell_spec("lstm-cifg")
    for page in ("1_trajectory", "3_gates", "6_inside", "8_gradients", "4_evaluation"):
        goto(at, page)
        clean(at)
        if page == "3_gates":  # every bounded gate the variant has, f = 1 - i included (c is unbounded: no saturation)
            sat = next(d.value for d in at.dataframe if "share_saturated" in d.value.columns)
            assert list(sat["gate"]) == [g for g in spec.names if g != "c"]
        if page == "6_inside":
            assert any("p_i" in str(e.value) for e in at.get("latex")) and "The blocks add up to" in texts(at.success)
            params = next(d.value for d in at.dataframe if "gate" in d.value.columns and "shapes" in d.value.columns)
            recurrent = params[params["component"] == "recurrent"]
            assert set(recurrent["gate"]) == set(spec.blocks)  # i, g, o: CIFG's f has no weights of its own
            assert any("p_i" in s for s in recurrent["shapes"])
        if page == "8_gradients":
            assert key in at.multiselect(key="grad_models").value
