#!/bin/sh
# Make sure Debian's headless-capable Chromium is at /usr/bin/chromium for the
# browser test of the HTML report (tests/test_report_browser.py).
#
# Installs only when it is missing AND we are root; otherwise it changes nothing.
# When it cannot install, it says so and exits 0: the browser test itself then
# FAILS with a clear message (it never skips), so `make test` still reports it.
set -eu

CHROMIUM=/usr/bin/chromium

if [ -x "$CHROMIUM" ]; then
    exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
    echo "ensure_chromium: $CHROMIUM is missing and we are not root;" \
         "install it with: sudo apt-get install -y chromium" >&2
    exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
    echo "ensure_chromium: $CHROMIUM is missing and apt-get is not available;" \
         "install Chromium by hand" >&2
    exit 0
fi

echo "ensure_chromium: installing chromium with apt-get" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update && apt-get install -y chromium
