# goarm tab completion for bash (part of `eval "$(goarm use)"`; alone: eval "$(goarm completion bash)").
# Installed versions are globbed (no process); remote ones come from the cached release index (no network).
__goarm_installed() {
  local d
  for d in @VERSIONS@/*/bin/go; do
    [ -e "$d" ] || continue
    d=${d%/bin/go}
    __goarm_w+=("${d##*/}")
  done
}
__goarm_remote() {
  local v
  for v in $(GOARM_HOME=@HOME@ @NODE@ @LIGHT@ complete remote 2>/dev/null); do __goarm_w+=("$v"); done
}
__goarm_options() { # options of command $1, from its own --help (so they never drift), read once per shell
  local v=__goarm_o_${1//[^a-z]/_}
  [ -n "${!v+x}" ] ||
    printf -v "$v" '%s ' $(@NODE@ @CLI@ "$1" --help 2>/dev/null | sed -n 's/^ *\(-[A-Za-z], \)\{0,1\}\(--[a-z][a-z-]*\).*/\2/p')
  __goarm_w+=(${!v})
}
__goarm_complete() {
  local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]} cmd= i
  local -a __goarm_w=()
  for ((i = 1; i < COMP_CWORD; i++)); do
    case ${COMP_WORDS[i]} in -*) ;; *) cmd=${COMP_WORDS[i]}; break ;; esac
  done
  COMPREPLY=()
  case $cmd:$prev in
    :*) COMPREPLY=($(compgen -W '@COMMANDS@ --help --version' -- "$cur")); return ;;
    *:--shell) COMPREPLY=($(compgen -W 'bash zsh fish' -- "$cur")); return ;;
    *:--os|*:--arch) return ;;
    exec:--version) __goarm_installed ;;
    exec:*) [ "$prev" = exec ] || [[ $prev == -* ]] || return; COMPREPLY=($(compgen -c -- "$cur")); return ;;
    *:*)
      if [[ $cur == -* ]]; then
        __goarm_options "$cmd"
      else
        case $cmd in
          @INSTALLED_ARGS@) __goarm_installed ;;
          @REMOTE_ARGS@) __goarm_remote ;;
          @VERSION_ARGS@) __goarm_installed; __goarm_remote; __goarm_w+=(latest stable) ;;
          which) __goarm_w=(go gofmt) ;;
          @WORDS@
          @FILE_ARGS@) COMPREPLY=($(compgen -f -- "$cur")); return ;;
        esac
        [ "$cmd" != install ] || __goarm_w+=(latest stable)
      fi ;;
  esac
  COMPREPLY=($(compgen -W "${__goarm_w[*]}" -- "$cur"))
}
complete -F __goarm_complete goarm
