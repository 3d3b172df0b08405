//go:build unix && !linux

package main

import "errors"

// isLinux is set where the holder of a lock can be named (/proc/locks).
const isLinux = false

// mknodNull is not made here: device numbers differ between systems.
func mknodNull(string) error { return errors.New("device nodes are made on Linux only") }
