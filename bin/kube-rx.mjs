#!/usr/bin/env node
// The `kube-rx` command (package.json "bin"): runs the built CLI, dist/cli/main.js.
import '../dist/cli/main.js';
