"""Helpers the tests run against: stand-ins for services the service talks to."""
