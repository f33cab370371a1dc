"""intake: the collection stage. Grid apps post reports; a 202 means the report is durably in Kafka."""
