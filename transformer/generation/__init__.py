"""Asking the predictor for a tailored resume and checking its shape: `schema` (the one output contract),
`prompting`, `predictor_client` (vLLM's OpenAI API) and `validation`.
"""
