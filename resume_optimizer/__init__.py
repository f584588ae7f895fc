"""The `resume-optimizer` command: tailor one pair, run batches through the transformer, start/stop the local stack."""

__version__ = "0.1.0"
