"""handling: tiered handling of cases — accept, resolve, verify, close — with a durable timeline and an
outbox that publishes every step to the case-events topic."""
