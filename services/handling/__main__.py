from services.handling.main import serve

serve()
