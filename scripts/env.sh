# Sourced by every project script: puts Node 22 and the native forge/anvil binaries on PATH.
#
# Why the native binaries: the npm wrappers `node_modules/.bin/forge` and `anvil` (@foundry-rs 1.7.1)
# spawn the real binary but drop its exit code (always 0), so a failing `forge test` or
# `forge fmt --check` would pass. `.concord/bin/` holds links straight to the platform binaries.
CONCORD_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [ -x "$CONCORD_ROOT/node_modules/.bin/node" ]; then
  mkdir -p "$CONCORD_ROOT/.concord/bin"
  for _tool in forge anvil; do
    if [ ! -x "$CONCORD_ROOT/.concord/bin/$_tool" ]; then
      _native=$("$CONCORD_ROOT/node_modules/.bin/node" -e '
        const arch = { x64: "amd64", arm64: "arm64" }[process.arch];
        const os = { linux: "linux", darwin: "darwin", win32: "win32" }[process.platform];
        const t = process.argv[1];
        process.stdout.write(require.resolve(`@foundry-rs/${t}-${os}-${arch}/bin/${t}`));
      ' "$_tool" 2>/dev/null) || _native=""
      [ -n "$_native" ] && ln -sfn "$_native" "$CONCORD_ROOT/.concord/bin/$_tool"
    fi
  done
  unset _tool _native
fi
export PATH="$CONCORD_ROOT/.concord/bin:$CONCORD_ROOT/node_modules/.bin:$PATH"
