"""Fault-injection tests: the proxy itself, and clients under the faults it injects."""
