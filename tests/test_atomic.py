"""Folders written atomically (models, results): old or new whole, never a mix, never a loss."""
from __future__ import annotations

import pytest

from nlp.atomic import atomic_folder


def test_a_folder_is_replaced_whole_and_files_it_does_not_write_are_kept_on_request(tmp_path):
    target = tmp_path / "results"
    (target / "train").mkdir(parents=True)
    (target / "train" / "comparison.md").write_text("the train job's", encoding="utf-8")
    (target / "comparison.md").write_text("old", encoding="utf-8")
    with atomic_folder(target, keep_other_files=True) as staging:
        assert staging.parent == tmp_path and staging != target
        (staging / "comparison.md").write_text("new", encoding="utf-8")
        assert (target / "comparison.md").read_text(encoding="utf-8") == "old"  # nothing visible before the swap
    assert (target / "comparison.md").read_text(encoding="utf-8") == "new"
    assert (target / "train" / "comparison.md").read_text(encoding="utf-8") == "the train job's"
    with atomic_folder(target) as staging:
        (staging / "only.txt").write_text("x", encoding="utf-8")
    assert [p.name for p in target.iterdir()] == ["only.txt"]
    assert [p.name for p in tmp_path.iterdir()] == ["results"]


def test_an_interrupted_write_leaves_the_old_folder_and_no_temporary_folder(tmp_path):
    target = tmp_path / "model"
    target.mkdir()
    (target / "model.json").write_text("old", encoding="utf-8")
    with pytest.raises(KeyboardInterrupt):
        with atomic_folder(target) as staging:
            (staging / "model.json").write_text("half", encoding="utf-8")
            raise KeyboardInterrupt
    assert (target / "model.json").read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["model"]


def test_a_file_in_place_of_the_folder_is_refused_before_writing(tmp_path):
    (tmp_path / "out").write_text("a file", encoding="utf-8")
    with pytest.raises(NotADirectoryError, match="received the file"):
        with atomic_folder(tmp_path / "out"):
            pass
