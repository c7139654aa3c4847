#!/bin/sh
# goarm's installer. From anywhere, with no checkout:
#
#   curl -fsSL <url>/install.sh | sh                      # the newest goarm
#   curl -fsSL <url>/install.sh | sh -s -- --version 0.2.0 --modify-rc
#   ./install.sh [options]                                # from a goarm checkout: installs that checkout
#
# Options: --version X, --modify-rc | --no-modify-rc, --shell bash|zsh|fish, --help.
# Needs Node.js >= 20.19 and npm. Fetches the goarm package with `npm pack` from the registry npm is configured with
# (npm_config_registry, ~/.npmrc: private registries and mirrors work), or packs the checkout it sits in; unpacks it
# into $GOARM_HOME/lib (default ~/.goarm; the package carries its dependencies, so nothing else is fetched), checks
# that it runs, swaps it in, and lets it render $GOARM_HOME/bin/goarm, the shims and the shell init code.
# It never reads, writes or runs anything in the current directory: npm runs in a private temporary directory.
# Running it again upgrades in place ("upgraded X → Y") and never adds the rc line twice.
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
  command -v node >/dev/null 2>&1 ||
    goarm_die 'node is not on PATH; install Node.js 20.19 or newer (https://nodejs.org, or nvm, fnm, Homebrew), then run this again'
  node -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 20 || (a === 20 && b >= 19) ? 0 : 1)' ||
    goarm_die "goarm needs Node.js 20.19 or newer; this node is $(node --version) ($(command -v node))"
  command -v npm >/dev/null 2>&1 || goarm_die 'npm is not on PATH (it comes with Node.js); it fetches the goarm package'
}

# The goarm checkout this script sits in (package.json names goarm, and src/ is there), else nothing. Piped into
# sh, $0 is the shell itself: never a checkout, and the current directory is never looked at.
goarm_checkout() {
  case $0 in */install.sh | install.sh) ;; *) return 0 ;; esac
  [ -f "$0" ] || return 0
  goarm_d=$(cd "$(dirname "$0")" && pwd -P) || return 0
  if [ -d "$goarm_d/src" ] && [ -f "$goarm_d/package.json" ] && grep -q '"name": *"goarm"' "$goarm_d/package.json"; then
    printf '%s\n' "$goarm_d"
  fi
}

# $1 = a checkout or empty, $2 = version, $3 = a private temporary directory. Prints the tarball's path.
goarm_fetch() {
  if [ -n "$1" ]; then
    # prepack builds dist/ and the native helper; building needs the checkout's dev dependencies.
    if [ ! -d "$1/node_modules/typescript" ]; then
      printf 'install.sh: installing the build dependencies in %s (npm ci)\n' "$1" >&2
      (cd "$1" && npm ci --no-audit --no-fund >&2) || goarm_die "npm ci failed in $1; see the messages above"
    fi
    printf 'install.sh: packing %s\n' "$1" >&2
    (cd "$1" && npm pack --silent --pack-destination "$3" >"$3/name") || goarm_die "npm pack failed in $1"
  else
    printf 'install.sh: fetching goarm@%s from %s\n' "$2" "$(cd "$3" && npm config get registry)" >&2
    (cd "$3" && npm pack --silent "goarm@$2" >"$3/name") ||
      goarm_die "npm could not fetch goarm@$2; check the version and npm's registry settings (npm config get registry)"
  fi
  goarm_tgz=$(tail -n 1 "$3/name")
  [ -f "$3/$goarm_tgz" ] || goarm_die "npm pack did not leave the tarball it named ($goarm_tgz)"
  printf '%s\n' "$3/$goarm_tgz"
}

# The version of the goarm package in directory $1, or nothing.
goarm_version_of() {
  [ -f "$1/package.json" ] && node -p 'require(process.argv[1]).version' "$1/package.json" 2>/dev/null
}

# $1 = tarball, $2 = GOARM_HOME, $3 = temporary directory. Unpacks beside the old lib/, checks it runs, swaps it in.
goarm_install_lib() {
  mkdir -p "$3/unpack" || goarm_die "cannot create $3/unpack"
  tar -xzf "$1" -C "$3/unpack" || goarm_die "cannot unpack $1"
  [ -f "$3/unpack/package/dist/cli.js" ] || goarm_die "$1 has no dist/cli.js: not a built goarm package"
  goarm_stage="$2/lib.new.$$"
  rm -rf "$goarm_stage"
  mv "$3/unpack/package" "$goarm_stage" 2>/dev/null || cp -R "$3/unpack/package" "$goarm_stage" ||
    goarm_die "cannot copy goarm into $goarm_stage"
  GOARM_HOME="$2" "$goarm_stage/bin/goarm" --version >/dev/null ||
    { rm -rf "$goarm_stage"; goarm_die "the new goarm in $goarm_stage does not run; nothing was changed"; }
  rm -rf "$2/lib.old.$$"
  if [ -d "$2/lib" ]; then mv "$2/lib" "$2/lib.old.$$"; fi
  mv "$goarm_stage" "$2/lib" || { mv "$2/lib.old.$$" "$2/lib" 2>/dev/null; goarm_die "could not move $goarm_stage to $2/lib"; }
  rm -rf "$2/lib.old.$$"
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

# True when rc file $1 already loads goarm: our line, or any `goarm use` line the user wrote.
goarm_has_rc_line() {
  [ -f "$1" ] && { grep -qxF "$2" "$1" || grep -Eq '^[^#]*goarm["'"'"']?[[:space:]]+use[[:space:]]*(\)|"|\||$)' "$1"; }
}

# Appends line $2 to rc file $1 unless it loads goarm already. Prints what it did. `goarm self uninstall` removes
# exactly this block (src/shell/rcfiles.ts knows the marker).
goarm_add_rc_line() {
  if goarm_has_rc_line "$1" "$2"; then
    printf 'install.sh: %s already loads goarm\n' "$1"
    return
  fi
  mkdir -p "$(dirname "$1")" || goarm_die "cannot create the directory of $1"
  printf '\n# goarm: Go toolchain manager (added by install.sh)\n%s\n' "$2" >>"$1" || goarm_die "cannot write $1"
  printf 'install.sh: added to %s: %s\n' "$1" "$2"
}

goarm_usage() {
  printf '%s\n' 'usage: install.sh [--version X] [--modify-rc | --no-modify-rc] [--shell bash|zsh|fish]' \
    '  installs goarm (the newest, or X; from a goarm checkout: that checkout) into $GOARM_HOME (default ~/.goarm)' \
    '  and prints the line that loads it in your shell; --modify-rc adds that line to your shell rc file' \
    '  (asked on a terminal when neither flag is given). Running it again upgrades in place.'
}

goarm_main() {
  set -eu
  goarm_modify='' goarm_shell='' goarm_version=latest
  while [ $# -gt 0 ]; do
    case $1 in
      --modify-rc) goarm_modify=yes ;;
      --no-modify-rc) goarm_modify=no ;;
      --shell) [ $# -gt 1 ] || goarm_die '--shell needs bash, zsh or fish' 2; goarm_shell=$2; shift ;;
      --shell=*) goarm_shell=${1#--shell=} ;;
      --version) [ $# -gt 1 ] || goarm_die '--version needs a goarm version, e.g. 0.2.0' 2; goarm_version=$2; shift ;;
      --version=*) goarm_version=${1#--version=} ;;
      -h | --help) goarm_usage; return 0 ;;
      *) goarm_usage >&2; goarm_die "unknown option: $1" 2 ;;
    esac
    shift
  done
  [ -n "${HOME-}" ] || goarm_die 'HOME is not set'
  goarm_home=${GOARM_HOME:-$HOME/.goarm}
  case $goarm_home in /*) ;; *) goarm_die "GOARM_HOME must be an absolute path (it is $goarm_home)" 2 ;; esac
  goarm_src=$(goarm_checkout)

  goarm_check_node
  goarm_tmp=$(mktemp -d "${TMPDIR:-/tmp}/goarm-install.XXXXXX") || goarm_die 'cannot create a temporary directory'
  # shellcheck disable=SC2064 # the paths are fixed now
  trap "rm -rf '$goarm_tmp' '$goarm_home/lib.new.$$'" EXIT
  trap 'exit 130' INT TERM
  goarm_tgz=$(goarm_fetch "$goarm_src" "$goarm_version" "$goarm_tmp")
  mkdir -p "$goarm_home" || goarm_die "cannot create $goarm_home"
  goarm_old=$(goarm_version_of "$goarm_home/lib" || true)
  goarm_install_lib "$goarm_tgz" "$goarm_home" "$goarm_tmp"
  # The new goarm owns the home now: it writes bin/goarm (which runs lib/), the shims and the init files.
  GOARM_HOME=$goarm_home "$goarm_home/lib/bin/goarm" shims --take-over >/dev/null ||
    goarm_die 'rendering the shims failed; see the message above'
  goarm_new=$("$goarm_home/bin/goarm" --version)
  if [ -z "$goarm_old" ]; then
    printf 'goarm %s installed in %s\n' "$goarm_new" "$goarm_home"
  elif [ "$goarm_old" = "$goarm_new" ]; then
    printf 'goarm %s reinstalled in %s\n' "$goarm_new" "$goarm_home"
  else
    printf 'upgraded goarm %s → %s in %s\n' "$goarm_old" "$goarm_new" "$goarm_home"
  fi

  [ -n "$goarm_shell" ] || goarm_shell=$(basename "${SHELL:-sh}")
  if ! goarm_rc=$(goarm_rc_file "$goarm_shell"); then
    printf '\nShell integration exists for bash, zsh and fish (your shell: %s). For bash or zsh, add to the rc file:\n  %s\n' \
      "$goarm_shell" "$(goarm_rc_line bash "$goarm_home")"
    return 0
  fi
  goarm_line=$(goarm_rc_line "$goarm_shell" "$goarm_home")
  if goarm_has_rc_line "$goarm_rc" "$goarm_line"; then
    printf '%s already loads goarm; open a new shell to use this version.\n' "$goarm_rc"
    return 0
  fi
  # Piped into sh, stdin is the script: ask on the terminal itself.
  if [ -z "$goarm_modify" ] && [ -t 1 ] && { [ -t 0 ] || { [ -r /dev/tty ] && : </dev/tty; } 2>/dev/null; }; then
    printf 'Add this line to %s to load goarm in new shells?\n  %s\n[y/N] ' "$goarm_rc" "$goarm_line"
    if [ -t 0 ]; then read -r goarm_answer || goarm_answer=; else read -r goarm_answer </dev/tty || goarm_answer=; fi
    case $goarm_answer in [yY]*) goarm_modify=yes ;; *) goarm_modify=no ;; esac
  fi
  if [ "$goarm_modify" = yes ]; then
    goarm_add_rc_line "$goarm_rc" "$goarm_line"
    printf 'Open a new shell (or run the line above), then: goarm install 1.23\n'
  else
    printf '\nTo finish, add this line to %s, then open a new shell:\n  %s\n' "$goarm_rc" "$goarm_line"
  fi
}

if [ -z "${GOARM_INSTALL_SOURCED-}" ]; then
  goarm_main "$@"
fi
