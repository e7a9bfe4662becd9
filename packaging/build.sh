#!/usr/bin/env bash
# Build the one-directory bundle dist/photofind/ with PyInstaller, in a venv of its own.
#
#   packaging/build.sh            # creates build/venv on first use, then reuses it
#   PYTHON=python3.11 packaging/build.sh
#
# Prints the bundle's path and size. Run dist/photofind/photofind --self-test to check it.
set -euo pipefail
cd "$(dirname "$0")/.."

venv=${PHOTOFIND_BUILD_VENV:-build/venv}
if [ ! -x "$venv/bin/python" ]; then
    "${PYTHON:-python3}" -m venv "$venv"
fi
"$venv/bin/python" -m pip install --quiet --upgrade pip
"$venv/bin/python" -m pip install --quiet ".[heif]" -r packaging/requirements.txt

"$venv/bin/python" -m PyInstaller --noconfirm --clean --log-level WARN \
    --distpath dist --workpath build/pyinstaller packaging/photofind.spec

bundle="$PWD/dist/photofind"
echo "bundle: $bundle"
echo "binary: $bundle/photofind"
echo "size:   $(du -sh "$bundle" | cut -f1)"
