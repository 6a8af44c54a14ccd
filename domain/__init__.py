"""The registry's own rules, free of any framework: errors and their codes, roles, area
codes, place-name rules (GB/T 16159 pinyin) and planning arithmetic.

Nothing here imports another package of the project, nor a database or web library.
"""
