"""Writes table.txt, the reading of every GB2312 character, for model/src/pinyin.rs.

Run once when the table should change (it is committed; nothing builds it):
    pip install pypinyin==0.53.0 && python3 model/src/pinyin/generate.py
Each line is a toneless syllable (ü written v, as phone keyboards type it) and the characters
whose most common reading it is, in GB2312 order.
"""
import os
from collections import OrderedDict

from pypinyin import Style, pinyin

readings = OrderedDict()
count = 0
for row in range(0xB0, 0xF8):
    for col in range(0xA1, 0xFF):
        try:
            ch = bytes([row, col]).decode("gb2312")
        except UnicodeDecodeError:
            continue
        syllable = pinyin(ch, style=Style.NORMAL, v_to_u=False)[0][0]
        if not syllable.isascii() or not syllable.isalpha():
            continue
        readings.setdefault(syllable, []).append(ch)
        count += 1

here = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(here, "table.txt"), "w", encoding="utf-8") as out:
    for syllable in sorted(readings):
        out.write(f"{syllable} {''.join(readings[syllable])}\n")
print(f"{count} characters under {len(readings)} syllables")
