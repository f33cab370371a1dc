from services.scoring.main import serve

serve()
