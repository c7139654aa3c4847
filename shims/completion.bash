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
  for v in $(GOARM_HOME=@HOME@ @GOARM@ _light complete remote 2>/dev/null); do __goarm_w+=("$v"); done
}
__goarm_options() { # options of command $1, from its own --help (so they never drift), read once per shell
  local v=__goarm_o_${1//[^a-z]/_} o
  [ -n "${!v+x}" ] ||
    printf -v "$v" '%s' "$(@GOARM@ "$1" --help 2>/dev/null | sed -n 's/^ *\(-[A-Za-z], \)\{0,1\}\(--[a-z][a-z-]*\).*/\2/p')"
  while IFS= read -r o; do [ -z "$o" ] || __goarm_w+=("$o"); done <<<"${!v}"
}
__goarm_reply() { # COMPREPLY from compgen "$@", one candidate per line (names with spaces stay whole)
  local c
  COMPREPLY=()
  while IFS= read -r c; do COMPREPLY+=("$c"); done < <(compgen "$@")
}
__goarm_complete() {
  local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]} cmd='' i
  local -a __goarm_w=()
  for ((i = 1; i < COMP_CWORD; i++)); do
    case ${COMP_WORDS[i]} in -*) ;; *) cmd=${COMP_WORDS[i]}; break ;; esac
  done
  COMPREPLY=()
  case $cmd:$prev in
    :*) __goarm_reply -W '@COMMANDS@ --help --version' -- "$cur"; return ;;
    *:--shell) __goarm_reply -W 'bash zsh fish' -- "$cur"; return ;;
    *:--os|*:--arch) return ;;
    exec:--version) __goarm_installed ;;
    exec:*) [ "$prev" = exec ] || [[ $prev == -* ]] || return; __goarm_reply -c -- "$cur"; return ;;
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
          @FILE_ARGS@) __goarm_reply -f -- "$cur"; return ;;
        esac
        [ "$cmd" != install ] || __goarm_w+=(latest stable)
      fi ;;
  esac
  __goarm_reply -W "${__goarm_w[*]}" -- "$cur"
}
complete -F __goarm_complete goarm
