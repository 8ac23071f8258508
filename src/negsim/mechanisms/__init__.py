"""The mechanisms M1-M12 as plain functions of numbers, one module per family.

Each function is testable without a model; `negsim.model` wires them into the agents.
"""
