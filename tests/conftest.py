"""Shared fixtures: the real seeds, read once per session, and what several test files share.

Built once per session: the shipped model (``shipped``), the classifier training data
(``training_data``) and a model fitted without Xihu (``held_out_fit``), the fitted topic
models (``lda_result``, ``bertopic_result``, and ``any_result`` over both) and a folder of
bad inputs (``bad_files``). ``model_copy`` copies the shipped model folder into a test's
temporary folder. Constants and the ``report_page`` helper are imported by the test files
(``from conftest import ...``).
"""
from __future__ import annotations

import html
import io
import random
import shutil
import textwrap
import zipfile
from pathlib import Path

import numpy as np
import pytest

import nlp
from nlp.paths import default_model_dir, seeds_dir
from nlp.reader import is_furniture

SEED_IDS = {
    "binjiang": "000_631c43eba3159a46",
    "xihu": "001_e81d252c6a7ddc67",
    "ouhai": "002_8b4bfc1f67bb86b5",
    "yuhang": "003_a3f4c3cd9186b897",
    "qiantang": "004_ecc42fa0d9da8aca",
}

# the classifier's labels, in guide order
LABELS = ["administrative_review", "enforcement_supervision", "mediation", "legal_outreach", "lawyers"]

# topic models: the seed districts, and options that keep fitting and comparing fast
DISTRICTS = {"滨江区", "西湖区", "瓯海区", "余杭区", "钱塘区"}
FAST_LDA = {"k_values": [3, 4], "n_restarts": 2, "passes": 5, "iterations": 50}
FAST_COMPARE = {"n_boot": 300, "n_perm": 100}


@pytest.fixture(autouse=True)
def _fixed_seeds():
    random.seed(0)
    np.random.seed(0)


@pytest.fixture(scope="session")
def seeds_path() -> Path:
    return seeds_dir()


@pytest.fixture(scope="session")
def corpus(seeds_path):
    return nlp.load_corpus(seeds_path)


@pytest.fixture(scope="session")
def seed_file(seeds_path):
    def _path(name: str) -> Path:
        return seeds_path / f"{SEED_IDS[name]}.txt"

    return _path


@pytest.fixture(scope="session")
def tracking_uri(tmp_path_factory) -> str:
    """One local MLflow store for the session (creating the sqlite schema takes a while)."""
    return f"sqlite:///{tmp_path_factory.mktemp('mlflow')}/mlflow.db"


# --- the classifier ------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def shipped():
    return nlp.PolicyClassifier.load()


@pytest.fixture(scope="session")
def training_data():
    from nlp.classifier.data import load_training_data

    return load_training_data("seeds", "configs/labels.yaml", guide_examples=True)


@pytest.fixture(scope="session")
def held_out_fit(training_data):
    """Trained without Xihu (fixed thresholds to keep the suite fast), Xihu held out."""
    from nlp.classifier import PolicyClassifier

    train = [d for d in training_data.districts if d != "西湖区"]
    texts, labels, groups = training_data.units("clause", train)
    clf = PolicyClassifier(thresholds="fixed").fit(texts, labels, groups=groups)
    test = training_data.paragraphs[training_data.paragraphs["district"] == "西湖区"]
    return clf, test


@pytest.fixture
def model_copy(tmp_path):
    """Copy the shipped model folder to ``tmp_path / name`` (to damage or tamper with)."""
    def _copy(name: str) -> Path:
        target = tmp_path / name
        shutil.copytree(default_model_dir(), target)
        return target

    return _copy


# --- bad input -----------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def bad_files(tmp_path_factory):
    """One file or folder per kind of bad input."""
    root = tmp_path_factory.mktemp("bad")
    (root / "empty.txt").write_bytes(b"")
    (root / "blank.txt").write_bytes(" \r\n\t\r\n\u3000\u00a0\n".encode("utf-8"))
    (root / "english.txt").write_text("Annual report on building a law-based government.\nIt has no Chinese.\n")
    (root / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 20)
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("word/document.xml", "<w:t>开展普法活动</w:t>" * 50)
    (root / "report.docx.txt").write_bytes(archive.getvalue())  # a .docx renamed to .txt
    (root / "shift_jis.txt").write_bytes(("日本国憲法は国民主権を基本原理としている。" * 20).encode("shift_jis"))
    (root / "empty_dir").mkdir()
    (root / "no_reports").mkdir()
    (root / "no_reports" / "table.xlsx").write_bytes(b"PK\x03\x04")  # not a report format
    (root / "notes.md").write_text("x")
    return root


def report_page(raw: str, title: str) -> str:
    """The report as a government portal serves it: head, scripts, menus, a metadata table, the body, a footer."""
    furniture = [line for line in raw.splitlines() if line.strip() and is_furniture(line.strip(" •"))]
    body = [line for line in raw.splitlines() if line not in furniture]
    cells = "".join(f"<td>{html.escape(line.strip(' •'))}</td>" for line in furniture)
    paragraphs = "\n".join(f'<p style="text-indent:2em">&emsp;&emsp;{html.escape(line.strip())}</p>'
                           for line in body if line.strip())
    return textwrap.dedent(f"""\
        <!DOCTYPE html>
        <html lang="zh-CN"><head><meta charset="utf-8">
        <title>{html.escape(title)}_区人民政府门户网站</title>
        <link rel="stylesheet" href="/css/main.css">
        <script>var menu = "<div>一、不是正文</div>"; if (a < b && c > d) {{ show("二、也不是正文。"); }}</script>
        <style>p {{ line-height: 2; }} .title::before {{ content: "三、"; }}</style>
        </head><body>
        <div class="top-nav"><ul><li><a href="/">首页</a></li><li>政务公开</li><li>互动交流</li></ul></div>
        <nav><a>机构概况</a><a>法治政府建设</a></nav>
        <div class="position">当前位置：首页 &gt; 政务公开 &gt; 法治政府建设</div>
        <table class="meta"><tr>{cells}</tr></table>
        <div class="article"><h1>{html.escape(title)}</h1>
        <!-- 正文开始：这段注释不是正文 -->
        {paragraphs}
        </div>
        <div class="share">分享到：<a>微信</a><a>微博</a></div>
        <footer><p>版权所有：区人民政府办公室</p><p>网站标识码 3301080001</p></footer>
        <script type="text/javascript">document.write("<p>四、脚本写出的不是正文。</p>");</script>
        </body></html>
        """)


# --- topic models --------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def lda_result(corpus):
    return nlp.fit_topics(corpus, "lda", progress=False, **FAST_LDA)


@pytest.fixture(scope="session")
def bertopic_result(corpus):
    return nlp.fit_topics(corpus, "bertopic", progress=False, n_topics=6)


@pytest.fixture(params=["lda", "bertopic"])
def any_result(request):
    return request.getfixturevalue(f"{request.param}_result")
