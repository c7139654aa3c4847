# goarm tab completion for zsh (part of `eval "$(goarm use)"`; alone: eval "$(goarm completion zsh)").
# Installed versions are globbed (no process); remote ones come from the cached release index (no network).
__goarm_remote() {
  reply=(${(f)"$(GOARM_HOME=@HOME@ @GOARM@ _light complete remote 2>/dev/null)"})
  reply=(${reply:#} latest stable)
}
__goarm_options() { # options of command $1, from its own --help (so they never drift), read once per shell
  typeset -gA __goarm_opts
  (( ${+__goarm_opts[$1]} )) ||
    __goarm_opts[$1]=${(j: :)${(f)"$(@GOARM@ $1 --help 2>/dev/null | sed -n 's/^ *\(-[A-Za-z], \)\{0,1\}\(--[a-z][a-z-]*\).*/\2/p')"}}
  reply=(${=__goarm_opts[$1]})
}
_goarm() {
  local -a w reply
  local cmd=${${words[2,CURRENT-1]:#-*}[1]}
  if [[ -z $cmd ]]; then
    w=(@DESCRIBED@)
    _describe -t commands 'goarm command' w
    return
  fi
  case $cmd:${words[CURRENT-1]} in
    *:--shell) compadd -- bash zsh fish; return ;;
    *:--os|*:--arch) return 1 ;;
    exec:--version) w=(@VERSIONS@/*/bin/go(N:h:h:t)); compadd -a w; return ;;
    exec:exec|exec:--) _command_names -e; return ;;
    exec:*) _files; return ;;
  esac
  if [[ $PREFIX == -* ]]; then
    __goarm_options $cmd
    compadd -a reply
    return
  fi
  case $cmd in
    @INSTALLED_ARGS@) w=(@VERSIONS@/*/bin/go(N:h:h:t)) ;;
    @REMOTE_ARGS@) __goarm_remote; w=($reply) ;;
    @VERSION_ARGS@) __goarm_remote; w=(@VERSIONS@/*/bin/go(N:h:h:t) $reply) ;;
    which) w=(go gofmt) ;;
    @WORDS@
    @FILE_ARGS@) _files; return ;;
  esac
  compadd -V versions -- $w
}
# compdef exists only after compinit; when the rc file runs compinit later, register on the first prompt.
if (( $+functions[compdef] )); then
  compdef _goarm goarm
else
  __goarm_compdef() {
    add-zsh-hook -d precmd __goarm_compdef
    (( $+functions[compdef] )) && compdef _goarm goarm
  }
  autoload -Uz add-zsh-hook && add-zsh-hook precmd __goarm_compdef
fi
