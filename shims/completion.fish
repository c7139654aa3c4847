# goarm tab completion for fish (part of `goarm use | source`; alone: goarm completion fish | source).
# Installed versions are globbed (no process); remote ones come from the cached release index (no network).
function __goarm_installed
    set -l gos @VERSIONS@/*/bin/go
    string replace -r '^.*/([^/]+)/bin/go$' '$1' -- $gos
end
function __goarm_remote
    set -lx GOARM_HOME @HOME@
    @GOARM@ _light complete remote 2>/dev/null
end
function __goarm_options # options of the command being completed, from its own --help, read once per shell
    set -l cmd (commandline -opc | string match -rv '^-')[2]
    test -n "$cmd"; or return
    set -l v __goarm_o_(string replace -a - _ -- $cmd)
    set -q $v; or set -g $v (@GOARM@ $cmd --help 2>/dev/null | string replace -rf '^ *(?:-[A-Za-z], )?(--[a-z][a-z-]*).*' '$1')
    string join \n -- $$v
end
function __goarm_wants_option
    set -l token (commandline -ct)
    not __fish_use_subcommand; and string match -q -- '-*' "$token"
end
complete -c goarm -e
complete -c goarm -f
@DESCRIBED@
complete -c goarm -s h -l help
complete -c goarm -n __fish_use_subcommand -l version
complete -c goarm -n __goarm_wants_option -a '(__goarm_options)'
complete -c goarm -n '__fish_seen_subcommand_from @INSTALLED_ARGS@' -a '(__goarm_installed)'
complete -c goarm -n '__fish_seen_subcommand_from @REMOTE_ARGS@' -a '(__goarm_remote) latest stable'
complete -c goarm -n '__fish_seen_subcommand_from @VERSION_ARGS@' -a '(__goarm_installed) (__goarm_remote) latest stable'
complete -c goarm -n '__fish_seen_subcommand_from which' -a 'go gofmt'
@WORDS@
complete -c goarm -n '__fish_seen_subcommand_from @FILE_ARGS@' -F
complete -c goarm -n '__fish_seen_subcommand_from exec' -a '(__fish_complete_subcommand --fcs-skip=2)'
complete -c goarm -n '__fish_seen_subcommand_from use' -l shell -x -a 'bash zsh fish'
complete -c goarm -n '__fish_seen_subcommand_from exec' -l version -x -a '(__goarm_installed)'
