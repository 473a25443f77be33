#!/usr/bin/env bash
# Installs the Debian libraries Qt needs and that a fresh machine may lack:
# libpulse0 (QtMultimedia's audio), the xcb set (a real window), EGL/GL and fontconfig.
# As root it installs what is missing with apt-get; otherwise it names the packages.
set -euo pipefail

packages=(
    libpulse0
    libegl1 libgl1 libopengl0 libfontconfig1 libfreetype6 libdbus-1-3 libglib2.0-0
    libxkbcommon0 libxkbcommon-x11-0
    libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0 libxcb-render-util0
    libxcb-randr0 libxcb-shape0 libxcb-xinerama0 libxcb-xkb1 libx11-xcb1
)
if [ "${1:-}" = "--with-postgres" ]; then
    packages+=(postgresql)
fi

if ! command -v dpkg-query >/dev/null 2>&1; then
    echo "system-deps: not a Debian-based system; make sure Qt's libraries are present:" >&2
    echo "  ${packages[*]}" >&2
    exit 0
fi

missing=()
for p in "${packages[@]}"; do
    status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
    case "$status" in
        *"ok installed"*) ;;
        *) missing+=("$p") ;;
    esac
done

if [ ${#missing[@]} -eq 0 ]; then
    exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
    echo "system-deps: installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
    echo "system-deps: these Debian packages are missing and I am not root:" >&2
    echo "  sudo apt-get install ${missing[*]}" >&2
    echo "system-deps: without them Qt cannot play alarm sounds or open a window." >&2
    exit 1
fi
