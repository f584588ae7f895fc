"""The README's main job on one machine: start the predictor, ask it for a structured answer, print it.

Uses Qwen/Qwen3-4B-Instruct-2507 where its weights are already in the local Hugging Face cache, and
otherwise the tiny random stand-in (built once under .cache/tiny), whose text is meaningless.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
TINY_DIR = ROOT / ".cache" / "tiny"
PORT = int(os.environ.get("DEMO_PORT", "8080"))
SCHEMA = {
    "type": "object",
    "properties": {
        "target_role": {"type": "string", "maxLength": 60},
        "skills": {"type": "array", "items": {"type": "string", "maxLength": 30}, "maxItems": 6},
        "summary": {"type": "string", "maxLength": 300},
    },
    "required": ["target_role", "skills", "summary"],
    "additionalProperties": False,
}


def real_model_cached() -> bool:
    from huggingface_hub import try_to_load_from_cache

    return isinstance(try_to_load_from_cache("Qwen/Qwen3-4B-Instruct-2507", "config.json"), str)


def model_environment() -> dict[str, str]:
    env = dict(os.environ, HF_HUB_OFFLINE="1", PREDICTOR_PORT=str(PORT), PREDICTOR_HOST="127.0.0.1")
    if real_model_cached():
        sys.stderr.write("demo: serving Qwen/Qwen3-4B-Instruct-2507 from the local Hugging Face cache\n")
        return env
    if not (TINY_DIR / "adapter" / "adapter_config.json").is_file():
        subprocess.run([sys.executable, "-m", "predictor.tiny", str(TINY_DIR)], check=True, stdout=subprocess.DEVNULL)
    sys.stderr.write(
        "\n" + "!" * 78 + "\n"
        "!! Qwen3-4B-Instruct-2507 weights are not in the local cache: serving the TINY RANDOM stand-in.\n"
        "!! The answer below has the right JSON shape, but its text is MEANINGLESS noise.\n" + "!" * 78 + "\n\n"
    )
    env.update(PREDICTOR_MODEL=str(TINY_DIR / "model"), PREDICTOR_MODEL_ID="tiny-qwen3",
               PREDICTOR_ADAPTER=str(TINY_DIR / "adapter"))  # fmt: skip
    return env


def main() -> int:
    url = f"http://127.0.0.1:{PORT}"
    env = model_environment()
    env["PREDICTOR_STATUS_FILE"] = str(Path(tempfile.mkdtemp()) / "status.json")
    log = Path(tempfile.mkdtemp()) / "predictor.log"
    sys.stderr.write(f"demo: starting the predictor on {url} (log: {log})\n")
    with log.open("wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "predictor"], env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        status = None
        while proc.poll() is None:
            try:
                status = httpx.get(f"{url}/status", timeout=2).json()
                if status.get("state") == "ready":
                    break
            except (httpx.HTTPError, ValueError):
                pass
            time.sleep(1)
        if proc.poll() is not None:
            sys.stderr.write(log.read_text(errors="replace")[-3000:])
            return 1
        model = status["adapter"]["name"] if status["adapter"] else status["base_model"]["served_name"]
        request = {
            "model": model,
            "messages": [
                {"role": "system", "content": "Tailor the resume to the job. Answer in JSON."},
                {"role": "user", "content": "Resume: data engineer, Python, Kafka.\nJob: platform engineer, Go."},
            ],
            "max_tokens": 1024,
            "temperature": 0,
            "response_format": {"type": "json_schema", "json_schema": {"name": "demo", "schema": SCHEMA}},
        }
        answer = httpx.post(f"{url}/v1/chat/completions", json=request, timeout=300).json()
        choice = answer["choices"][0]
        if choice["finish_reason"] != "stop":
            sys.stderr.write(f"demo: the answer was cut off (finish_reason={choice['finish_reason']})\n")
            return 1
        print(json.dumps({"predictor_status": status, "model": model,
                          "answer": json.loads(choice["message"]["content"]),
                          "usage": answer["usage"]}, indent=2))  # fmt: skip
        return 0
    finally:
        proc.terminate()
        proc.wait(timeout=60)


if __name__ == "__main__":
    raise SystemExit(main())
