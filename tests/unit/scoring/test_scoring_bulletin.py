import csv
import io
from datetime import UTC, datetime

from services.scoring.bulletin import bulletin_csv
from services.scoring.config import load_rubric
from services.scoring.domain import Period, Subject, assess
from services.scoring.domain.counters import of
from services.scoring.queries import Ranked
from services.scoring.repository import StoredResult
from shared.settings import REPO_ROOT

RUBRIC = load_rubric(REPO_ROOT / "city" / "rubric.yaml")


def ranked(subject_id: str, rank: int | None, **counts: int) -> Ranked:
    counters = of(**counts)
    assessment = assess(counters, RUBRIC)
    rates = {i.name: i.value for i in assessment.indicators}
    return Ranked(
        rank=rank,
        result=StoredResult(
            subject=Subject("grid", subject_id),
            period=str(Period(2026, 11)),
            period_kind="month",
            counters=counters,
            indicators=assessment.indicators,
            closure_rate=rates["closure_rate"],
            on_time_closure_rate=rates["on_time_closure_rate"],
            score=assessment.score,
            grade=assessment.grade.grade if assessment.grade else None,
            rubric_version=RUBRIC.version,
            computed_at=datetime(2026, 12, 1, tzinfo=UTC),
        ),
    )


def parse(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


def test_the_bulletin_starts_with_a_byte_order_mark_so_excel_reads_it_as_utf8():
    assert bulletin_csv([], {}, RUBRIC).startswith(b"\xef\xbb\xbf")


def test_every_column_is_named_in_chinese_and_english():
    header = bulletin_csv([], {}, RUBRIC).decode("utf-8-sig").splitlines()[0].split(",")
    assert header[:3] == ["排名 Rank", "编号 ID", "名称 Name"]
    assert "应结案数 Due to close" in header
    assert "按期结案率(%) On time closure rate (%)" in header
    assert header[-4:] == [
        "综合得分 Score",
        "等级 Grade",
        "奖惩(元) Pay adjustment (yuan)",
        "考核细则 Rubric version",
    ]


def test_a_row_prints_rank_name_counters_rates_score_and_grade_as_the_bulletin_does():
    rows = parse(
        bulletin_csv(
            [
                ranked("g-1", 1, due_to_close=4, closed=3, closed_on_time=2),
                ranked("g-2", None),
            ],
            {"g-1": "毓龙一网格"},
            RUBRIC,
        )
    )
    first, idle = rows
    assert (first["排名 Rank"], first["名称 Name"], first["应结案数 Due to close"]) == (
        "1",
        "毓龙一网格",
        "4",
    )
    assert (first["结案率(%) Closure rate (%)"], first["按期结案率(%) On time closure rate (%)"]) == (
        "75.00",
        "50.00",
    )
    assert first["满意率(%) Satisfaction rate (%)"] == "—"  # no callbacks: not applicable, not 0
    assert (first["综合得分 Score"], first["等级 Grade"], first["奖惩(元) Pay adjustment (yuan)"]) == (
        "66.67",  # (50×30 + 75×20 + (100−0)×10) ÷ 60: handling, satisfaction not applicable
        "合格",
        "0",
    )
    assert (idle["排名 Rank"], idle["综合得分 Score"], idle["等级 Grade"]) == ("—", "—", "—")
