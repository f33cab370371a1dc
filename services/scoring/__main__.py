import uvicorn

from services.scoring.main import create_app
from services.scoring.settings import ScoringSettings

settings = ScoringSettings()
uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_config=None, access_log=False)
