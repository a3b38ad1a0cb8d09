#!/bin/sh
# Installs the Debian packages of the PDF route when missing: headless Chromium (renderer),
# Noto CJK fonts (Chinese text in pages and figures), poppler-utils (pdftotext/pdftoppm for tests).
# With --tests also LibreOffice Impress (soffice), which renders the PowerPoint decks in the tests.
# Without root or apt-get it prints what is missing and how to install it, and goes on.
missing=""
if [ "$1" = "--tests" ]; then
    missing=""
    command -v soffice >/dev/null 2>&1 || command -v libreoffice >/dev/null 2>&1 || missing="libreoffice-impress"
    [ -z "$missing" ] && exit 0
    echo "system-deps: missing Debian packages for the tests: $missing"
    if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null \
            && { echo "system-deps: installed $missing"; exit 0; }
    fi
    echo "system-deps: could not install $missing; the deck-rendering test will be skipped (apt-get install $missing)" >&2
    exit 0
fi
command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || missing="$missing chromium"
fc-list 2>/dev/null | grep -qi "Noto Sans CJK" || missing="$missing fonts-noto-cjk"
command -v pdftotext >/dev/null 2>&1 || missing="$missing poppler-utils"
[ -z "$missing" ] && exit 0
echo "system-deps: missing Debian packages:$missing"
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "system-deps: installing with apt-get ..."
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null \
        && { fc-cache -f >/dev/null 2>&1; echo "system-deps: installed$missing"; exit 0; }
    echo "system-deps: apt-get failed; install by hand: apt-get install$missing" >&2
    exit 1
fi
if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null && exit 0
fi
echo "system-deps: cannot install as a normal user. Please run: sudo apt-get install$missing" >&2
echo "system-deps: (the PDF report and its tests need them; HTML reports work without)" >&2
exit 0
