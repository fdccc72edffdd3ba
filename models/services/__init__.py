"""Verb functions that read and change the database. They flush, never commit."""
