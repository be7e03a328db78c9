# Sourced by the test scripts that run as root on a fresh Debian 12 (sanitize.sh, fuzz/run.sh):
# ensure_debian_packages p... installs the packages not installed yet, with one `apt-get update`
# and only when one is missing.
ensure_debian_packages() {
  local missing=() p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2> /dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  if ((${#missing[@]})); then
    echo "installing ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" > /dev/null
  fi
}
