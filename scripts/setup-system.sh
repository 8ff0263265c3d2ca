#!/bin/sh
# Install the Debian packages briefkit needs, or name them when not running as root.
#   scripts/setup-system.sh            what building briefs needs
#   scripts/setup-system.sh --test     also what the test suite needs
#   scripts/setup-system.sh --bench    also what the benchmark's peers need
set -eu

packages="libharfbuzz-subset0 fontconfig fonts-noto-core fonts-noto-cjk fonts-noto-color-emoji"
if [ "${1:-}" = "--bench" ]; then
  # Debian's pandoc (2.x) is one of the peers bench/run.py times briefkit against.
  packages="$packages pandoc"
fi
if [ "${1:-}" = "--test" ]; then
  # calibre (ebook-meta, ebook-convert) reads the EPUBs as an independent reading system does;
  # it is large (about 520 MB with its Qt WebEngine), so only the tests install it.
  packages="$packages poppler-utils chromium nodejs npm default-jre-headless calibre"
  # strace watches which files and sockets a build opens (tests/test_strace.py).
  packages="$packages strace"
  # LibreOffice opens the Word edition as its readers' Word would (tests/test_docx.py).
  packages="$packages libreoffice-writer-nogui"
fi

missing=""
for package in $packages; do
  case "$package" in
    # Node.js and Java may come from elsewhere than Debian; a working command is enough.
    nodejs) command -v node >/dev/null 2>&1 && continue ;;
    npm) command -v npm >/dev/null 2>&1 && continue ;;
    default-jre-headless) command -v java >/dev/null 2>&1 && continue ;;
  esac
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "ok installed"; then
    missing="$missing $package"
  fi
done

[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  echo "briefkit needs these Debian packages:$missing" >&2
  echo "Install them with: sudo apt-get install$missing" >&2
  exit 1
fi

echo "Installing Debian packages:$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086 # the list is meant to split into words
apt-get install -y -qq --no-install-recommends $missing >/dev/null
