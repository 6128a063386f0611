"""AppTest of the Cell lab page: the lab runs in a child process with progress, its result is kept for these settings,
Stop keeps the finished runs, and presenter mode tucks the tables away."""

from __future__ import annotations

import json
import time

from streamlit.testing.v1 import AppTest

from seqcore.cells import cell_spec
from seqcore.memory import MemoryTask


def goto(at: AppTest) -> AppTest:
    return at.switch_page("app_pages/11_cell_lab.py").run()


def clean(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def figures(at: AppTest) -> dict[str, dict]:
    """Every chart of the page as a parsed figure, by its title."""
    out = {}
    for chart in at.get("plotly_chart"):
        fig = json.loads(chart.proto.spec)
        out[fig["layout"]["title"]["text"]] = fig
    return out


def wait_lab(at: AppTest, until, timeout: float = 240) -> AppTest:
    end = time.time() + timeout
    while time.time() < end:
        at.run()
        job = at.session_state["lab_job"]
        job.poll()
        if until(job):
            return at.run()
        time.sleep(0.5)
    raise AssertionError("the lab did not get there in time")


def choose(at: AppTest, variants: list[str], seeds: int, length: int) -> AppTest:
    at.radio(key="lab_task").set_value("memory").run()
    at.multiselect(key="lab_variants").set_value(variants).run()
    at.slider(key="lab_seeds").set_value(seeds).run()
    at.select_slider(key="lab_length").set_value(length).run()
    return at


def test_the_page_states_the_finding_and_counts_each_variants_parameters(app):
    at = goto(app())
    clean(at)
    assert "NFG" in str(at.info[0].value) and "CIFG" in str(at.info[0].value)
    params = next(f for title, f in figures(at).items() if title.startswith("Parameters of one recurrent layer"))
    bars = params["data"][0]
    assert bars["x"][:4] == ["lstm", "lstm-peephole", "lstm-nig", "lstm-nfg"]  # the default: the first four of Greff's
    task = MemoryTask()  # the page opens on the memory task, at its sizes
    assert dict(zip(bars["x"], bars["y"]))["lstm-peephole"] == cell_spec("lstm-peephole").parameters(
        task.embedding_dim, task.hidden_size
    )
    changes = next(d.value for d in at.dataframe if "change" in d.value.columns)
    assert list(changes["change"]) == [cell_spec(v).description for v in changes["variant"]]


def test_the_lab_runs_in_a_child_process_and_is_kept_for_these_settings(app):
    at = choose(goto(app()), ["mgu", "lstm"], 2, 5)
    at.button(key="lab_run").click().run()
    clean(at)
    job = at.session_state["lab_job"]
    assert job.target == "seqcore.celllab:run_lab" and job.kwargs["settings"].length == 5
    assert job.kwargs["settings"].variants == ("lstm", "mgu")  # the library's order
    assert at.button(key="lab_run").disabled
    wait_lab(at, lambda j: j.done)
    clean(at)
    assert job.error is None and len(job.result.runs) == 4
    measured = "\n".join(str(m.value) for m in at.markdown if "Measured" in str(m.value))
    assert "lstm: " in measured and "mgu: " in measured and "over 2 seeds" in measured
    summary = next(d.value for d in at.dataframe if "accuracy_mean" in d.value.columns)
    assert list(summary["variant"]) == ["lstm", "mgu"] and summary["accuracy_mean"].between(0, 1).all()
    result = next(f for title, f in figures(at).items() if title.startswith("Test accuracy per variant"))
    assert result["data"][0]["x"] == ["lstm", "mgu"] and len(result["data"][1]["y"]) == 4  # a bar each, a dot per run
    other = choose(goto(app()), ["mgu", "lstm"], 2, 5)  # another session: the result at once
    assert other.button(key="lab_run").disabled and "lab_job" not in other.session_state
    assert any("Measured" in str(m.value) for m in other.markdown)


def test_stop_keeps_the_finished_runs_and_presenter_mode_hides_the_tables(app):
    at = choose(goto(app()), ["lstm-peephole", "lstm-nfg", "lstm-fgr"], 4, 20)
    at.button(key="lab_run").click().run()
    wait_lab(at, lambda j: any(p.progress is not None for p in j.progress))
    assert at.button(key="lab_stop")
    assert "run " in at.get("progress")[0].proto.text
    at.button(key="lab_stop").click().run()
    wait_lab(at, lambda j: j.done)
    clean(at)
    job = at.session_state["lab_job"]
    assert job.result.stopped and len(job.result.runs) < 12
    assert "Stopped by you" in "\n".join(str(w.value) for w in at.warning)
    assert at.dataframe
    at.toggle(key="present").set_value(True).run()
    clean(at)
    assert not at.dataframe and figures(at)  # tables hidden, charts kept
