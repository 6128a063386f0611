"""Bring a model back: the Train page's download uploaded again joins the sidebar; hostile zips are refused by name."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from safetensors.torch import save_file

from seqcore.checkpoints import FILES, load_checkpoint
from seqcore.readers import LabeledText
from seqcore.tasks import sentiment_examples
from tests.app.appdata import HOSTILE_NAME, IMG, SCRIPT, SENTENCES
from tests.app.conftest import tiny_fit
from tests.app.test_inert import assert_inert
from tests.app.test_pages import clean, goto, texts, wait_for_training
from ui.text import plain
from ui.uploads import safe_card


def upload(at, name: str, data: bytes):
    goto(at, "5_train")
    at.file_uploader(key="train_model_zip").set_value((name, data, "application/zip")).run()
    return at


def zip_of(files: dict[str, bytes], folder: str = "m") -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in files.items():
            zf.writestr(f"{folder}/{name}" if folder else name, data)
    return buf.getvalue()


@pytest.fixture()
def tiny_files(tiny_models) -> dict[str, bytes]:
    """The four files of a tiny sentiment model."""
    return {name: (tiny_models / "tiny-sentiment-gru" / name).read_bytes() for name in FILES}


def test_a_downloaded_model_comes_back_and_predicts_the_same(app):
    at = app()
    goto(at, "5_train")
    at.radio(key="train_source_sentiment").set_value("demo").run()
    at.number_input(key="train_epochs").set_value(1).run()
    at.button(key="train_start").click().run()
    wait_for_training(at)
    clean(at)
    key = at.selectbox(key="model_key").value
    trained = at.session_state["trained_models"][key]
    assert any(b.proto.label.startswith("Download the model") for b in at.get("download_button"))
    data = trained["zip"]  # the bytes that button downloads

    other = app()  # another browser session (a teacher's classroom) uploads the file
    upload(other, "my-sentiment-gru-1.zip", data)
    clean(other)
    box = other.selectbox(key="model_key")
    assert box.value.startswith("session:") and box.value.endswith("my-sentiment-gru-1")
    assert box.format_func(box.value) == "my-sentiment-gru-1 (yours)"  # short in the picker, whole in its caption:
    assert "my-sentiment-gru-1 (uploaded in this session)" in " ".join(c.value for c in other.sidebar.caption)
    assert "is one of this session's models" in texts(other.success)
    back = other.session_state["trained_models"][box.value]
    for text in ("not bad at all", "a dull , tired mess", "I loved every minute"):
        assert back["predictor"].predict_text(text) == trained["predictor"].predict_text(text)
    for page in ("1_trajectory", "3_gates", "6_inside", "4_evaluation"):
        goto(other, page)
        clean(other)
    # The session that uploaded it sees it; a third one does not.
    assert not any(k.startswith("session:") for k in app().selectbox(key="model_key").options)


def _bomb() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("m/weights.safetensors", b"\0" * (129 * 2**20))  # 129 MiB of zeros deflate to about 130 kB
        for name in FILES[1:]:
            zf.writestr(f"m/{name}", b"{}")
    return buf.getvalue()


def _wrong_shape(files: dict[str, bytes], tmp_path) -> bytes:
    ckpt = load_checkpoint_from(files, tmp_path)
    state = {k: v.clone() for k, v in ckpt.model.state_dict().items()}
    name = next(k for k in state if k.startswith("embedding"))
    state[name] = state[name][:, :-1].contiguous()  # one embedding dimension short
    out = tmp_path / "w.safetensors"
    save_file(state, str(out))
    return zip_of({**files, "weights.safetensors": out.read_bytes()})


def load_checkpoint_from(files: dict[str, bytes], tmp_path):
    folder = tmp_path / "unzipped"
    folder.mkdir(exist_ok=True)
    for name, data in files.items():
        (folder / name).write_bytes(data)
    return load_checkpoint(folder)


@pytest.mark.parametrize(
    "case,reason",
    [
        ("bomb", "a zip bomb?"),
        ("slip", "zip slip"),
        ("pickle", "unexpected file 'm/model.pkl'"),
        ("missing", "lacks vocab.json"),
        ("extra", "unexpected file 'm/notes.txt'"),
        ("shape", "config.json implies"),
        ("not a zip", "is not a zip file"),
    ],
)
def test_a_hostile_model_zip_is_refused_with_its_reason(app, tiny_files, tmp_path, case, reason):
    import pickle

    data = {
        "bomb": _bomb,
        "slip": lambda: zip_of({**tiny_files, "../../etc/cron.d/x": b"*"}, folder=""),
        "pickle": lambda: zip_of({**tiny_files, "model.pkl": pickle.dumps({"a": 1})}),
        "missing": lambda: zip_of({k: v for k, v in tiny_files.items() if k != "vocab.json"}),
        "extra": lambda: zip_of({**tiny_files, "notes.txt": b"hello"}),
        "shape": lambda: _wrong_shape(tiny_files, tmp_path),
        "not a zip": lambda: b"PK\x03\x04 but not really a zip",
    }[case]()
    at = upload(app(), "model.zip", data)
    assert not at.exception
    message = texts(at.error)
    assert "The model zip model.zip was refused" in message and plain(reason) in message, message
    assert not any(k.startswith("session:") for k in at.selectbox(key="model_key").options)
    at.run()  # the refusal stays on the page while the file is there, and nothing joins the sidebar
    assert plain(reason) in texts(at.error)


def test_a_model_with_hostile_labels_and_name_is_shown_as_text(app, tmp_path):
    """A zip is anyone's file: its class labels (vocab.json) and its file name reach the pages escaped."""
    from seqcore.checkpoints import checkpoint_to_zip
    from seqcore.pipeline import save_fit

    bad = f"{IMG}{SCRIPT}"
    examples = sentiment_examples([LabeledText(t, bad if lab == "positive" else "negative") for t, lab in SENTENCES * 2])
    folder = save_fit(tmp_path / "m", tiny_fit("sentiment", "gru", examples, examples[:4]))
    at = upload(app(), HOSTILE_NAME.replace(".xml", ".zip"), checkpoint_to_zip(folder))
    assert_inert(at)
    key = at.selectbox(key="model_key").value
    name = at.session_state["trained_models"][key]["entry"].name  # the file name, cleaned
    assert key.startswith("session:") and "<" not in name and "(" not in name
    for page in ("4_evaluation", "3_gates", "6_inside", "1_trajectory"):
        goto(at, page)
        assert_inert(at)
    finals = {str(m.value) for m in at.metric if m.label.startswith(plain(name))}  # its answer after the sentence
    assert len(finals) == 1 and finals <= {"negative", plain(bad)}


def test_an_uploaded_card_keeps_only_data_references_inside_the_data_folder():
    card = {
        "task": "aspect",
        "test_metrics": "not a dict",
        "dev_metrics": {"accuracy": 0.5},
        "data": {
            "train": ["data/semeval2014/Restaurants_Train_v2.xml"],
            "test": ["data/../../etc/passwd"],
            "kfold": {"folds": 10**9, "fold": 0, "seed": 1},
        },
    }
    safe = safe_card(card, "sentiment")
    assert safe["task"] == "sentiment" and "test_metrics" not in safe and safe["dev_metrics"] == {"accuracy": 0.5}
    assert safe["data"] == {"train": ["data/semeval2014/Restaurants_Train_v2.xml"]}
    for refs in (["/etc/passwd"], ["data/x.xml", 3], "data/x.xml", []):
        assert "test" not in safe_card({"data": {"test": refs}}, "aspect")["data"]
    kfold = {"train": ["data/a.pos", "data/a.neg"], "kfold": {"folds": 10, "fold": 3, "seed": 13}}
    assert safe_card({"data": kfold}, "sentiment")["data"] == kfold
    assert json.dumps(safe_card({"data": [1, 2]}, "aspect")) == '{"task": "aspect"}'
