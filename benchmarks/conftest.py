"""Benchmarks run with: pytest benchmarks --benchmark-group-by=group -p no:randomly"""
