"""Peer cities: published U4SSC results of other cities, and comparing a city with them."""
