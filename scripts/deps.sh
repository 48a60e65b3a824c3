#!/usr/bin/env bash
# Installs the Debian/Ubuntu packages Tether needs to build and test, only
# those that are missing. Idempotent; uses sudo when not root.
set -euo pipefail

pkgs=(
  # build: cgo, Fyne (OpenGL, X11), robotgo (XTest), codec (libvpx, libyuv)
  gcc libc6-dev pkg-config libgl1-mesa-dev libx11-dev libxcursor-dev
  libxrandr-dev libxinerama-dev libxi-dev libxxf86vm-dev libxtst-dev
  libxext-dev libxfixes-dev libxdamage-dev libvpx-dev libyuv-dev
  # tests: a virtual display, screenshots, pointer checks
  xvfb xauth x11-utils xdotool imagemagick
  chromium # headless browser for the landing page test
)
if [ "${TETHER_BENCH_DEPS:-}" = 1 ]; then
  pkgs+=(ffmpeg) # the reference encoder make bench compares against
fi

if ! command -v dpkg-query >/dev/null 2>&1; then
  echo "deps: not a Debian/Ubuntu system; install the equivalents of: ${pkgs[*]}" >&2
  exit 0
fi

missing=()
for p in "${pkgs[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "deps: all system packages present"
  exit 0
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
echo "deps: installing ${missing[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
