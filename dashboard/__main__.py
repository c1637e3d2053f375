import sys

from dashboard.allocator import reexec_with_jemalloc

reexec_with_jemalloc()  # before DuckDB or pandas is imported (dashboard/allocator.py)

from dashboard.cli import main  # noqa: E402

sys.exit(main())
