#!/usr/bin/env bash
# webgpu-loss's GPU benchmark for a Linux x86-64 machine without Node or network, built by
# `npm run bench:gpu:bundle`. One line:
#   bash run.sh OUT_DIR [bench:gpu options]        e.g.  bash dist-bench-gpu/run.sh "$OUT"
# Unpacks Node and Dawn's binding into a scratch folder, times PyTorch CUDA's cross-entropy where a
# CUDA PyTorch is installed, then runs the benchmark on the GPU through Vulkan, and writes to
# OUT_DIR: bench-gpu.json and bench-gpu.html (PyTorch's rows merged in), torch.json, run.log.
# --swiftshader (or BENCH_GPU_SWIFTSHADER=1) runs on SwiftShader's CPU Vulkan instead, from the
# manifest SWIFTSHADER_ICD names (or Chromium's); without a GPU the benchmark falls back to it.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
if [ $# -lt 1 ]; then sed -n '2,10p' "$0"; exit 2; fi
OUT_DIR=$1
shift
mkdir -p "$OUT_DIR"
OUT_DIR=$(cd "$OUT_DIR" && pwd)
exec > >(tee "$OUT_DIR/run.log") 2>&1
WORK=$(mktemp -d "${TMPDIR:-/tmp}/webgpu-loss-bench.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

swiftshader=${BENCH_GPU_SWIFTSHADER:-}
for a in "$@"; do [ "$a" = --swiftshader ] && swiftshader=1; done

# xz and dpkg-deb where the machine has them, Python's lzma and tarfile where not.
unxz() { if command -v xz >/dev/null; then xz -dc "$1" >"$2"; else python3 "$HERE/unpack.py" xz "$1" "$2"; fi; }
undeb() { if command -v dpkg-deb >/dev/null; then dpkg-deb -x "$1" "$2"; else python3 "$HERE/unpack.py" deb "$1" "$2"; fi; }

NODE=$WORK/node
unxz "$HERE/node.xz" "$NODE"
chmod +x "$NODE"
cp -r "$HERE/app" "$WORK/app"
unxz "$HERE/dawn.node.xz" "$WORK/app/node_modules/webgpu/dist/linux-x64/dawn.node"
BENCH=$WORK/app/bench-gpu.mjs
echo "node $("$NODE" --version), $(uname -srm)"

# Dawn opens libvulkan.so.1, and NVIDIA's Vulkan driver needs libglvnd's libGLdispatch.so.0: the
# machine's, else the carried Debian package, unpacked here.
carried_lib() { # PACKAGE SONAME
  ldconfig -p 2>/dev/null | grep -q "$2 " && return 0
  local deb
  deb=$(ls "$HERE/debs/$1"_*.deb 2>/dev/null | head -n 1 || true)
  if [ -z "$deb" ]; then
    echo "$2: none on this machine and none carried (rebuild the bundle where apt-get download works)"
    return 0
  fi
  undeb "$deb" "$WORK/libs"
  export LD_LIBRARY_PATH="$WORK/libs/usr/lib/x86_64-linux-gnu${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
  echo "$2: carried $(basename "$deb")"
}
carried_lib libvulkan1 libvulkan.so.1
carried_lib libglvnd0 libGLdispatch.so.0
# Where NVIDIA's container runtime puts the driver's libraries, in case ldconfig does not list them.
for d in /usr/local/nvidia/lib64 /usr/local/nvidia/lib; do
  [ -d "$d" ] && export LD_LIBRARY_PATH="${LD_LIBRARY_PATH:+$LD_LIBRARY_PATH:}$d"
done
NVIDIA_ICD=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
if [ -z "$swiftshader" ] && [ -z "${VK_DRIVER_FILES:-}" ] && [ -f "$NVIDIA_ICD" ]; then
  export VK_DRIVER_FILES=$NVIDIA_ICD
  echo "Vulkan driver: $NVIDIA_ICD"
fi

ref=()
if [ -n "$swiftshader" ]; then
  echo "PyTorch reference: skipped on SwiftShader (it would compare a CPU Vulkan with CUDA)"
elif ! command -v python3 >/dev/null; then
  echo "PyTorch reference: no python3 here"
else
  # The Node benchmark's own shapes and iterations, so both time the same work.
  args_line=$("$NODE" "$BENCH" --reference-args "$@")
  read -r -a ref_args <<<"$args_line"
  status=0
  python3 "$HERE/torch_reference.py" "${ref_args[@]}" --out "$OUT_DIR/torch.json" || status=$?
  if [ "$status" = 0 ]; then
    ref=(--reference "$OUT_DIR/torch.json")
  else
    echo "PyTorch reference: not measured (status $status); the report has no PyTorch rows"
  fi
fi

# (An empty array expands to nothing; the +-form keeps bash before 4.4 quiet under set -u.)
"$NODE" "$BENCH" "$@" --out "$OUT_DIR/bench-gpu.json" ${ref[@]+"${ref[@]}"}
