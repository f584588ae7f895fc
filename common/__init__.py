"""Pieces every program of the project shares (transformer, predictor launcher, CLI): JSON logs, atomic files.

Kept free of the programs' own dependencies (no KServe, no vLLM), so each image can carry it.
"""
