"""`resume-optimizer`: optimize one pair, batch many, start (`up`) and stop (`down`) the local stack.

Exit codes: 0 success (every pair), 1 some pair failed (see failures.jsonl) or the service failed,
2 usage error, 130 stopped by SIGINT.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path
from typing import Any

import httpx
from pydantic import ValidationError

from common.atomic_files import write_bytes_atomically
from common.json_logs import configure_logging
from resume_optimizer import local_stack, pairs
from resume_optimizer.batch import BatchRunner
from resume_optimizer.client import Answer, PairRequest, TransformerClient
from resume_optimizer.results import ResultStore
from resume_optimizer.settings import ClientSettings
from resume_optimizer.summary import table

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130


class UsageError(Exception):
    pass


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="resume-optimizer", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--url", help="the transformer's base URL (RESUME_OPTIMIZER_URL; default: the local stack)")
    sub = parser.add_subparsers(dest="command", required=True)

    opt = sub.add_parser("optimize", help="tailor one resume to one job description")
    opt.add_argument("resume", type=Path, help="resume file (PDF, DOCX, image, text)")
    job = opt.add_mutually_exclusive_group(required=True)
    job.add_argument("--jd", type=Path, help="job description text file")
    job.add_argument("--jd-url", help="job posting URL (fetched by the service)")
    opt.add_argument("--url", dest="sub_url", help=argparse.SUPPRESS)
    opt.add_argument("--stream", action="store_true", help="show the model's tokens on stderr as they come")
    opt.add_argument("--strict", action="store_true", help="drop unsupported items from the tailored resume")
    opt.add_argument("--out", type=Path, help="write the JSON here (default: stdout)")

    bat = sub.add_parser("batch", help="tailor many pairs; resumable; results in --out")
    src = bat.add_mutually_exclusive_group(required=True)
    src.add_argument("--resumes", type=Path, help="folder of resumes (many x one, with --jd or --jd-url)")
    src.add_argument("--resume", type=Path, help="one resume (one x many, with --jds)")
    src.add_argument("--pairs", type=Path, help=".jsonl or .csv with fields resume and jd (or jd_url)")
    bat.add_argument("--jd", type=Path, help="job description file for --resumes")
    bat.add_argument("--jd-url", help="job posting URL for --resumes")
    bat.add_argument("--jds", type=Path, help="folder of job descriptions for --resume")
    bat.add_argument("--out", type=Path, required=True, help="output folder (re-use it to resume a run)")
    bat.add_argument("--concurrency", type=int, help="pairs in flight (RESUME_OPTIMIZER_CONCURRENCY, default 4)")
    bat.add_argument("--strict", action="store_true", help="drop unsupported items from the tailored resumes")
    bat.add_argument("--url", dest="sub_url", help=argparse.SUPPRESS)

    sub.add_parser("up", help="start the local stack (predictor + transformer) in the background")
    sub.add_parser("down", help="stop the local stack started by `up`")
    return parser


def _settings(args: argparse.Namespace) -> ClientSettings:
    overrides: dict[str, Any] = {}
    url = getattr(args, "sub_url", None) or args.url
    if url:
        overrides["url"] = url
    if getattr(args, "concurrency", None) is not None:
        overrides["concurrency"] = args.concurrency
    if getattr(args, "strict", False):
        overrides["strict"] = True
    try:
        return ClientSettings(**overrides)
    except ValidationError as exc:
        error = exc.errors()[0]
        raise UsageError(f"{'.'.join(map(str, error['loc']))}: {error['msg']}") from None


def _batch_pairs(args: argparse.Namespace) -> list[pairs.Pair]:
    if args.resumes is not None:
        if (args.jd is None) == (args.jd_url is None) or args.jds is not None:
            raise UsageError("--resumes needs exactly one of --jd FILE or --jd-url URL")
        return pairs.many_resumes_one_job(args.resumes, pairs.job_source(args.jd, args.jd_url))
    if args.resume is not None:
        if args.jds is None or args.jd is not None or args.jd_url is not None:
            raise UsageError("--resume needs --jds DIR")
        return pairs.one_resume_many_jobs(args.resume, args.jds)
    if args.jd is not None or args.jd_url is not None or args.jds is not None:
        raise UsageError("--pairs names the job descriptions itself; drop --jd/--jd-url/--jds")
    return pairs.from_list(args.pairs)


def _batch(args: argparse.Namespace, settings: ClientSettings) -> int:
    selected = pairs.unique(_batch_pairs(args))
    try:
        store = ResultStore(args.out)
    except OSError as exc:  # --out is a file, or not writable
        raise UsageError(f"--out {args.out}: {exc.strerror}") from None
    outcome = asyncio.run(BatchRunner(settings, store).run(selected))
    print(table(outcome.summary))
    print(f"results: {args.out}", file=sys.stderr)
    if outcome.summary["failed"]:
        print(f"failures: {store.failures_jsonl}", file=sys.stderr)
    return outcome.exit_code


async def _optimize(args: argparse.Namespace, settings: ClientSettings) -> int:
    try:
        resume = args.resume.read_bytes()
        job_text = args.jd.read_text() if args.jd is not None else None
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"cannot read the input: {exc}") from None
    if args.out is not None and not args.out.parent.is_dir():  # say so now, not after the answer is generated
        raise UsageError(f"--out {args.out}: the folder {args.out.parent} does not exist")
    request = PairRequest(
        resume=resume,
        resume_filename=args.resume.name,
        job_description=job_text,
        job_url=args.jd_url,
        options={"strict": settings.strict},
    )
    async with TransformerClient(settings) as client:
        if args.stream:
            result = await _stream(client, request)
        else:
            outcome = await client.infer(request)
            if not isinstance(outcome, Answer):
                status = f"{outcome.status} " if outcome.status else ""
                print(
                    f"failed after {outcome.attempts} attempt(s): {status}{outcome.error}: {outcome.detail}",
                    file=sys.stderr,
                )
                return EXIT_FAILED
            result = {
                "request_id": outcome.request_id,
                "tailored_resume": outcome.tailored_resume,
                "schema_valid": outcome.schema_valid,
                "quality": outcome.quality,
                "hallucinations": outcome.hallucinations,
            }
    if result is None:
        return EXIT_FAILED
    text = json.dumps(result, indent=2, ensure_ascii=False) + "\n"
    if args.out is not None:
        try:
            write_bytes_atomically(args.out, text.encode())
        except OSError as exc:  # the answer is not lost: it goes to stdout instead
            _say(f"error: cannot write {args.out} ({exc.strerror}); the result follows on stdout")
            sys.stdout.write(text)
            return EXIT_FAILED
    else:
        sys.stdout.write(text)
    return EXIT_OK


async def _stream(client: TransformerClient, request: PairRequest) -> dict[str, Any] | None:
    """Tokens to stderr as they arrive; the validated result (or None after an error event)."""
    try:
        return await _show_stream(client, request)
    except httpx.HTTPError as exc:  # streaming is interactive: no retries, say what happened
        sys.stderr.write(f"\nfailed: cannot stream from {client.url} ({type(exc).__name__}: {exc})\n")
        return None


async def _show_stream(client: TransformerClient, request: PairRequest) -> dict[str, Any] | None:
    async for event, data in client.stream(request):
        if event == "token":
            sys.stderr.write(data.get("text", ""))
            sys.stderr.flush()
        elif event == "retry":
            sys.stderr.write(f"\n[the answer was invalid ({len(data.get('errors', []))} errors); retrying]\n")
        elif event == "result":
            sys.stderr.write("\n")
            return data
        elif event == "error":
            sys.stderr.write(f"\nfailed: {data.get('status', '')} {data.get('error')}: {data.get('detail')}\n")
            return None
    sys.stderr.write("\nthe stream ended without a result\n")
    return None


def _say(message: str) -> None:
    sys.stderr.write(f"resume-optimizer: {message}\n")


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)  # argparse exits with 2 on usage errors
    configure_logging(logger_name="resume_optimizer")
    try:
        settings = _settings(args)
        if args.command == "optimize":
            return asyncio.run(_optimize(args, settings))
        if args.command == "batch":
            return _batch(args, settings)
        if args.command == "up":
            stack = local_stack.up(
                cache_dir=settings.cache_dir,
                predictor_port=settings.stack_predictor_port,
                transformer_port=settings.stack_transformer_port,
                say=_say,
                timeout_s=settings.stack_start_timeout_s,
                model=settings.stack_model,
            )
            _say(f"serving {stack.model or 'tiny'}")
            if stack.tiny:
                _say("TINY RANDOM STAND-IN MODEL: answers are schema-valid but their text is meaningless")
            print(stack.transformer_url)
            return EXIT_OK
        if args.command == "down":
            local_stack.down(cache_dir=settings.cache_dir, say=_say)
            return EXIT_OK
    except (UsageError, pairs.PairsError) as exc:
        _say(f"error: {exc}")
        return EXIT_USAGE
    except local_stack.StackError as exc:
        _say(f"error: {exc}")
        return EXIT_FAILED
    except OSError as exc:  # the cache or state folder of `up`/`down` cannot be made or read
        if args.command not in ("up", "down"):
            raise
        _say(f"error: {exc}")
        return EXIT_FAILED
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    raise AssertionError(f"unknown command {args.command}")
