"""Calibration against the record: approximate Bayesian computation (pyabc's ABC-SMC) of the
model's global parameters from the empirical patterns of an ensemble of generated crises.

`negsim calibrate SPEC` (`negsim.calibration.commands`) runs it; `spec` reads the calibration
spec, `inference` drives pyabc on the project's executors, `report` writes the diagnostics and
the page, and `adopt` installs a posterior as the calibrated parameter set the casts use.
"""
