"""Reader: encodings, line endings, furniture, HTML, bad input."""
from __future__ import annotations

import pytest

from nlp.reader import ReportInputError, body_lines, decode_bytes, is_furniture, load_text

BODY = "一、主要举措和成效\n（一）强化监督。开展行政执法监督检查12次，案卷评查80卷。\n"


@pytest.mark.parametrize(
    "encode",
    [
        lambda t: t.encode("utf-8"),
        lambda t: b"\xef\xbb\xbf" + t.encode("utf-8"),
        lambda t: t.encode("gb18030"),
        lambda t: t.encode("gbk"),
        lambda t: t.encode("utf-16"),
        lambda t: t.replace("\n", "\r\n").encode("utf-8"),
        lambda t: t.replace("\n", "\r").encode("gbk"),
    ],
    ids=["utf8", "utf8-bom", "gb18030", "gbk", "utf16", "crlf", "cr-gbk"],
)
def test_every_encoding_gives_the_same_lines(encode):
    lines = body_lines(decode_bytes(encode(BODY)).text)
    assert [l.text for l in lines] == ["一、主要举措和成效", "（一）强化监督。开展行政执法监督检查12次，案卷评查80卷。"]


@pytest.mark.parametrize(
    "line",
    [
        "索引号：001008003012008/2025-80292",
        "索 引 号:001008003012008/2025-80292",
        "信息索引号: 00250220-7/2025-00935 文号:",
        "文件编号:",
        "主题分类:法治政府建设报告",
        "发布单位: 区司法局(区行政复议局) 统一编号:",
        "发布日期:2025-01-16 15:38 访问次数: 来源:区司法局",
        "成文日期：2025-01-16",
        "公开方式:主动公开",
        "分享:",
        "分享到：",
        "【打印本页】【关闭窗口】",
    ],
)
def test_furniture_lines_are_recognised(line):
    assert is_furniture(line)


@pytest.mark.parametrize(
    "line",
    [
        "开展行政执法监督检查12次。",
        "来源于群众的矛盾纠纷全部化解。",
        "一、主要举措和成效",
        "分享经验做法，开展交流活动。",
    ],
)
def test_body_lines_are_not_furniture(line):
    assert not is_furniture(line)


def test_bullet_dots_are_removed_but_text_kept():
    lines = body_lines("  • 索 引 号:123\n • 开展普法活动。")
    assert [l.text for l in lines] == ["开展普法活动。"]


def test_binary_input_is_rejected_with_a_clear_message(tmp_path):
    path = tmp_path / "report.txt"
    path.write_bytes(b"\x00\x01\x02PK\x03\x04" * 100)
    with pytest.raises(ReportInputError, match="binary"):
        load_text(path)


def test_missing_path_and_directory_are_clear_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match="not found"):
        load_text(tmp_path / "nope.txt")
    with pytest.raises(IsADirectoryError, match="load_corpus"):
        load_text(tmp_path)


def test_html_source_keeps_body_and_drops_scripts():
    page = (
        "<html><head><title>x</title><script>var a='一、不是正文';</script></head>"
        "<body><div class='nav'>首页</div><p>一、主要举措和成效</p>"
        "<p>开展普法活动&nbsp;20场。</p><style>p{color:red}</style></body></html>"
    )
    texts = [l.text for l in body_lines(load_text(page).text)]
    assert "一、主要举措和成效" in texts
    assert any(t.startswith("开展普法活动") for t in texts)
    assert not any("不是正文" in t or "color" in t for t in texts)
