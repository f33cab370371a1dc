import uvicorn

from services.intake.main import create_app
from services.intake.settings import IntakeSettings

settings = IntakeSettings()
uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_config=None, access_log=False)
