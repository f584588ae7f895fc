"""The fact check: every claim of a tailored resume (skills, employers, titles, dates, degrees, institutions,
certifications, numbers) looked up in the source resume, in the entry it is claimed for.

`check` runs it (`check_claims`, `strip_unsupported`); `index` cuts the resume into entries; `match` finds one
claim; `text`, `vocabulary`, `dates` and `numbers` give both sides one matching form. The response field
`hallucinations` is its report.
"""
