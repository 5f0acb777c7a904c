#!/usr/bin/env bash
# Installs the package that `packaging/atelier.sh package` made into a clean Debian 12 root, made here with
# debootstrap from Debian's registry, and runs it there: `atelier --version`, `atelier info --json` (which loads the
# inference engine and libtorch) and the main window offscreen, whose picture is saved beside the package. Then it
# checks that the desktop entry, AppStream data, icons, manual page, bash completion and user guide are installed.
#
#   packaging/test-package.sh [PACKAGE.deb]
#
# Needs root (for debootstrap and chroot; it re-runs itself with sudo) and Debian's registry; so it is run by hand,
# not by the test suite. ATELIER_DEBIAN_MIRROR picks another mirror; ATELIER_KEEP_ROOT=1 keeps the root for a look.
set -euo pipefail

source_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [ "$(id -u)" -ne 0 ]; then
    exec sudo --preserve-env=ATELIER_DEBIAN_MIRROR,ATELIER_KEEP_ROOT "$0" "$@"
fi
package="${1:-$(ls -t "$source_dir"/build/release/atelier_*.deb 2>/dev/null | head -n 1 || true)}"
if [ -z "$package" ] || [ ! -f "$package" ]; then
    echo "test-package: no package; make one with packaging/atelier.sh package" >&2
    exit 2
fi
package="$(cd "$(dirname "$package")" && pwd)/$(basename "$package")"
mirror="${ATELIER_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
if ! command -v debootstrap >/dev/null; then
    echo "test-package: debootstrap is missing; packaging/install-deps.sh installs it" >&2
    exit 2
fi

root="$(mktemp -d /var/tmp/atelier-package-test.XXXXXX)"
chmod 0755 "$root" # the root's own users (apt's _apt) must be able to enter it
cleanup() {
    set +e # a failure here must not turn the run's result into another
    rm -f "$root.debootstrap.log"
    for mounted in proc dev; do
        if mountpoint -q "$root/$mounted"; then
            umount -R "$root/$mounted" 2>/dev/null || umount -lR "$root/$mounted"
        fi
    done
    if [ "${ATELIER_KEEP_ROOT:-0}" = 1 ]; then
        echo "test-package: the root stays in $root"
    elif findmnt -rn -o TARGET | grep -q "^$root/"; then
        # Deleting now could reach into the host's /dev through a mount that would not go.
        echo "test-package: something is still mounted under $root; it is left for you to unmount and remove" >&2
    else
        rm -rf --one-file-system "$root"
    fi
}
trap cleanup EXIT

step() { printf '\n== %s\n' "$*"; }
in_root() { chroot "$root" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 "$@"; }

step "a clean Debian 12 root (debootstrap --variant=minbase bookworm $mirror)"
debootstrap --variant=minbase bookworm "$root" "$mirror" >"$root.debootstrap.log" 2>&1 ||
    { tail -n 20 "$root.debootstrap.log"; exit 1; }
mount -t proc proc "$root/proc"
mount --rbind --make-rslave /dev "$root/dev"
# Nothing the packages install is started inside the root.
printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
chmod +x "$root/usr/sbin/policy-rc.d"

step "apt installs $(basename "$package") and what it depends on"
cp "$package" "$root/tmp/"
in_root apt-get update -qq
in_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    "/tmp/$(basename "$package")" >/dev/null
in_root dpkg-query -W -f='${Package} ${Version}\nDepends: ${Depends}\n' atelier

step "atelier --version"
in_root atelier --version

step "atelier info --json"
info="$(in_root atelier --root /tmp/atelier-root info --json)"
echo "$info"
grep -q '"libtorch_version": *"' <<<"$info" || { echo "test-package: info has no libtorch version: the engine did not load" >&2; exit 1; }

step "the window, offscreen"
in_root env QT_QPA_PLATFORM=offscreen ATELIER_EXIT_AFTER_FIRST_PAINT=/tmp/window.png \
    atelier --root /tmp/atelier-root
picture="${package%.deb}-window.png"
cp "$root/tmp/window.png" "$picture"
echo "its picture: $picture"

step "the installed desktop files"
for file in /usr/share/applications/org.atelier.Atelier.desktop /usr/share/metainfo/org.atelier.Atelier.metainfo.xml \
    /usr/share/icons/hicolor/scalable/apps/org.atelier.Atelier.svg \
    /usr/share/icons/hicolor/48x48/apps/org.atelier.Atelier.png \
    /usr/share/icons/hicolor/256x256/apps/org.atelier.Atelier.png \
    /usr/share/man/man1/atelier.1.gz /usr/share/bash-completion/completions/atelier \
    /usr/share/doc/atelier/user-guide.md /usr/share/doc/atelier/user-guide.de.md; do
    [ -f "$root$file" ] || { echo "test-package: $file is not installed" >&2; exit 1; }
    echo "  $file"
done
echo
echo "test-package: the package installs and runs on a clean Debian 12"
