{
  "targets": [
    {
      "target_name": "goarm_native",
      "sources": ["native/goarm_native.c"],
      "defines": ["NAPI_VERSION=8"],
      "cflags": ["-Wall", "-Wextra", "-O2"],
      "xcode_settings": { "WARNING_CFLAGS": ["-Wall", "-Wextra"], "MACOSX_DEPLOYMENT_TARGET": "11.0" }
    }
  ]
}
