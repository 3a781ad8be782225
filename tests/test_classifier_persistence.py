"""Saving and loading the classifier: the round trip, the recorded provenance, and model-file safety.

A model folder is plain JSON and NumPy arrays. Loading a folder that is missing, damaged,
incompatible, tampered with or holds a pickle raises ``ModelLoadError`` naming the problem,
and never runs code stored in the folder.
"""
from __future__ import annotations

import json
import pickle
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import nlp
from nlp.classifier import PolicyClassifier
from nlp.classifier.persistence import ModelLoadError

from conftest import LABELS

PROJECT = Path(__file__).resolve().parents[1]


def test_model_card_records_provenance(shipped):
    info = shipped.info_
    assert info["label_ids"] == LABELS
    assert len(info["data_hash"]) == 64
    assert "lodo" in info["metrics"]
    card = (nlp.paths.default_model_dir() / "MODEL_CARD.md").read_text(encoding="utf-8")
    assert info["data_hash"] in card


def test_save_load_round_trip(held_out_fit, tmp_path):
    clf, test = held_out_fit
    clf.save(tmp_path / "m", {"data_hash": "x"})
    again = PolicyClassifier.load(tmp_path / "m")
    texts = test["text"].tolist()
    pd.testing.assert_frame_equal(clf.predict_proba(texts), again.predict_proba(texts))
    assert clf.predict(texts) == again.predict(texts)


# --- model files ---------------------------------------------------------------------------------

class _Exploit:
    """Unpickling this creates a file: proof that code ran."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (Path.touch, (self.marker,))


def _edit_info(folder: Path, edit) -> None:
    info = json.loads((folder / "model.json").read_text(encoding="utf-8"))
    edit(info)
    (folder / "model.json").write_text(json.dumps(info, ensure_ascii=False), encoding="utf-8")


def test_a_malicious_pickle_anywhere_in_the_folder_never_runs(model_copy, tmp_path):
    marker = tmp_path / "pwned"
    payload = pickle.dumps(_Exploit(marker))
    assert not marker.exists()
    pickle.loads(payload)  # the payload works ...
    assert marker.exists()
    marker.unlink()
    cases = {}
    for name in ("arrays.npz", "model.json", "vocabulary_char.json"):
        folder = model_copy(f"pickle-as-{name}")
        (folder / name).write_bytes(payload)
        cases[name] = folder
    # an .npz whose weight array is an object array holding the payload (NumPy stores it pickled)
    folder = model_copy("object-array")
    arrays = dict(np.load(folder / "arrays.npz"))
    arrays["coef"] = np.array([_Exploit(marker)], dtype=object)
    np.savez(folder / "arrays.npz", **arrays)
    cases["object array"] = folder
    for case, folder in cases.items():
        with pytest.raises(ModelLoadError) as info:  # ... but loading never unpickles it
            nlp.PolicyClassifier.load(folder)
        assert str(folder) in str(info.value), case
        assert not marker.exists(), case
    # NumPy refuses the pickle in place of the arrays, and the error names the file
    with pytest.raises(ModelLoadError, match="arrays.npz"):
        nlp.PolicyClassifier.load(cases["arrays.npz"])


def test_pickled_model_in_place_of_the_folder_is_refused(tmp_path, shipped):
    single = tmp_path / "policy_classifier.pkl"
    single.write_bytes(pickle.dumps({"model": "anything"}))
    with pytest.raises(ModelLoadError, match="expected a model folder"):
        nlp.PolicyClassifier.load(single)
    folder = tmp_path / "pickled_folder"
    folder.mkdir()
    (folder / "model.pkl").write_bytes(pickle.dumps({"model": "anything"}))
    with pytest.raises(ModelLoadError, match="model.json is missing"):
        nlp.PolicyClassifier.load(folder)


@pytest.mark.parametrize(("case", "edit", "match"), [
    ("newer package", lambda i: i["params"].update(new_option=1), "invalid model parameters.*retrain"),
    ("older format", lambda i: i.update(format_version=1), "format version 1"),
    ("no format", lambda i: i.pop("format_version"), "format version None"),
    ("untrusted tokenizer", lambda i: i["features"][0]["params"].update(tokenizer="builtins.eval"),
     "refusing to load.*builtins.eval"),
    ("path traversal", lambda i: i["features"][0].update(vocabulary="../../../etc/passwd"), "vocabulary"),
    ("unknown feature kind", lambda i: i["features"][0].update(kind="pickle"), "unknown feature kind"),
    ("missing labels", lambda i: i.pop("label_ids"), "incomplete"),
    ("wrong threshold count", lambda i: i.update(thresholds=[0.5]), "do not fit"),
    ("not an object", lambda i: i.clear(), "incomplete|format version"),
])
def test_incompatible_or_tampered_model_description_is_refused(model_copy, case, edit, match):
    folder = model_copy(case.replace(" ", "-"))
    _edit_info(folder, edit)
    with pytest.raises(ModelLoadError, match=match):
        nlp.PolicyClassifier.load(folder)


def test_truncated_and_missing_model_files_are_refused(model_copy, tmp_path):
    for name, damage in (("arrays.npz", b""), ("model.json", b""), ("vocabulary_char.json", b"[\"a\", ")):
        folder = model_copy(f"damaged-{name}")
        (folder / name).write_bytes(damage)
        with pytest.raises(ModelLoadError, match=name.split(".")[0]):
            nlp.PolicyClassifier.load(folder)
        folder = model_copy(f"missing-{name}")
        (folder / name).unlink()
        with pytest.raises(ModelLoadError, match="missing"):
            nlp.PolicyClassifier.load(folder)
    # a model description cut off mid-way, arrays cut in half, a missing folder
    folder = model_copy("truncated")
    (folder / "model.json").write_text("{\"format_version\": 2, ", encoding="utf-8")
    with pytest.raises(ModelLoadError, match="corrupted"):
        nlp.PolicyClassifier.load(folder)
    folder = model_copy("truncated-arrays")
    data = (folder / "arrays.npz").read_bytes()
    (folder / "arrays.npz").write_bytes(data[: len(data) // 2])
    with pytest.raises(ModelLoadError, match="arrays.npz"):
        nlp.PolicyClassifier.load(folder)
    with pytest.raises(ModelLoadError, match="not found"):
        nlp.PolicyClassifier.load(tmp_path / "nothing")


@pytest.mark.parametrize("case", ["nan weights", "string weights", "bad unit", "label ids as a string", "deep json",
                                  "vectorizer reads files"])
def test_model_with_invalid_values_is_refused_at_load(model_copy, case):
    folder = model_copy(case.replace(" ", "-"))
    if case == "vectorizer reads files":
        # TfidfVectorizer(input="filename") would open a file named by each paragraph text
        _edit_info(folder, lambda i: i["features"][0]["params"].update(input="filename"))
    elif case == "nan weights":
        arrays = dict(np.load(folder / "arrays.npz"))
        arrays["coef"] = np.full_like(arrays["coef"], np.nan)
        np.savez(folder / "arrays.npz", **arrays)
    elif case == "string weights":
        arrays = dict(np.load(folder / "arrays.npz"))
        arrays["coef"] = arrays["coef"].astype(str)
        np.savez(folder / "arrays.npz", **arrays)
    elif case == "bad unit":
        _edit_info(folder, lambda i: i["params"].update(unit="sentence"))
    elif case == "label ids as a string":
        _edit_info(folder, lambda i: i.update(label_ids="abcde"))
    else:
        (folder / "model.json").write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    with pytest.raises(ModelLoadError):
        nlp.PolicyClassifier.load(folder)


def test_the_model_load_path_has_no_code_loading_calls():
    """A static guard: the loader never imports a pickle-family module, never evaluates code and
    reads arrays only with ``allow_pickle=False``."""
    import ast

    source = (PROJECT / "nlp" / "classifier" / "persistence.py").read_text(encoding="utf-8")
    tree = ast.parse(source)
    banned_modules = {"pickle", "cPickle", "dill", "cloudpickle", "joblib", "skops", "marshal", "shelve", "torch", "importlib"}
    banned_calls = {"eval", "exec", "compile", "__import__", "import_module", "loads"}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            assert not {a.name.split(".")[0] for a in node.names} & banned_modules, ast.dump(node)
        elif isinstance(node, ast.ImportFrom):
            assert (node.module or "").split(".")[0] not in banned_modules, node.module
        elif isinstance(node, ast.Call):
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            assert name not in banned_calls, f"line {node.lineno}: {name}()"
            if name == "load" and isinstance(node.func, ast.Attribute) and getattr(node.func.value, "id", "") == "np":
                keywords = {k.arg: k.value for k in node.keywords}
                assert isinstance(keywords.get("allow_pickle"), ast.Constant) and keywords["allow_pickle"].value is False, \
                    f"line {node.lineno}: np.load without allow_pickle=False"


def test_a_folder_saved_before_the_restructuring_still_loads(model_copy, corpus):
    """Folders written before output forms and the min_df/class_weight parameters existed load as before."""
    import json

    folder = model_copy("old-format")
    info = json.loads((folder / "model.json").read_text(encoding="utf-8"))
    info.pop("output_form", None)
    for key in ("min_df", "class_weight"):
        info["params"].pop(key, None)
    (folder / "model.json").write_text(json.dumps(info, ensure_ascii=False), encoding="utf-8")
    old = PolicyClassifier.load(folder)
    texts = corpus.paragraphs["text"].head(20).tolist()
    assert old.predict(texts) == PolicyClassifier.load().predict(texts)
    assert old.output_form_ == "labels" and old.min_df == 1 and old.class_weight == "balanced"


def test_a_save_replaces_the_folder_whole_and_an_interrupted_save_keeps_the_old_model(held_out_fit, tmp_path,
                                                                                     monkeypatch):
    from nlp.classifier import persistence

    clf, test = held_out_fit
    target = tmp_path / "model"
    clf.save(target, {"data_hash": "first"})
    before = {p.name: p.read_bytes() for p in target.iterdir()}

    def fail(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(persistence.np, "savez_compressed", fail)
    with pytest.raises(OSError, match="disk full"):
        clf.save(target, {"data_hash": "second"})
    assert {p.name: p.read_bytes() for p in target.iterdir()} == before  # the old model, untouched
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".model.")]  # no staging folder left behind
    monkeypatch.undo()
    clf.save(target, {"data_hash": "second"})
    assert PolicyClassifier.load(target).info_["data_hash"] == "second"


# --- concurrent readers while the folder is re-saved ---------------------------------------------

_READER = r"""
import json, sys, threading, time
import numpy as np
from nlp.classifier import PolicyClassifier
from nlp.classifier.persistence import ModelLoadError

folder, expected_file, seconds, n_threads = sys.argv[1], sys.argv[2], float(sys.argv[3]), int(sys.argv[4])
spec = json.load(open(expected_file, encoding="utf-8"))
counts = {"loads": 0, "seen": [], "model_load_errors": 0, "mixed": 0, "other": []}
lock = threading.Lock()

def read():
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        try:
            clf = PolicyClassifier.load(folder)
            proba = clf.predict_proba(spec["texts"]).to_numpy()
            tag = clf.info_["data_hash"]
            ok = np.allclose(proba, np.asarray(spec[tag]), atol=1e-9)
            with lock:
                counts["loads"] += 1
                counts["mixed"] += 0 if ok else 1
                if tag not in counts["seen"]:
                    counts["seen"].append(tag)
        except ModelLoadError:
            with lock:
                counts["model_load_errors"] += 1
        except BaseException as exc:
            with lock:
                counts["other"].append(f"{type(exc).__module__}.{type(exc).__name__}: {exc}"[:300])

threads = [threading.Thread(target=read) for _ in range(n_threads)]
for t in threads: t.start()
for t in threads: t.join()
print(json.dumps(counts))
"""


def test_readers_see_the_old_or_the_new_model_whole_while_the_folder_is_re_saved(training_data, tmp_path):
    """Processes and threads load and predict while another thread re-saves the folder again and
    again, alternating two models that share a vocabulary but not their weights (a mix of the two
    would load without error). Every load gives one model whole; any error is a ModelLoadError."""
    import os
    import subprocess
    import sys
    import threading
    import time

    texts, labels, _ = training_data.units("clause", None)
    texts, labels = texts[:300], labels[:300]
    models = {tag: PolicyClassifier(C=C, char_ngrams=(1, 2)).fit(texts, labels) for tag, C in (("A", 0.05), ("B", 50.0))}
    probe = texts[:6]
    spec = {"texts": probe, **{tag: m.predict_proba(probe).to_numpy().tolist() for tag, m in models.items()}}
    assert not np.allclose(spec["A"], spec["B"])
    (tmp_path / "expected.json").write_text(json.dumps(spec, ensure_ascii=False), encoding="utf-8")
    target = tmp_path / "model"
    models["A"].save(target, {"data_hash": "A"})

    seconds = 6.0
    stop = threading.Event()
    saves = []

    def writer():
        while not stop.is_set():
            tag = "AB"[len(saves) % 2]
            models[tag].save(target, {"data_hash": tag})
            saves.append(tag)

    env = {**os.environ, "PYTHONPATH": str(PROJECT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    readers = [subprocess.Popen([sys.executable, "-c", _READER, str(target), str(tmp_path / "expected.json"),
                                 str(seconds), "2"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
               for _ in range(2)]
    time.sleep(3.0)  # the reader processes import the package first
    thread = threading.Thread(target=writer)
    thread.start()
    in_process = subprocess.run([sys.executable, "-c", _READER, str(target), str(tmp_path / "expected.json"),
                                 str(seconds - 3.0), "4"], capture_output=True, text=True, env=env)
    results = [json.loads(in_process.stdout)]
    for reader in readers:
        out, err = reader.communicate(timeout=120)
        assert reader.returncode == 0, err
        results.append(json.loads(out))
    stop.set()
    thread.join()
    assert len(saves) >= 10
    loads = sum(r["loads"] for r in results)
    assert loads >= 20 and {"A", "B"} <= set().union(*(r["seen"] for r in results)), results
    assert [o for r in results for o in r["other"]] == []        # never a zlib / numpy / OS traceback
    assert sum(r["mixed"] for r in results) == 0                  # never new weights under the old description
    assert PolicyClassifier.load(target).info_["data_hash"] == saves[-1]
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".model.")]  # no temporary folder left


# --- a model folder must not hang or exhaust the machine ----------------------------------------

def _load_within(folder: Path, seconds: float = 30.0):
    """Load in a daemon thread: a load that hangs (a FIFO) fails the test instead of hanging it."""
    import threading

    outcome: dict = {}

    def load():
        try:
            outcome["model"] = nlp.PolicyClassifier.load(folder)
        except BaseException as exc:  # noqa: BLE001 - handed to the test
            outcome["error"] = exc

    thread = threading.Thread(target=load, daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), f"loading {folder} hangs"
    return outcome


@pytest.mark.parametrize("case", ["vocabulary symlinked outside", "symlink to /dev/zero", "fifo as model.json",
                                  "directory as arrays.npz"])
def test_symlinks_and_special_files_in_a_model_folder_are_refused(model_copy, tmp_path, case):
    import os

    folder = model_copy(case.replace(" ", "-").replace("/", ""))
    if case == "vocabulary symlinked outside":
        outside = tmp_path / "elsewhere.json"
        outside.write_bytes((folder / "vocabulary_char.json").read_bytes())
        (folder / "vocabulary_char.json").unlink()
        (folder / "vocabulary_char.json").symlink_to(outside)
        match = "symbolic link"
    elif case == "symlink to /dev/zero":
        (folder / "arrays.npz").unlink()
        (folder / "arrays.npz").symlink_to("/dev/zero")
        match = "symbolic link"
    elif case == "fifo as model.json":
        (folder / "model.json").unlink()
        os.mkfifo(folder / "model.json")
        match = "FIFO"
    else:
        (folder / "arrays.npz").unlink()
        (folder / "arrays.npz").mkdir()
        match = "regular file"
    outcome = _load_within(folder)
    assert isinstance(outcome.get("error"), ModelLoadError), outcome
    assert match in str(outcome["error"])


def test_model_files_over_the_size_limit_are_refused_before_reading(model_copy, monkeypatch):
    from nlp.classifier import persistence

    folder = model_copy("big")
    monkeypatch.setattr(persistence, "MAX_INFO_BYTES", 1000)
    with pytest.raises(ModelLoadError, match="model.json.*limit of 1,000"):
        nlp.PolicyClassifier.load(folder)
    monkeypatch.undo()
    monkeypatch.setattr(persistence, "MAX_FILE_BYTES", 1000)
    with pytest.raises(ModelLoadError, match="vocabulary.*limit of 1,000"):
        nlp.PolicyClassifier.load(folder)


def _npz_with(folder: Path, extra: dict[str, bytes]) -> None:
    """Rewrite arrays.npz with some members replaced or added as raw .npy bytes."""
    import io
    import zipfile

    arrays = dict(np.load(folder / "arrays.npz"))
    with zipfile.ZipFile(folder / "arrays.npz", "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for key, value in arrays.items():
            if f"{key}.npy" not in extra:
                buffer = io.BytesIO()
                np.lib.format.write_array(buffer, value)
                archive.writestr(f"{key}.npy", buffer.getvalue())
        for name, data in extra.items():
            archive.writestr(name, data)


def _npy_header(shape: tuple, descr: str = "<f8") -> bytes:
    import io

    buffer = io.BytesIO()
    np.lib.format.write_array_header_1_0(buffer, {"descr": descr, "fortran_order": False, "shape": shape})
    return buffer.getvalue()


def test_only_the_expected_arrays_are_decompressed(model_copy, monkeypatch, corpus):
    import zipfile

    folder = model_copy("extra-member")
    _npz_with(folder, {"unused.npy": _npy_header((4_000_000,)) + bytes(32_000_000)})  # 32 MB of zeros, packed small
    opened = []
    original = zipfile.ZipFile.open

    def spy(self, name, *args, **kwargs):
        opened.append(name if isinstance(name, str) else name.filename)
        return original(self, name, *args, **kwargs)

    monkeypatch.setattr(zipfile.ZipFile, "open", spy)
    model = nlp.PolicyClassifier.load(folder)
    assert opened and "unused.npy" not in opened
    texts = corpus.paragraphs["text"].head(5).tolist()
    monkeypatch.undo()
    assert model.predict(texts) == nlp.PolicyClassifier.load().predict(texts)


@pytest.mark.parametrize(("case", "member", "match"), [
    ("huge declared shape", _npy_header((10 ** 12,)) + bytes(64), "declares shape \\(1000000000000,\\)"),
    ("wrong declared shape", _npy_header((5, 3)) + bytes(120), "declares shape \\(5, 3\\)"),
    ("object dtype", _npy_header((5,), "|O"), "floating-point"),
    ("truncated data", None, "truncated"),
])
def test_array_headers_are_checked_against_the_model_description_before_allocating(model_copy, case, member, match):
    folder = model_copy(case.replace(" ", "-"))
    if member is None:
        coef = np.load(folder / "arrays.npz")["coef"]
        member = _npy_header(coef.shape) + coef.tobytes()[:100]
    _npz_with(folder, {"coef.npy": member})
    with pytest.raises(ModelLoadError, match=match):
        nlp.PolicyClassifier.load(folder)


def _with_rule_features(folder: Path, scale) -> None:
    """Give a model folder a rules feature (five more weight columns, all zero)."""
    _edit_info(folder, lambda i: i["features"].append({"name": "rules", "kind": "rules", "scale": scale}))
    arrays = dict(np.load(folder / "arrays.npz"))
    arrays["coef"] = np.hstack([arrays["coef"], np.zeros((arrays["coef"].shape[0], 5))])
    np.savez(folder / "arrays.npz", **arrays)


def _duplicate_key(folder: Path) -> None:
    text = (folder / "model.json").read_text(encoding="utf-8")
    (folder / "model.json").write_text(text.replace('"thresholds": [', '"thresholds": [0.5, 0.5, 0.5, 0.5, 0.5], '
                                                                       '"thresholds": [', 1), encoding="utf-8")


def _duplicate_taxonomy_label(info: dict) -> None:
    info["taxonomy"]["labels"][1] = dict(info["taxonomy"]["labels"][0])


@pytest.mark.parametrize(("case", "damage", "match"), [
    ("rules scale NaN", lambda f: _with_rule_features(f, float("nan")), "'scale' must be a finite number"),
    ("rules scale string", lambda f: _with_rule_features(f, "1"), "'scale' must be a finite number"),
    ("no features", lambda f: _edit_info(f, lambda i: i.update(features=[])), "non-empty list"),
    ("tokenizer as preprocessor", lambda f: _edit_info(f, lambda i: i["features"][0]["params"].update(
        preprocessor="nlp.tokenize.tokenize")), "as its preprocessor"),
    ("duplicate JSON key", _duplicate_key, "repeats the key 'thresholds'"),
    ("duplicate taxonomy label", lambda f: _edit_info(f, _duplicate_taxonomy_label), "duplicate label ids"),
    ("labels not the taxonomy's", lambda f: _edit_info(f, lambda i: i["label_ids"].reverse()), "do not match"),
    ("negative n_train", lambda f: _edit_info(f, lambda i: i.update(n_train=-1)), "n_train"),
    ("reversed n-gram range", lambda f: _edit_info(f, lambda i: i["features"][0]["params"].update(ngram_range=[3, 1])),
     "ngram_range"),
    ("catastrophic cue pattern", lambda f: _edit_info(f, lambda i: i["taxonomy"]["labels"][0]["cues"].append(
        r"re:(\S*)*@")), "cue pattern"),
    ("invalid cue pattern", lambda f: _edit_info(f, lambda i: i["taxonomy"]["labels"][2]["blockers"].append("re:(")),
     "not a valid regular expression"),
])
def test_values_that_would_fail_or_label_nothing_at_predict_are_refused_at_load(model_copy, case, damage, match):
    folder = model_copy(case.replace(" ", "-").replace("'", ""))
    damage(folder)
    with pytest.raises(ModelLoadError, match=match):
        nlp.PolicyClassifier.load(folder)


def test_a_valid_rules_feature_still_loads(model_copy, corpus):
    folder = model_copy("rules-ok")
    _with_rule_features(folder, 1.0)
    texts = corpus.paragraphs["text"].head(10).tolist()
    assert nlp.PolicyClassifier.load(folder).predict(texts) == nlp.PolicyClassifier.load().predict(texts)
