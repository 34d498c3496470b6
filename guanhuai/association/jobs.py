"""Handlers of the association app's durable jobs (re-registration campaigns, imports)."""
