"""gridloop's common package: event contracts, Kafka plumbing, settings, observability."""
