"""The baseline for intake's figures: the same route, body model and server, doing nothing else.

Served by uvicorn exactly as intake is, so the ratio isolates what intake adds (auth, validation,
Kafka acknowledgement) from what any FastAPI endpoint costs on this machine.
"""

from __future__ import annotations

import sys
from typing import Any

import uvicorn
from fastapi import FastAPI, status

from services.intake.domain.submission import SubmitReport

app = FastAPI()


@app.post("/v1/reports", status_code=status.HTTP_202_ACCEPTED)
async def post_report(submission: SubmitReport) -> dict[str, Any]:
    return {"report_id": str(submission.report_id), "status": "accepted"}


@app.get("/readyz")
async def readyz() -> dict[str, str]:
    return {"status": "ready"}


if __name__ == "__main__":
    uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_config=None, access_log=False)
