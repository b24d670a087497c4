#!/usr/bin/env bash
# The browser tests drive Debian's Chromium; Playwright's own browser download does not work
# on an intranet, so install the distribution package when it is missing.
set -euo pipefail
# A CJK font too, or Chinese pages render as empty boxes in screenshots.
if [ -x /usr/bin/chromium ] && fc-list 2>/dev/null | grep -qi -e wqy -e noto.*cjk; then exit 0; fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "Installing Debian's chromium for the browser tests ..."
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-wqy-microhei >/dev/null
else
  echo "ERROR: /usr/bin/chromium is missing; install it (apt-get install chromium)." >&2
  exit 1
fi
