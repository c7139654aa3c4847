#!/bin/sh
# Installs goarm from this checkout into $GOARM_HOME (default ~/.goarm), then says how to load it in your shell.
#
#   ./install.sh [--modify-rc | --no-modify-rc] [--shell bash|zsh|fish]
#
# Needs node (>= 20.19) and npm, nothing else. Builds first when dist/ is missing (npm ci, npm run build).
# Copies dist/, shims/, keys/, package.json and the production node_modules into $GOARM_HOME/lib (so the
# checkout may move or go away afterwards), writes the launcher $GOARM_HOME/bin/goarm and renders the shims.
# The rc line is added only with --modify-rc, or when you say yes at the prompt on a terminal; else it is printed.
# Running it again upgrades in place and never adds the rc line twice.
#
# Tests source it for its functions: GOARM_INSTALL_SOURCED=1 . ./install.sh  (then nothing runs). POSIX sh.
# shellcheck disable=SC2016 # single-quoted $… here is text written into other scripts and messages, on purpose

goarm_die() {
  printf 'install.sh: %s\n' "$1" >&2
  exit "${2:-1}"
}

# Single-quotes a value for sh.
goarm_q() {
  printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")"
}

goarm_check_node() {
  command -v node >/dev/null 2>&1 || goarm_die 'node is not on PATH; install Node.js 20.19 or newer (https://nodejs.org), then run ./install.sh again'
  node -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 20 || (a === 20 && b >= 19) ? 0 : 1)' ||
    goarm_die "goarm needs Node.js 20.19 or newer; this node is $(node --version)"
}

# Every runtime dependency of package.json present in $1/node_modules? (read by node: no JSON parsing in sh)
goarm_have_deps() {
  (cd "$1" && node -e 'const fs = require("fs"); const p = require("./package.json");
    process.exit(Object.keys(p.dependencies || {}).every((d) => fs.existsSync(`node_modules/${d}/package.json`)) ? 0 : 1)')
}

# $1 = the checkout (or an unpacked release tarball: dist/ but no src/ nor lockfile). Installs dependencies
# and builds only when needed; building needs the dev dependencies (typescript), running only the others.
goarm_build() {
  goarm_need_build='' goarm_need_deps=''
  [ -f "$1/dist/cli.js" ] || goarm_need_build=yes
  goarm_have_deps "$1" || goarm_need_deps=yes
  if [ -n "$goarm_need_build" ]; then
    [ -d "$1/src" ] || goarm_die "$1 has neither dist/ nor src/: not a goarm checkout"
    [ -d "$1/node_modules/typescript" ] || goarm_need_deps=yes
  fi
  if [ -n "$goarm_need_deps" ]; then
    command -v npm >/dev/null 2>&1 || goarm_die 'npm is not on PATH (it comes with Node.js); it is needed to install the dependencies'
    if [ -f "$1/package-lock.json" ]; then goarm_npm=ci; else goarm_npm=install; fi
    goarm_omit=''
    [ -n "$goarm_need_build" ] || goarm_omit=--omit=dev
    printf 'install.sh: installing dependencies (npm %s)\n' "$goarm_npm" >&2
    # shellcheck disable=SC2086 # $goarm_omit is one word or none
    (cd "$1" && npm "$goarm_npm" $goarm_omit --no-audit --no-fund) || goarm_die "npm $goarm_npm failed; see the messages above"
  fi
  if [ -n "$goarm_need_build" ]; then
    printf '%s\n' 'install.sh: building (npm run build)' >&2
    (cd "$1" && npm run build) || goarm_die 'the build failed; see the messages above'
  fi
}

# Copies the production dependencies of checkout $1 into $2/node_modules (npm ls knows the tree; no network).
goarm_copy_deps() {
  goarm_list=$(cd "$1" && npm ls --omit=dev --all --parseable 2>/dev/null) || true
  if [ -z "$goarm_list" ]; then
    cp -R "$1/node_modules" "$2/node_modules" # no npm tree to read: take everything
    return
  fi
  mkdir -p "$2/node_modules"
  printf '%s\n' "$goarm_list" | while IFS= read -r goarm_p; do
    goarm_rel=${goarm_p#*/node_modules/}
    case $goarm_p in */node_modules/*) ;; *) continue ;; esac
    case $goarm_rel in */node_modules/*) continue ;; esac # nested: copied with its parent
    mkdir -p "$2/node_modules/$(dirname "$goarm_rel")"
    [ -e "$2/node_modules/$goarm_rel" ] || cp -R "$goarm_p" "$2/node_modules/$goarm_rel" || exit 1
  done || goarm_die "could not copy the dependencies into $2"
}

# $1 = checkout, $2 = GOARM_HOME. Stages lib/ beside the old one, checks it runs, then swaps it in.
goarm_install_lib() {
  goarm_stage="$2/lib.new.$$"
  rm -rf "$goarm_stage"
  mkdir -p "$goarm_stage" || goarm_die "cannot create $goarm_stage"
  for goarm_part in dist shims keys package.json; do
    cp -R "$1/$goarm_part" "$goarm_stage/" || goarm_die "could not copy $goarm_part into $goarm_stage"
  done
  # The optional native helper (goarm exec becomes the command itself); the JS fallback works without it.
  if [ -f "$1/build/Release/goarm_native.node" ]; then
    mkdir -p "$goarm_stage/build/Release" && cp "$1/build/Release/goarm_native.node" "$goarm_stage/build/Release/"
  fi
  goarm_copy_deps "$1" "$goarm_stage"
  GOARM_HOME="$2" node "$goarm_stage/dist/cli.js" --version >/dev/null ||
    { rm -rf "$goarm_stage"; goarm_die "the copy in $goarm_stage does not run; nothing was changed"; }
  rm -rf "$2/lib.old.$$"
  if [ -d "$2/lib" ]; then mv "$2/lib" "$2/lib.old.$$"; fi
  mv "$goarm_stage" "$2/lib" || goarm_die "could not move $goarm_stage to $2/lib"
  rm -rf "$2/lib.old.$$"
}

# $1 = GOARM_HOME. The launcher keeps GOARM_HOME pointing here and prefers the node that installed it.
goarm_write_launcher() {
  mkdir -p "$1/bin"
  if ! {
    printf '%s\n' '#!/bin/sh' '# goarm launcher, written by install.sh (run it again to upgrade).'
    printf '[ -n "${GOARM_HOME-}" ] || GOARM_HOME=%s\nexport GOARM_HOME\n' "$(goarm_q "$1")"
    printf 'node=%s\n' "$(goarm_q "$(command -v node)")"
    printf '%s\n' '[ -x "$node" ] || node=node # that node is gone (an upgrade?): use the one on PATH'
    printf 'exec "$node" %s "$@"\n' "$(goarm_q "$1/lib/dist/cli.js")"
  } >"$1/bin/goarm.tmp" || ! chmod 755 "$1/bin/goarm.tmp" || ! mv "$1/bin/goarm.tmp" "$1/bin/goarm"; then
    goarm_die "could not write $1/bin/goarm"
  fi
}

# The rc file for shell $1 (bash, zsh or fish).
goarm_rc_file() {
  case $1 in
    bash) if [ "$(uname -s)" = Darwin ]; then printf '%s\n' "$HOME/.bash_profile"; else printf '%s\n' "$HOME/.bashrc"; fi ;;
    zsh) printf '%s\n' "${ZDOTDIR:-$HOME}/.zshrc" ;;
    fish) printf '%s\n' "${XDG_CONFIG_HOME:-$HOME/.config}/fish/config.fish" ;;
    *) return 1 ;;
  esac
}

# The line that loads goarm in shell $1 with GOARM_HOME $2; under $HOME it is written with $HOME / ~.
goarm_rc_line() {
  goarm_bin="$2/bin/goarm"
  case $goarm_bin in
    "$HOME"/*) goarm_rest=${goarm_bin#"$HOME"/}
      case $goarm_rest in *[!A-Za-z0-9._/-]*) goarm_home_rel= ;; *) goarm_home_rel=$goarm_rest ;; esac ;;
    *) goarm_home_rel= ;;
  esac
  if [ "$1" = fish ]; then
    # shellcheck disable=SC2088 # the ~ is for fish, in the rc file
    if [ -n "$goarm_home_rel" ]; then printf '%s\n' "~/$goarm_home_rel use | source"; else printf '%s use | source\n' "$(goarm_q "$goarm_bin")"; fi
  elif [ -n "$goarm_home_rel" ]; then
    printf '%s\n' "eval \"\$(\"\$HOME/$goarm_home_rel\" use)\""
  else
    printf 'eval "$(%s use)"\n' "$(goarm_q "$goarm_bin")"
  fi
}

# Appends line $2 to rc file $1 unless it is there already. Prints what it did.
goarm_add_rc_line() {
  if [ -f "$1" ] && grep -qxF "$2" "$1"; then
    printf 'install.sh: %s already loads goarm\n' "$1"
    return
  fi
  mkdir -p "$(dirname "$1")" || goarm_die "cannot create the directory of $1"
  printf '\n# goarm: Go toolchain manager (added by install.sh)\n%s\n' "$2" >>"$1" || goarm_die "cannot write $1"
  printf 'install.sh: added to %s: %s\n' "$1" "$2"
}

goarm_usage() {
  printf '%s\n' 'usage: ./install.sh [--modify-rc | --no-modify-rc] [--shell bash|zsh|fish]' \
    '  installs goarm into $GOARM_HOME (default ~/.goarm) and prints the line that loads it in your shell;' \
    '  --modify-rc adds that line to your shell rc file (asked on a terminal when neither flag is given)'
}

goarm_main() {
  set -eu
  goarm_modify='' goarm_shell=''
  while [ $# -gt 0 ]; do
    case $1 in
      --modify-rc) goarm_modify=yes ;;
      --no-modify-rc) goarm_modify=no ;;
      --shell) [ $# -gt 1 ] || goarm_die '--shell needs bash, zsh or fish' 2; goarm_shell=$2; shift ;;
      --shell=*) goarm_shell=${1#--shell=} ;;
      -h | --help) goarm_usage; return 0 ;;
      *) goarm_usage >&2; goarm_die "unknown option: $1" 2 ;;
    esac
    shift
  done
  [ -n "${HOME-}" ] || goarm_die 'HOME is not set'
  goarm_src=$(cd "$(dirname "$0")" && pwd -P)
  [ -f "$goarm_src/package.json" ] || goarm_die "$goarm_src is not a goarm checkout"
  goarm_home=${GOARM_HOME:-$HOME/.goarm}
  case $goarm_home in /*) ;; *) goarm_home=$(pwd -P)/$goarm_home ;; esac

  goarm_check_node
  goarm_build "$goarm_src"
  mkdir -p "$goarm_home" || goarm_die "cannot create $goarm_home"
  goarm_install_lib "$goarm_src" "$goarm_home"
  goarm_write_launcher "$goarm_home"
  "$goarm_home/bin/goarm" shims >/dev/null || goarm_die 'rendering the shims failed; see the message above'
  printf 'goarm %s installed in %s\n' "$("$goarm_home/bin/goarm" --version)" "$goarm_home"

  [ -n "$goarm_shell" ] || goarm_shell=$(basename "${SHELL:-sh}")
  if ! goarm_rc=$(goarm_rc_file "$goarm_shell"); then
    printf '\nShell integration exists for bash, zsh and fish (your shell: %s). For bash or zsh, add to the rc file:\n  %s\n' \
      "$goarm_shell" "$(goarm_rc_line bash "$goarm_home")"
    return 0
  fi
  goarm_line=$(goarm_rc_line "$goarm_shell" "$goarm_home")
  if [ -z "$goarm_modify" ] && [ -t 0 ] && [ -t 1 ]; then
    printf 'Add this line to %s to load goarm in new shells?\n  %s\n[y/N] ' "$goarm_rc" "$goarm_line"
    read -r goarm_answer || goarm_answer=
    case $goarm_answer in [yY]*) goarm_modify=yes ;; *) goarm_modify=no ;; esac
  fi
  if [ "$goarm_modify" = yes ]; then
    goarm_add_rc_line "$goarm_rc" "$goarm_line"
    printf 'Open a new shell (or run the line above) to use it.\n'
  else
    printf '\nTo finish, add this line to %s, then open a new shell:\n  %s\n' "$goarm_rc" "$goarm_line"
  fi
}

if [ -z "${GOARM_INSTALL_SOURCED-}" ]; then
  goarm_main "$@"
fi
