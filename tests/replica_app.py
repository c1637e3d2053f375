"""One app replica for the multi-replica test: a separate process holding one AppTest session of the real app
(its own Streamlit query cache), signed in as one email, on the store named by ``PROMO_DB``.

Reads page paths on stdin, one per line; for each, runs the page and prints one JSON line: titles, metrics,
errors, the first table's rows, and any exception."""

from __future__ import annotations

import json
import sys

from dashboard.store.connect import resolve_store
from tests.apptest import signed_in_app


def main() -> None:
    email = sys.argv[1]
    at = signed_in_app(resolve_store(), email, timeout=120)
    for line in sys.stdin:
        page = line.strip()
        if not page:
            continue
        at.switch_page(page).run() if page != "-" else at.run()
        report = {
            "titles": [str(x.value) for x in at.title],
            "metrics": {str(m.label): str(m.value) for m in at.metric},
            "errors": [str(e.value) for e in at.error] + [str(i.value) for i in at.info],
            "table": at.dataframe[0].value.astype(str).values.tolist() if at.dataframe else [],
            "exception": [str(e.message) for e in at.exception],
        }
        print(json.dumps(report, ensure_ascii=False), flush=True)


if __name__ == "__main__":
    main()
