"""A period's ranking table as a bulletin prints it (考核通报), as CSV that Excel opens as it is.

UTF-8 with a byte-order mark (without it Excel reads the Chinese headers as GBK and garbles them); each
column named in Chinese and English; counters as integers, rates, score as the stored two-decimal text,
"—" for a rate that does not apply.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence

from services.scoring.domain import CATALOGUE, Rubric
from services.scoring.queries import Ranked
from shared.events.assessments import COUNTER_NAMES_ZH

NOT_APPLICABLE = "—"


def _english(name: str) -> str:
    return name.replace("_", " ").capitalize()


def headers(rubric: Rubric) -> list[str]:
    columns = ["排名 Rank", "编号 ID", "名称 Name"]
    columns += [f"{zh} {_english(name)}" for name, zh in COUNTER_NAMES_ZH.items()]
    columns += [f"{CATALOGUE[name].name_zh}(%) {_english(name)} (%)" for name in rubric.indicators]
    columns += ["综合得分 Score", "等级 Grade", "奖惩(元) Pay adjustment (yuan)", "考核细则 Rubric version"]
    return columns


def rows(ranked: Sequence[Ranked], names: Mapping[str, str], rubric: Rubric) -> list[list[str]]:
    grades = {grade.grade: grade for grade in rubric.grades}
    table = []
    for item in ranked:
        result = item.result
        values = {i.name: i.value for i in result.indicators}
        grade = grades.get(result.grade or "") if result.rubric_version == rubric.version else None
        table.append(
            [
                NOT_APPLICABLE if item.rank is None else str(item.rank),
                result.subject.subject_id,
                names.get(result.subject.subject_id, ""),
                *(str(getattr(result.counters, name)) for name in COUNTER_NAMES_ZH),
                *(values.get(name) or NOT_APPLICABLE for name in rubric.indicators),
                result.score or NOT_APPLICABLE,
                grade.name_zh if grade else (result.grade or NOT_APPLICABLE),
                str(grade.pay_adjustment) if grade else "",
                result.rubric_version,
            ]
        )
    return table


def bulletin_csv(ranked: Sequence[Ranked], names: Mapping[str, str], rubric: Rubric) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(headers(rubric))
    writer.writerows(rows(ranked, names, rubric))
    return "\ufeff".encode() + out.getvalue().encode("utf-8")
