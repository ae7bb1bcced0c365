#!/usr/bin/env bash
# Builds the web console into web-ui/dist: `npm ci` from the committed lock file (the npm
# registry is the only download), then `npm run build`. `asgard web` and `asgard all` serve it.
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ ! -f web-ui/package.json ]]; then
  echo "build-web-ui: no web-ui/package.json; serving the API only"
  exit 0
fi
cd web-ui
npm ci --no-audit --no-fund --loglevel=error
npm run build
echo "build-web-ui: web-ui/dist"
