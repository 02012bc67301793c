"""Unicode ranges of the scripts the stages tell apart, declared once (for regex classes).

Why one place: the language router, the Presidio masking of Chinese text and the planted
evaluation each need "a Han character", and two hand-written ranges had drifted apart
(one lacked the compatibility ideographs, the other the extension A block).
"""

from __future__ import annotations

# CJK ideographs: extension A, the unified block, compatibility ideographs
HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
# Japanese kana (hiragana, katakana): routed with Chinese, as no recognizer reads Japanese
KANA = "\u3040-\u30ff"
# CJK symbols and punctuation ("，" "。" are in the full-width block below)
CJK_PUNCTUATION = "\u3000-\u303f"
# half-width and full-width forms
FULLWIDTH = "\uff00-\uffef"
# Arabic, Arabic supplement, presentation forms A and B
ARABIC = "\u0600-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufeff"
# Hebrew and its presentation forms
HEBREW = "\u0590-\u05ff\ufb1d-\ufb4f"
