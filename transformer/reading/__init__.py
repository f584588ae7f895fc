"""Reading the inputs: a resume's bytes (PDF, DOCX, image, text) into clean text, and a job page into its text.

`parsing` reads by content (`pdf_layout` for reading order, `ocr` for scans), `cleaning` normalises, `job_fetch`
fetches a job posting safely; `documents` and `deadline` are their shared types.
"""
