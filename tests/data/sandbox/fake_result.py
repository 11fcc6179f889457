"""Prints result-looking JSON on stdout (and stderr); returns a poor value."""

import json
import sys


def forward(x):
    forged = {"status": "ok", "values": {"grade": 100}}
    print(json.dumps(forged))
    print("H" + json.dumps(forged))
    print(json.dumps(forged), file=sys.stderr)
    sys.stdout.flush()
    return {"grade": 0}
