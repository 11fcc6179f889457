"""The two scripts at the root of a Gradescope autograder zip: `setup.sh` and `run_autograder`.

Gradescope's specification (gradescope-autograders.readthedocs.io/en/latest/specs/): the zip
holds at least `setup.sh`, a Bash script run once, as root, when Gradescope builds the
autograder's image (an Ubuntu base image by default: 22.04 now, 18.04 to 24.04 selectable),
and `run_autograder`, an executable script run for every submission with the working
directory /autograder; the zip is unpacked into /autograder/source, the student's files are
in /autograder/submission, and the results go to /autograder/results/results.json.

`BACKVIZ_AUTOGRADER_ROOT` puts /autograder elsewhere (the tests' unpacked zip);
`BACKVIZ_SETUP_APT=0` leaves out the system packages (apt: only Gradescope's image, as root,
can run them), `BACKVIZ_PYTHON` names the Python to use, and `BACKVIZ_VENV_OPTIONS`,
`BACKVIZ_PIP_OPTIONS` are added to `python -m venv` and `pip install`.
"""

from __future__ import annotations

__all__ = ["ROOT_VARIABLE", "RUN_AUTOGRADER", "SETUP_SH", "TORCH", "VENV"]

ROOT_VARIABLE = "BACKVIZ_AUTOGRADER_ROOT"
"""The environment variable that moves /autograder (for testing the zip outside Gradescope)."""

VENV = "backviz-venv"
"""The virtual environment setup.sh makes in /autograder (outside source/, which it closes to
other users: the sandbox's Python must stay readable by the uid each student's case runs as)."""

SETUP_SH = r"""#!/usr/bin/env bash
# backviz's Gradescope autograder, set-up (made by `backviz export gradescope`, backviz {version}).
# Gradescope runs this once, as root, when it builds the autograder's image
# (https://gradescope-autograders.readthedocs.io/en/latest/specs/). It installs
#   1. with apt: Graphviz, bubblewrap (the sandbox for students' code) and, when the image has
#      no Python >= 3.11 (Ubuntu 22.04 has 3.10), Python 3.11 from the deadsnakes PPA;
#   2. a virtual environment, /autograder/{venv}, with backviz from the wheel beside this script
#      (its dependencies, numpy, click and graphviz, from PyPI);
# and closes /autograder/source (the exercise, the variants, the roster) to other users.
set -euo pipefail
ROOT="${{BACKVIZ_AUTOGRADER_ROOT:-/autograder}}"
SOURCE="$ROOT/source"
VENV="$ROOT/{venv}"
cd "$ROOT"

python_ok() {{ "$1" -c 'import sys, ensurepip; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; }}
find_python() {{
  local candidate
  for candidate in "${{BACKVIZ_PYTHON:-}}" python3.13 python3.12 python3.11 python3; do
    if [ -n "$candidate" ] && command -v "$candidate" >/dev/null 2>&1 \
      && python_ok "$candidate"; then
      command -v "$candidate"
      return 0
    fi
  done
  return 1
}}

if [ "${{BACKVIZ_SETUP_APT:-1}}" = 1 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update
  apt-get install -y --no-install-recommends graphviz bubblewrap ca-certificates
  if ! find_python >/dev/null; then
    # a Python >= 3.11 with venv: the image's own (Ubuntu 24.04: python3.12-venv), else deadsnakes'
    for version in 3.13 3.12 3.11; do
      if command -v "python$version" >/dev/null 2>&1; then
        apt-get install -y --no-install-recommends "python$version-venv" || true
      fi
    done
    if ! find_python >/dev/null; then
      apt-get install -y --no-install-recommends software-properties-common gpg-agent
      add-apt-repository -y ppa:deadsnakes/ppa
      apt-get update
      apt-get install -y --no-install-recommends python3.11 python3.11-venv
    fi
  fi
fi

PYTHON="$(find_python)" || {{ echo "setup.sh: no Python >= 3.11 with venv found" >&2; exit 1; }}
# shellcheck disable=SC2086  # the options are words
"$PYTHON" -m venv ${{BACKVIZ_VENV_OPTIONS:-}} "$VENV"
# shellcheck disable=SC2086
"$VENV/bin/python" -m pip install --disable-pip-version-check --no-cache-dir \
  ${{BACKVIZ_PIP_OPTIONS:-}} "$SOURCE"/{wheel}
{torch}"$VENV/bin/python" -c 'import backviz.exports.gradescope_run'
chmod -R go-rwx "$SOURCE"   # the exercise, the variants, the roster: root only
chmod -R a+rX "$VENV"       # the sandbox runs students' code with this Python, as another uid
"$VENV/bin/python" - <<'PY'
import importlib.metadata, sys
print("setup.sh: backviz", importlib.metadata.version("backviz"), "ready; Python", sys.version)
PY
"""
"""setup.sh, to be filled in with `version`, `venv`, `wheel` (the wheel's file name) and `torch`
(`TORCH` where students' code may import torch, else nothing)."""

TORCH = r"""# students' code may import torch ([code] modules): its CPU build (no GPU here)
"$VENV/bin/python" -m pip install --disable-pip-version-check --no-cache-dir torch \
  --index-url https://download.pytorch.org/whl/cpu
"""
"""The lines of setup.sh installing torch, for a coding exercise whose students may use it."""

RUN_AUTOGRADER = r"""#!/usr/bin/env bash
# backviz's Gradescope autograder (made by `backviz export gradescope`, backviz {version}).
# Gradescope runs this for every submission: backviz grades /autograder/submission and writes
# /autograder/results/results.json (https://gradescope-autograders.readthedocs.io/en/latest/specs/).
ROOT="${{BACKVIZ_AUTOGRADER_ROOT:-/autograder}}"
PYTHON="$ROOT/{venv}/bin/python"
cd "$ROOT" || exit 1
if [ -x "$PYTHON" ] && "$PYTHON" -m backviz.exports.gradescope_run; then
  exit 0
fi
if [ -f "$ROOT/results/results.json" ]; then
  exit 0  # written whole (atomically) before whatever failed after it
fi
echo "run_autograder: $PYTHON could not run backviz: see the build output (setup.sh)" >&2
mkdir -p "$ROOT/results"
cat > "$ROOT/results/results.json" <<'EOF'
{{"score": 0.0, "output_format": "text", "visibility": "visible", "tests": [],
 "output": "Not graded: the autograder is not set up (setup.sh failed). Tell your teacher."}}
EOF
"""
"""run_autograder, to be filled in with `version` and `venv`. It never fails without a
results.json: a broken set-up still says so to the student."""
