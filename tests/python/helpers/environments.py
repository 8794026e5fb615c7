"""What some tests need from the machine: headless Chromium, and virtual environments
of their own for other package versions."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")


CHROMEDRIVER = Path("/usr/bin/chromedriver")


# CI sets this so that a broken browser install fails the run instead of skipping.
REQUIRE_BROWSER = os.environ.get("SEGMENTATION_REQUIRE_BROWSER") == "1"


def start_chromium(host_rules: str = "MAP * ~NOTFOUND", window_size: str = "1400,1000"):
    """Headless Chromium through chromedriver, its console log kept. `host_rules`: by
    default every host name fails to resolve, so a page that needs the network logs
    errors."""
    if not (CHROMIUM.exists() and CHROMEDRIVER.exists()):
        message = (
            f"needs {CHROMIUM} and {CHROMEDRIVER} (apt-get install -y chromium chromium-driver)"
        )
        if REQUIRE_BROWSER:
            pytest.fail(message)
        pytest.skip(message)
    from selenium import webdriver
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for argument in (
        "--headless=new",
        "--no-sandbox",  # CI runs as root
        "--disable-dev-shm-usage",
        f"--window-size={window_size}",
        # WebGL (the 3D chart, scattergl) in software, as there is no GPU.
        "--use-angle=swiftshader",
        "--enable-unsafe-swiftshader",
        f"--host-resolver-rules={host_rules}",
    ):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    try:
        return webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    except WebDriverException as error:
        if REQUIRE_BROWSER:
            raise
        pytest.skip(f"chromium cannot run here: {error.msg}")


def cached_environment(requirements: Path, name: str, marker: str) -> Path:
    """The bin directory of a virtual environment holding `requirements`, created on
    first use under the user's cache directory (named for `name` and the file's
    digest) and reused after; `marker` is a program it must hold once installed."""
    digest = hashlib.sha256(requirements.read_bytes()).hexdigest()[:12]
    cache = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))
    environment = cache / "customer-segmentation" / f"{name}-{digest}"
    bin_dir = environment / "bin"
    if not (bin_dir / marker).exists():
        subprocess.run([sys.executable, "-m", "venv", "--clear", str(environment)], check=True)
        subprocess.run(
            [str(bin_dir / "pip"), "install", "--quiet", "-r", str(requirements)], check=True
        )
    return bin_dir
