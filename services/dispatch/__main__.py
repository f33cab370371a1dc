from services.dispatch.main import run

run()
