from shared.migrations import run

run()
