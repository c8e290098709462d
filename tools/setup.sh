#!/usr/bin/env bash
# Idempotent set-up for a fresh Debian machine: npm dependencies (the deno binary among them),
# the Debian packages the project needs, and a Jupyter kernelspec "deno" that points at the
# project's own deno binary. Every step already satisfied is skipped with one short line; a
# second run installs nothing and says so. Usage: bash tools/setup.sh (root or password-less
# sudo, needed only when Debian packages are missing).
set -euo pipefail

# Debian packages the project needs: the ONE list. Add new ones here with the reason.
APT_PACKAGES=(
  libopenblas0-pthread # lib/blas: cblas_sgemm/cblas_dgemm through Deno.dlopen
  jupyter-client       # kernelspecs and kernel management for the notebooks
  python3-nbclient     # executing notebooks headless (tests, reproduce)
  python3-nbconvert    # exporting executed notebooks
  chromium             # headless static export of plotly figures (PNG, SVG)
  python3-h5py         # cross-checking the HDF5 weight files against h5py
  python3-numpy        # numpy reference runs for tests and benchmarks
  fonts-dejavu-core    # fonts for exported figures and canvas images
  iproute2             # `ss`: lib/jupyter waits until a display left the kernel
  gcc                  # compiles lib/native/kernels.c on first use (TS fallback without it)
  libc6-dev            # its headers and libmvec.so (gcc only recommends it)
  jupyter-notebook     # the classic front end: `jupyter notebook notebooks/`, the browser test
)
MIN_DENO_VERSION="2.9.0"

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DENO="$ROOT/node_modules/.bin/deno"      # what people and package.json scripts call
DENO_NATIVE="$ROOT/node_modules/deno/deno" # the binary itself (kernelspec, version check)
STAMP="$ROOT/node_modules/.setup-stamp"
start_ns=$(date +%s%N)
installed=()

say() { printf 'set-up: %s\n' "$*"; }
die() {
  printf 'set-up failed: %s\n' "$*" >&2
  exit 1
}

# Prints "ok" when every package in package-lock.json is installed at its locked version.
node_modules_match_lock() {
  node -e '
    const fs = require("fs"), path = require("path");
    const root = process.argv[1];
    const lock = JSON.parse(fs.readFileSync(path.join(root, "package-lock.json"), "utf8"));
    for (const [where, entry] of Object.entries(lock.packages ?? {})) {
      if (where === "" || entry.link) continue;
      let found;
      try {
        found = JSON.parse(fs.readFileSync(path.join(root, where, "package.json"), "utf8")).version;
      } catch {
        if (entry.optional) continue; // optional: a binary for another platform
        process.exit(0);
      }
      if (found !== entry.version) process.exit(0);
    }
    console.log("ok");
  ' "$ROOT" 2>/dev/null || true
}

# --- a. npm dependencies ---------------------------------------------------------------------
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  die "node and npm are required: install them first (apt-get install -y nodejs npm)"
fi
[[ -f "$ROOT/package-lock.json" ]] || die "$ROOT/package-lock.json is missing: restore it from git"

if [[ -f "$STAMP" && "$STAMP" -nt "$ROOT/package-lock.json" ]]; then
  say "npm dependencies up to date (node_modules/.setup-stamp newer than package-lock.json)"
elif [[ -d "$ROOT/node_modules" && "$(node_modules_match_lock)" == "ok" ]]; then
  touch "$STAMP"
  say "npm dependencies already match package-lock.json"
else
  say "installing npm dependencies (npm ci)"
  npm_log="$(mktemp)"
  trap 'rm -f "$npm_log"' EXIT
  if (cd "$ROOT" && npm ci --no-audit --no-fund) >"$npm_log" 2>&1; then
    cat "$npm_log"
  elif grep -q 'code EUSAGE' "$npm_log"; then
    # npm ci refuses a lock file that lacks the optional binaries of other platforms (registries
    # that do not serve them produce such lock files); npm install keeps the locked versions.
    say "npm ci rejected package-lock.json as out of sync; using npm install --no-save instead"
    (cd "$ROOT" && npm install --no-audit --no-fund --no-save) ||
      die "npm install failed in $ROOT: check network access to the npm registry, then run again"
  else
    cat "$npm_log" >&2
    die "npm ci failed in $ROOT (output above): check network access to the npm registry"
  fi
  touch "$STAMP"
  installed+=("npm dependencies")
fi

# The deno binary. Deno's postinstall script (which npm may skip) copies the platform binary to
# node_modules/deno/deno and relinks node_modules/.bin/deno to it. We keep the native copy but
# point .bin/deno back at npm's node launcher ../deno/bin.cjs (it execs the native copy): with
# "nodeModulesDir": "manual", deno 2.9's task runner resolves the word `deno` in a task to
# node_modules/.bin/deno and runs that file as JavaScript, so a native .bin/deno breaks every
# `deno task` that calls deno ("Uncaught SyntaxError ... node_modules/deno/deno:1:1").
if ! { [[ -x "$DENO_NATIVE" ]] && "$DENO_NATIVE" --version >/dev/null 2>&1; }; then
  say "copying the platform deno binary to node_modules/deno/deno (deno's postinstall did not run)"
  node -e 'require(process.argv[1]).runInstall()' "$ROOT/node_modules/deno/install_api.cjs" ||
    die "cannot place the deno binary at $DENO_NATIVE (see above): run 'rm -rf node_modules' \
and set-up again"
  "$DENO_NATIVE" --version >/dev/null 2>&1 ||
    die "$DENO_NATIVE does not run: run 'rm -rf node_modules' and set-up again"
  installed+=("deno binary")
fi
if [[ "$(readlink "$DENO" 2>/dev/null)" != "../deno/bin.cjs" ]]; then
  say "pointing node_modules/.bin/deno at deno's launcher bin.cjs (deno task cannot use a native one)"
  mkdir -p "$ROOT/node_modules/.bin"
  ln -sfn ../deno/bin.cjs "$DENO"
  "$DENO" --version >/dev/null 2>&1 || die "$DENO does not run: run 'rm -rf node_modules' and again"
  installed+=("deno launcher link")
fi
deno_version="$("$DENO_NATIVE" --version | sed -n '1s/^deno \([0-9][0-9.]*\).*/\1/p')"
[[ "$(printf '%s\n%s\n' "$MIN_DENO_VERSION" "$deno_version" | sort -V | head -n 1)" == \
  "$MIN_DENO_VERSION" ]] ||
  die "deno $deno_version found at $DENO_NATIVE, expected >= $MIN_DENO_VERSION: raise \"deno\" \
in package.json"

# --- b. Debian packages ----------------------------------------------------------------------
if ! command -v dpkg-query >/dev/null || ! command -v apt-get >/dev/null; then
  say "not a Debian system: install the equivalents of ${APT_PACKAGES[*]} yourself"
else
  present="$(dpkg-query -W -f='${Package} ${db:Status-Status}\n' "${APT_PACKAGES[@]}" 2>/dev/null |
    awk '$2 == "installed" { print $1 }' || true)"
  missing=()
  for pkg in "${APT_PACKAGES[@]}"; do
    grep -qxF "$pkg" <<<"$present" || missing+=("$pkg")
  done
  if ((${#missing[@]} == 0)); then
    say "Debian packages present (${#APT_PACKAGES[@]})"
  else
    sudo=()
    if ((EUID != 0)); then
      if ! command -v sudo >/dev/null || ! sudo -n true 2>/dev/null; then
        die "Debian packages missing (${missing[*]}) and not root: run 'sudo bash tools/setup.sh'"
      fi
      sudo=(sudo -n)
    fi
    say "installing Debian packages: ${missing[*]}"
    apt_opts=(-y -q --no-install-recommends -o DPkg::Lock::Timeout=300 -o Dpkg::Use-Pty=0)
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q ||
      die "apt-get update failed: check network access to the Debian mirrors"
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install "${apt_opts[@]}" "${missing[@]}" ||
      die "apt-get install failed for: ${missing[*]} (see the apt output above)"
    installed+=("${#missing[@]} Debian package(s)")
  fi
fi

# --- c. Jupyter kernelspec "deno" --------------------------------------------------------------
# Sets spec_bin (realpath of argv[0]) and spec_dir for the kernelspec named deno as Jupyter
# resolves it (both empty when there is none), with one python start (they are slow under load).
read_kernelspec() {
  local out rc=0
  out="$(/usr/bin/python3 - 2>/dev/null <<'EOF'
import os, sys
try:
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel
except ImportError:
    sys.exit(3)
try:
    spec = KernelSpecManager().get_kernel_spec("deno")
    print(os.path.realpath(spec.argv[0]))
    print(spec.resource_dir)
except NoSuchKernel:
    pass
EOF
  )" || rc=$?
  if ((rc == 3 || rc == 127)); then
    die "/usr/bin/python3 cannot import jupyter_client: apt-get install -y \
--no-install-recommends python3-jupyter-client"
  fi
  spec_bin="" spec_dir=""
  { IFS= read -r spec_bin && IFS= read -r spec_dir; } <<<"$out" || true
}
deno_real="$(readlink -f "$DENO_NATIVE")"
read_kernelspec
if [[ "${spec_bin:-}" == "$deno_real" ]]; then
  say "kernelspec deno points at $deno_real"
else
  say "installing kernelspec deno -> $deno_real${spec_bin:+ (was $spec_bin)}"
  "$DENO_NATIVE" jupyter --install --force >/dev/null 2>&1 ||
    die "'$DENO_NATIVE jupyter --install --force' failed: run it by hand to see why"
  read_kernelspec
  [[ "${spec_bin:-}" == "$deno_real" ]] ||
    die "Jupyter resolves kernelspec deno to ${spec_dir:-nothing} (${spec_bin:-no argv}), not \
$deno_real: deno writes to ~/.local/share/jupyter/kernels; unset JUPYTER_PATH/JUPYTER_DATA_DIR \
or remove the shadowing kernelspec"
  installed+=("kernelspec deno")
fi

# --- d. summary ------------------------------------------------------------------------------
elapsed="$(awk -v s="$start_ns" -v e="$(date +%s%N)" 'BEGIN { printf "%.1f", (e - s) / 1e9 }')"
if ((${#installed[@]} == 0)); then
  say "nothing to install (deno $deno_version, ${elapsed} s)"
else
  joined="$(printf '%s, ' "${installed[@]}")"
  say "installed ${joined%, } (deno $deno_version, ${elapsed} s)"
fi
