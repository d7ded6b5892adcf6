"""Settings of the server `bench/http_bench.py` starts: the product's own, with the
benchmark's URLs (the product's plus its baseline view, `bench_urls.py`).

Not part of the product: `opiekun serve` loads it only when the benchmark sets
DJANGO_SETTINGS_MODULE=bench_settings with bench/ on PYTHONPATH.
"""

from opiekun.settings import *  # noqa: F403  (the product's settings, unchanged)

ROOT_URLCONF = "bench_urls"
