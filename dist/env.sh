# Shared by dist/build.sh and dist/wheel.sh (sourced from the repository's root), so the binary in
# the tarball, the image and the wheel is one build: the same target, flags and commit.
TARGET=x86_64-unknown-linux-gnu
version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)
commit=$(git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
if [ -n "$(git status --porcelain --untracked-files=no 2>/dev/null)" ]; then
  commit="$commit-modified"
fi
# crt-static needs an explicit --target so that build scripts and proc-macros stay dynamic.
# getrandom through the system call itself: a static binary cannot look the libc function up, and
# its fallback, /dev/urandom, does not exist in an empty container.
export RUSTFLAGS="${RUSTFLAGS:-} -C target-feature=+crt-static --cfg getrandom_backend=\"linux_getrandom\""
export GPTOM_MOCK_COMMIT="$commit"
