"""The bodies of intake's HTTP responses. The request body, ``SubmitReport``, is the domain's command
(``domain/submission.py``): the API decodes straight into it."""

from __future__ import annotations

from typing import Literal
from uuid import UUID

from pydantic import BaseModel

from shared.events.cases import Nature, Priority


class Accepted(BaseModel):
    """A report durably in Kafka, and the cell it is keyed by (None: by its own id, no place known)."""

    report_id: UUID
    status: Literal["accepted"] = "accepted"
    cell: str | None


class Category(BaseModel):
    code: str
    name: str
    name_zh: str
    nature: Nature
    priority: Priority


class Categories(BaseModel):
    categories: list[Category]
