"""`python -m transformer --predictor_host HOST:PORT`: start the KServe model server with the tailoring pipeline.

KServe's own flags (--http_port, --model_name, --predictor_host, --enable_grpc, ...) are read by KServe's
parser; every other setting is a TRANSFORMER_* env var (see transformer/settings.py).
"""

from __future__ import annotations

import sys


def main() -> None:
    if not any(arg.startswith("--enable_docs_url") for arg in sys.argv):
        sys.argv += ["--enable_docs_url", "true"]  # OpenAPI docs of the plain routes at /docs
    if not any(arg.startswith("--enable_grpc") for arg in sys.argv):
        # REST only by default: KServe's gRPC server has its own model load/unload calls, unguarded.
        sys.argv += ["--enable_grpc", "false"]
    # KServe parses its flags when kserve.model_server is imported, so the argv edit above comes first.
    from kserve import ModelServer
    from kserve.model_server import app
    from kserve.model_server import parser as kserve_parser

    from common.json_logs import configure_logging
    from transformer import MODEL_NAME, metrics, routes
    from transformer.generation.predictor_client import PredictorClient
    from transformer.model import ResumeOptimizerModel
    from transformer.pipeline import Pipeline
    from transformer.settings import TransformerSettings
    from transformer.storage import ArtifactStore

    args, _ = kserve_parser.parse_known_args()
    settings = TransformerSettings()
    if args.predictor_host:
        settings = settings.model_copy(update={"predictor_host": args.predictor_host})
    configure_logging(settings.log_level, logger_name="transformer")
    store = ArtifactStore(
        settings.artifacts_dir, enabled=settings.store_artifacts, retention_days=settings.artifact_retention_days
    )
    store.sweep()
    client = PredictorClient(settings)
    pipeline = Pipeline(settings, client, store)
    name = args.model_name if args.model_name != "model" else MODEL_NAME
    model = ResumeOptimizerModel(name, pipeline, settings.max_batch_rows)
    model.load()
    metrics.install_collectors(settings)
    routes.install(app, pipeline, client, settings)
    ModelServer().start([model])


if __name__ == "__main__":
    main()
