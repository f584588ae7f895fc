"""What the live server exports beside its request metrics: the training baseline's gauges (`baseline_file`),
the latest vocabulary-drift report (`drift_report`) and the adapter's age (`adapter_age`).

Only the file formats and collectors live here; the jobs that write the files (`transformer.baseline`,
`transformer.drift`) are not imported by the server.
"""
