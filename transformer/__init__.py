"""resume-optimizer transformer: the resume-tailoring pipeline as a KServe transformer."""

__version__ = "0.1.0"
MODEL_NAME = "resume-optimizer"
