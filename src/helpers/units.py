"""Time-unit conversions shared by the audit engine (its default parameters) and the views.

A module of its own so that a notebook putting medians and landmark times on one axis does not
import the audit engine for two numbers.

Examples
--------
>>> round(12 * WEEKS_PER_MONTH), round(DAYS_PER_MONTH * 12)
(52, 365)
"""
#: mean weeks per month (365.25 / 7 / 12, rounded as the engine's default parameter)
WEEKS_PER_MONTH = 4.345
#: mean days per month (365.25 / 12, rounded as the engine's default parameter)
DAYS_PER_MONTH = 30.44
