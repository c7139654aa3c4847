# goarm tab completion for fish (part of `goarm use | source`; alone: goarm completion fish | source).
# Installed versions are globbed (no process); remote ones come from the cached release index (no network).
function __goarm_installed
    set -l gos @VERSIONS@/*/bin/go
    string replace -r '^.*/([^/]+)/bin/go$' '$1' -- $gos
end
function __goarm_remote
    set -lx GOARM_HOME @HOME@
    @NODE@ @LIGHT@ complete remote 2>/dev/null
end
complete -c goarm -e
complete -c goarm -f
@DESCRIBED@
complete -c goarm -s h -l help
complete -c goarm -n __fish_use_subcommand -l version
@OPTIONS@
complete -c goarm -n '__fish_seen_subcommand_from @INSTALLED_ARGS@' -a '(__goarm_installed)'
complete -c goarm -n '__fish_seen_subcommand_from @REMOTE_ARGS@' -a '(__goarm_remote) latest stable'
complete -c goarm -n '__fish_seen_subcommand_from @VERSION_ARGS@' -a '(__goarm_installed) (__goarm_remote) latest stable'
complete -c goarm -n '__fish_seen_subcommand_from which' -a 'go gofmt'
complete -c goarm -n '__fish_seen_subcommand_from @FILE_ARGS@' -F
complete -c goarm -n '__fish_seen_subcommand_from exec' -a '(__fish_complete_subcommand --fcs-skip=2)'
complete -c goarm -n '__fish_seen_subcommand_from use' -l shell -x -a 'bash zsh fish'
complete -c goarm -n '__fish_seen_subcommand_from exec' -l version -x -a '(__goarm_installed)'
complete -c goarm -n '__fish_seen_subcommand_from install' -l os -l arch -x
