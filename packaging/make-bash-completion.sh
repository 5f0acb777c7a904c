#!/usr/bin/env bash
# Bash completion for atelier from the executable's own help: its commands, each command's options, files
# elsewhere.
#   packaging/make-bash-completion.sh ATELIER_EXECUTABLE OUTPUT
set -euo pipefail

executable="$1"
output="$2"
root="$(mktemp -d)"
trap 'rm -rf "$root"' EXIT

commands="$("$executable" --help | awk '/^Commands:/ { listed = 1; next } listed && /^$/ { exit } listed { print $1 }')"
# A help text's words to complete: its long options (on the lines that start with one) and its subcommands.
options_of()
{
    local help
    help="$(cat)"
    { grep -E '^ +(-[a-zA-Z], )?--[a-z]' <<<"$help" | grep -oE -- '--[a-z0-9-]+' || true; } | sort -u | tr '\n' ' '
    awk '/^Subcommands:/ { listed = 1; next } listed && /^$/ { exit } listed { printf "%s ", $1 }' <<<"$help"
}

{
    echo "# bash completion for atelier (made from its help by packaging/make-bash-completion.sh)"
    echo "_atelier()"
    echo "{"
    echo "    local cur=\"\${COMP_WORDS[COMP_CWORD]}\" command=\"\" i"
    echo "    COMPREPLY=()"
    echo "    # The command is the first word that is neither an option nor --root's value."
    echo "    for ((i = 1; i < COMP_CWORD; i++)); do"
    echo "        case \"\${COMP_WORDS[i]}\" in"
    echo "            --root) ((i++)) ;;"
    echo "            -*) ;;"
    echo "            *) command=\"\${COMP_WORDS[i]}\"; break ;;"
    echo "        esac"
    echo "    done"
    echo "    local words"
    echo "    case \"\$command\" in"
    echo "        \"\") words=\"$(echo $commands) $("$executable" --help | options_of)\" ;;"
    for command in $commands; do
        echo "        $command) words=\"$("$executable" --root "$root" "$command" --help | options_of)\" ;;"
    done
    echo "    esac"
    echo "    # Options anywhere; commands, or a command's subcommands, right after it."
    echo "    if [[ \"\$cur\" == -* || ( -z \"\$command\" && \"\${COMP_WORDS[COMP_CWORD-1]}\" != --root ) ||"
    echo "          \"\${COMP_WORDS[COMP_CWORD-1]}\" == \"\$command\" ]]; then"
    echo "        COMPREPLY=(\$(compgen -W \"\$words\" -- \"\$cur\"))"
    echo "    fi"
    echo "    if [[ \${#COMPREPLY[@]} -eq 0 ]]; then"
    echo "        COMPREPLY=(\$(compgen -f -- \"\$cur\"))"
    echo "    fi"
    echo "}"
    echo "complete -o filenames -F _atelier atelier"
} > "$output"
