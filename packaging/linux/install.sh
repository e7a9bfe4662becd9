#!/usr/bin/env bash
# Install the PhotoFind bundle (dist/photofind, from packaging/build.sh) as a desktop application.
#
#   packaging/linux/install.sh                  # into ~/.local (no root needed)
#   sudo packaging/linux/install.sh /usr/local  # for every user
#   packaging/linux/install.sh --uninstall [PREFIX]
#
# Layout under PREFIX: lib/photofind/ (the bundle), bin/photofind (a symlink),
# share/applications/, share/metainfo/ and share/icons/hicolor/ (the desktop integration).
set -euo pipefail

APP_ID=io.github.photofind.PhotoFind
SIZES="16 24 32 48 64 128 256 512"
repo=$(cd "$(dirname "$0")/../.." && pwd)

uninstall=0
if [ "${1:-}" = "--uninstall" ]; then
    uninstall=1
    shift
fi
prefix=${1:-$HOME/.local}
bundle=${PHOTOFIND_BUNDLE:-$repo/dist/photofind}

icons=$prefix/share/icons/hicolor
files=(
    "$prefix/bin/photofind"
    "$prefix/share/applications/$APP_ID.desktop"
    "$prefix/share/metainfo/$APP_ID.metainfo.xml"
    "$icons/scalable/apps/$APP_ID.svg"
)
for n in $SIZES; do files+=("$icons/${n}x${n}/apps/$APP_ID.png"); done

refresh() {
    # Best effort: menus and icon caches pick the change up on next login anyway.
    if command -v update-desktop-database >/dev/null; then
        update-desktop-database -q "$prefix/share/applications" || true
    fi
    if command -v gtk-update-icon-cache >/dev/null && [ -f "$icons/index.theme" ]; then
        gtk-update-icon-cache -q -t "$icons" || true
    fi
}

if [ "$uninstall" = 1 ]; then
    rm -f "${files[@]}"
    rm -rf "$prefix/lib/photofind"
    refresh
    echo "PhotoFind removed from $prefix"
    exit 0
fi

if [ ! -x "$bundle/photofind" ]; then
    echo "install.sh: no bundle at $bundle; build it first with packaging/build.sh" >&2
    exit 1
fi

mkdir -p "$prefix/lib" "$prefix/bin" "$prefix/share/applications" "$prefix/share/metainfo"
rm -rf "$prefix/lib/photofind.new"
cp -a "$bundle" "$prefix/lib/photofind.new"
rm -rf "$prefix/lib/photofind"
mv "$prefix/lib/photofind.new" "$prefix/lib/photofind"
ln -sfn "$prefix/lib/photofind/photofind" "$prefix/bin/photofind"

# Absolute Exec/TryExec: the desktop session's PATH may not include PREFIX/bin.
sed -e "s|^Exec=photofind|Exec=$prefix/bin/photofind|" \
    -e "s|^TryExec=photofind|TryExec=$prefix/bin/photofind|" \
    "$repo/packaging/linux/$APP_ID.desktop" >"$prefix/share/applications/$APP_ID.desktop"
install -m 644 "$repo/packaging/linux/$APP_ID.metainfo.xml" "$prefix/share/metainfo/"
install -D -m 644 "$repo/resources/icons/scalable/apps/$APP_ID.svg" "$icons/scalable/apps/$APP_ID.svg"
for n in $SIZES; do
    install -D -m 644 "$repo/resources/icons/hicolor/${n}x${n}/apps/$APP_ID.png" \
        "$icons/${n}x${n}/apps/$APP_ID.png"
done
refresh

echo "PhotoFind installed in $prefix"
echo "  run:       $prefix/bin/photofind   (or from the applications menu)"
echo "  check:     $prefix/bin/photofind --self-test"
echo "  uninstall: $0 --uninstall $prefix"
