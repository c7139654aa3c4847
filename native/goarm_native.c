// goarm's optional native helper (Node-API, plain C). Two things Node cannot do by itself:
//   execve(path, argv, envp)  replace the goarm process with the command, for `goarm exec`: signals sent to
//                             goarm's pid reach the command, and its exit status is the process's own.
//   sysctlInt(name)           macOS only: sysctlbyname(3) for integer values, so Apple Silicon and Rosetta
//                             detection needs no `sysctl` fork.
// Everything has a pure-JS fallback (src/native.ts); this file must stay small and boring.
#include <node_api.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#ifdef __APPLE__
#include <sys/sysctl.h>
#endif

#ifndef NSIG
#define NSIG 65
#endif

static napi_value throw_type(napi_env env, const char *msg) {
  napi_throw_type_error(env, NULL, msg);
  return NULL;
}

// A JS string as a malloc'd C string. NULL (with a TypeError pending) for non-strings and embedded NULs.
static char *dup_string(napi_env env, napi_value v) {
  size_t len = 0;
  if (napi_get_value_string_utf8(env, v, NULL, 0, &len) != napi_ok) return throw_type(env, "expected a string"), NULL;
  char *s = malloc(len + 1);
  if (!s) return napi_throw_error(env, NULL, "out of memory"), NULL;
  napi_get_value_string_utf8(env, v, s, len + 1, &len);
  if (strlen(s) != len) return free(s), throw_type(env, "strings must not contain NUL bytes"), NULL;
  return s;
}

// Frees a list from dup_list, spare slots included.
static void free_list(char **list, uint32_t spare) {
  if (!list) return;
  for (char **p = list + spare; *p; p++) free(*p);
  free(list);
}

// A JS array of strings as a NULL-terminated list, with `spare` empty slots in front (for the /bin/sh retry).
static char **dup_list(napi_env env, napi_value arr, uint32_t spare) {
  bool is_array = false;
  uint32_t n = 0;
  if (napi_is_array(env, arr, &is_array) != napi_ok || !is_array) return throw_type(env, "expected an array of strings"), NULL;
  napi_get_array_length(env, arr, &n);
  char **list = calloc((size_t)n + spare + 1, sizeof(char *));
  if (!list) return napi_throw_error(env, NULL, "out of memory"), NULL;
  for (uint32_t i = 0; i < n; i++) {
    napi_value item;
    napi_get_element(env, arr, i, &item);
    if (!(list[spare + i] = dup_string(env, item))) return free_list(list, spare), NULL;
  }
  return list;
}

// execve(path, argv, envp): never returns on success. On failure Node's state is put back and an Error with
// .errno (the positive errno value) is thrown.
static napi_value Execve(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value a[3];
  napi_get_cb_info(env, info, &argc, a, NULL, NULL);
  if (argc < 3) return throw_type(env, "execve(path, argv, envp)");
  char *path = dup_string(env, a[0]);
  char **argv = path ? dup_list(env, a[1], 1) : NULL;
  char **envp = argv ? dup_list(env, a[2], 0) : NULL;
  if (!envp || !argv[1]) {
    if (envp) throw_type(env, "argv must name the command");
    free(path);
    free_list(argv, 1);
    free_list(envp, 0);
    return NULL;
  }

  // Undo what exec would otherwise carry over from Node, the way libuv sets up a spawned child: Node ignores
  // SIGPIPE (an ignored signal stays ignored across exec), the signal mask is inherited, and stdio may be
  // O_NONBLOCK, which surprises ordinary programs.
  static struct sigaction saved[NSIG];
  static int saved_ok[NSIG];
  struct sigaction dfl;
  memset(&dfl, 0, sizeof dfl);
  dfl.sa_handler = SIG_DFL;
  sigemptyset(&dfl.sa_mask);
  for (int sig = 1; sig < NSIG; sig++) saved_ok[sig] = sig != SIGKILL && sig != SIGSTOP && sigaction(sig, &dfl, &saved[sig]) == 0;
  sigset_t none, saved_mask;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, &saved_mask);
  // Node marks the stdio it inherited close-on-exec at startup (uv_disable_stdio_inheritance); the command needs them.
  int fl[3], fd_fl[3];
  for (int fd = 0; fd < 3; fd++) {
    if ((fl[fd] = fcntl(fd, F_GETFL)) != -1 && (fl[fd] & O_NONBLOCK)) fcntl(fd, F_SETFL, fl[fd] & ~O_NONBLOCK);
    if ((fd_fl[fd] = fcntl(fd, F_GETFD)) != -1 && (fd_fl[fd] & FD_CLOEXEC)) fcntl(fd, F_SETFD, fd_fl[fd] & ~FD_CLOEXEC);
  }

  execve(path, argv + 1, envp);
  int e = errno;
  if (e == ENOEXEC) {
    // No #! line: run it with /bin/sh, as execvp(3) and Node's spawn do.
    char *arg0 = argv[1];
    argv[0] = "/bin/sh";
    argv[1] = path;
    execve("/bin/sh", argv, envp);
    argv[1] = arg0;
  }

  // Still here: the exec failed. Put Node's state back before returning to JS.
  for (int fd = 0; fd < 3; fd++) {
    if (fl[fd] != -1 && (fl[fd] & O_NONBLOCK)) fcntl(fd, F_SETFL, fl[fd]);
    if (fd_fl[fd] != -1 && (fd_fl[fd] & FD_CLOEXEC)) fcntl(fd, F_SETFD, fd_fl[fd]);
  }
  sigprocmask(SIG_SETMASK, &saved_mask, NULL);
  for (int sig = 1; sig < NSIG; sig++) if (saved_ok[sig]) sigaction(sig, &saved[sig], NULL);
  free(path);
  free_list(argv, 1);
  free_list(envp, 0);

  napi_value msg, error, code;
  napi_create_string_utf8(env, strerror(e), NAPI_AUTO_LENGTH, &msg);
  napi_create_error(env, NULL, msg, &error);
  napi_create_int32(env, e, &code);
  napi_set_named_property(env, error, "errno", code);
  napi_throw(env, error);
  return NULL;
}

#ifdef __APPLE__
// sysctlInt(name): the value of an integer sysctl, or undefined when the name is unknown (sysctl.proc_translated
// on an Intel Mac) or the value is not a 32/64-bit integer.
static napi_value SysctlInt(napi_env env, napi_callback_info info) {
  size_t argc = 1, len = 0;
  napi_value a[1], result;
  char name[256];
  napi_get_cb_info(env, info, &argc, a, NULL, NULL);
  napi_get_undefined(env, &result);
  if (argc < 1 || napi_get_value_string_utf8(env, a[0], name, sizeof name, &len) != napi_ok) return throw_type(env, "sysctlInt(name)");
  union { int32_t i32; int64_t i64; } v;
  size_t size = sizeof v;
  if (sysctlbyname(name, &v, &size, NULL, 0) != 0) return result;
  if (size == sizeof(int32_t)) napi_create_int32(env, v.i32, &result);
  else if (size == sizeof(int64_t)) napi_create_int64(env, v.i64, &result);
  return result;
}
#endif

NAPI_MODULE_INIT() {
  napi_value fn;
  napi_create_function(env, "execve", NAPI_AUTO_LENGTH, Execve, NULL, &fn);
  napi_set_named_property(env, exports, "execve", fn);
#ifdef __APPLE__
  napi_create_function(env, "sysctlInt", NAPI_AUTO_LENGTH, SysctlInt, NULL, &fn);
  napi_set_named_property(env, exports, "sysctlInt", fn);
#endif
  return exports;
}
