#!/usr/bin/env bash
# atelier.1 from the executable's own help: the global usage, then a section per command with its options, so that
# the manual never says other than `atelier COMMAND --help` does.
#   packaging/make-manpage.sh ATELIER_EXECUTABLE OUTPUT
set -euo pipefail

executable="$1"
output="$2"
root="$(mktemp -d)"
trap 'rm -rf "$root"' EXIT

# Backslashes and lines starting with a dot or quote would be roff requests.
roff_text() { sed -e 's/\\/\\e/g' -e "s/^\\([.']\\)/\\\\\\&\\1/"; }
commands() { "$executable" --help | awk '/^Commands:/ { listed = 1; next } listed && /^$/ { exit } listed { print $1 }'; }

version="$("$executable" --version | awk '{ print $2 }')"
{
    echo ".TH ATELIER 1 \"\" \"atelier $version\" \"User Commands\""
    echo ".SH NAME"
    echo "atelier \\- a studio for Stable\\-Diffusion\\-family image models"
    echo ".SH SYNOPSIS"
    echo ".B atelier"
    echo "[\\fIOPTIONS\\fR] [\\fICOMMAND\\fR [\\fICOMMAND OPTIONS\\fR] | \\fIFILE\\fR]"
    echo ".SH DESCRIPTION"
    echo ".nf"
    "$executable" --help | sed '1d' | roff_text
    echo ".fi"
    echo ".SH COMMANDS"
    for command in $(commands); do
        echo ".SS $command"
        echo ".nf"
        "$executable" --root "$root" "$command" --help | sed "1s|^Usage: [^ ]*|Usage: atelier $command|" | roff_text
        echo ".fi"
    done
    echo ".SH ENVIRONMENT"
    echo ".TP"
    echo ".B ATELIER_ROOT"
    echo "The root folder (library, settings, outputs) when \\fB\\-\\-root\\fR is not given."
    echo ".SH FILES"
    echo ".TP"
    echo ".I ~/.local/share/atelier"
    echo "The default root: atelier.db, settings.json, models/, outputs/, training/."
    echo ".SH EXIT STATUS"
    echo "0 on success, 1 when the command failed, 2 for a usage error."
} > "$output"
