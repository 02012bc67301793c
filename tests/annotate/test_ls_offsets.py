"""Label Studio 1.23.2's frontend counts code points (see test_annotator_browser for the
measurement); the index only refuses offsets off the text."""

from __future__ import annotations

from curate.annotate.offsets import ls_index


def test_code_points_pass_through_and_emoji_count_one():
    text = "a😔 שלום 🫂b"
    index = ls_index(text)
    for cp in range(len(text) + 1):
        assert index.to_codepoint(index.to_ls(cp)) == cp
    assert index.to_ls(text.index("b")) == 9  # not 11, as UTF-16 would count


def test_offsets_off_the_text_are_invalid():
    index = ls_index("a😔b")
    assert index.to_codepoint(3) == 3
    assert index.to_codepoint(4) is None and index.to_codepoint(-1) is None
