#!/bin/sh
# Make headless Chromium available for tests/test_browser.py (Debian packages chromium and
# fonts-wqy-microhei). Installs them when missing and when run as root with apt-get; otherwise
# says how, and leaves the decision to the test (which fails with the same instructions).
set -u
have_font() { fc-list 2>/dev/null | grep -qi "wqy"; }
if [ -n "${CHROMIUM:-}" ] || command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1; then
    if have_font || [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
        exit 0
    fi
fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing headless Chromium and a CJK font for the browser test (apt-get: chromium fonts-wqy-microhei)"
    export DEBIAN_FRONTEND=noninteractive
    if apt-get update -q >/dev/null && apt-get install -y -q chromium fonts-wqy-microhei >/dev/null; then
        exit 0
    fi
    echo "warning: apt-get could not install chromium; the browser test will fail until it is installed" >&2
    exit 0
fi
echo "note: headless Chromium not found. The browser test needs it:" >&2
echo "      sudo apt-get install chromium fonts-wqy-microhei   (Debian/Ubuntu), or set CHROMIUM=/path/to/chromium" >&2
exit 0
