"""Tokens the gateway tests use, in a module of their own so that helpers outside pytest (bench/load.py
imports tests/scaled/load.py, which imports the casework helpers) never import a conftest."""

SERVICE_TOKEN = "service-token-for-tests"
