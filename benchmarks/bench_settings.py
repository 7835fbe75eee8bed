"""Settings for the benchmark server: the application's own settings, plus one URL module that
adds a bare view to compare the pages against. Used only by benchmarks/run.py."""

from beststart.settings import *  # noqa: F403

ROOT_URLCONF = "bench_urls"
