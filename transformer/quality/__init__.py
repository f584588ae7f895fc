"""Quality figures of one request: `tokens` (one tokenisation), `scoring` (the answer's metrics) and `features`
(the inputs' features that the drift rules compare with the training baseline).
"""
