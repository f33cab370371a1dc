from services.intake.main import serve

serve()
