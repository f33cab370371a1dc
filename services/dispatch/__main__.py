from services.dispatch.main import serve

serve()
