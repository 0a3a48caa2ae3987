"""The pass service: the registry, Apple's web service and the pushes that keep passes current."""
